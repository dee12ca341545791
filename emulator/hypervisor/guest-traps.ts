/**
 * Exceptions of a guest, as the hypervisor handles them. medeleg is 0, so the
 * hypervisor sees every exception; it reflects each into the guest's S-mode
 * with the exact effect of hardware delegation (sepc, scause, stval, SPP,
 * SPIE/SIE, pc = stvec), except:
 *  - an AMO on the shared-info page or on a mapped grant-window page (neither
 *    is RAM, so the hart raises a store access fault): emulated here;
 *  - a trap whose handler cannot be fetched: an unhandled trap (faults.ts).
 */
import type { Hart } from '../cpu/hart';
import { Access, MSTATUS, Priv } from '../cpu/constants';
import { PVIO_GRANT_WINDOW_BASE, PVIO_PAGE_SIZE, PVIO_SHARED_INFO_GPA } from './abi.generated';
import { GRANT_WINDOW_SIZE } from './grant-window';

/** Enters the guest's S-mode trap handler for exception `cause`, as delegation would. */
export function reflectException(h: Hart, cause: number, tval: number): void {
  const c = h.csr;
  const ms = c.mstatus;
  c.sepc = h.pc;
  c.scause = cause >>> 0;
  c.stval = tval >>> 0;
  c.mstatus = (ms & ~(MSTATUS.SPIE | MSTATUS.SIE | MSTATUS.SPP)) |
    (ms & MSTATUS.SIE ? MSTATUS.SPIE : 0) | (h.priv === Priv.S ? MSTATUS.SPP : 0);
  h.priv = Priv.S;
  h.pc = (c.stvec & ~3) >>> 0; // exceptions never use the vectored entries
  h.waiting = false;
  h.mmu.reservation = -1;
  h.mmu.refresh();
}

/** Whether the instruction at the hart's pc can be fetched (the handler exists). */
export function canFetchPc(h: Hart): boolean {
  if (h.pc & 3) return false;
  const pa = h.mmu.peekTranslate(h.pc, Access.Fetch);
  return pa !== undefined && h.bus.ramOffset(pa, 4) >= 0;
}

/** The instruction word at the hart's pc, if it is in RAM. */
export function instructionAtPc(h: Hart): number | undefined {
  const pa = h.mmu.peekTranslate(h.pc, Access.Fetch);
  if (pa === undefined || h.bus.ramOffset(pa, 4) < 0) return undefined;
  return h.bus.read(pa, 4);
}

function isEmulatedPage(pa: number): boolean {
  return (pa >= PVIO_SHARED_INFO_GPA && pa < PVIO_SHARED_INFO_GPA + PVIO_PAGE_SIZE) ||
    (pa >= PVIO_GRANT_WINDOW_BASE && pa < PVIO_GRANT_WINDOW_BASE + GRANT_WINDOW_SIZE);
}

function amoResult(funct5: number, old: number, src: number): number | undefined {
  switch (funct5) {
    case 0x01: return src; // amoswap
    case 0x00: return (old + src) | 0; // amoadd
    case 0x04: return old ^ src;
    case 0x0c: return old & src;
    case 0x08: return old | src;
    case 0x10: return (old | 0) < (src | 0) ? old : src; // amomin
    case 0x14: return (old | 0) > (src | 0) ? old : src; // amomax
    case 0x18: return old >>> 0 < src >>> 0 ? old : src; // amominu
    case 0x1c: return old >>> 0 > src >>> 0 ? old : src; // amomaxu
    default: return undefined;
  }
}

/**
 * Emulates the AMO at the hart's pc when it targets the shared-info page or
 * the grant window (after the store access fault it raised). Returns false
 * when the instruction is not such an AMO, or the access itself is refused
 * (an empty or read-only grant slot): the fault is then the guest's.
 */
export function emulateAmo(h: Hart): boolean {
  const word = instructionAtPc(h);
  if (word === undefined || (word & 0x7f) !== 0x2f || ((word >>> 12) & 7) !== 2) return false;
  const funct5 = word >>> 27;
  if (funct5 === 0x02 || funct5 === 0x03) return false; // LR/SC reach MMIO without trapping
  const rd = (word >>> 7) & 31;
  const rs1 = (word >>> 15) & 31;
  const rs2 = (word >>> 20) & 31;
  const va = h.x[rs1] >>> 0;
  if (va & 3) return false;
  const pa = h.mmu.peekTranslate(va, Access.Store);
  if (pa === undefined || !isEmulatedPage(pa)) return false;
  let old: number;
  try {
    old = h.bus.read(pa, 4);
    const next = amoResult(funct5, old, h.x[rs2]);
    if (next === undefined) return false;
    h.bus.write(pa, 4, next >>> 0);
  } catch {
    return false; // BusError: the slot is empty or read-only
  }
  if (rd !== 0) h.x[rd] = old | 0;
  h.pc = (h.pc + 4) >>> 0;
  h.retired++;
  return true;
}
