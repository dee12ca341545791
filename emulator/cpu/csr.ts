/**
 * The CSR file of one hart: storage, WARL masks and the read/write rules of each CSR.
 * Privilege and read-only checks are in `Hart.csrAccess`; this module answers
 * "what does CSR n read as" and "what does writing v to CSR n do".
 */
import { MSTATUS, Priv } from './constants';

/** Exception-code bits of medeleg that may be delegated (not ecall from M, not reserved codes). */
const MEDELEG_MASK = 0xb3ff;
/** The supervisor interrupts: SSIP, STIP, SEIP. */
const S_INTERRUPTS = 0x222;
const MIE_MASK = 0xaaa;
const MSTATUS_WRITABLE =
  MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP | MSTATUS.MPP |
  MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;
/** The view of mstatus that sstatus gives. */
export const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;
/** RV32, extensions A, I, M, S, U. */
export const MISA = (0x40000000 | (1 << 0) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20)) >>> 0;

/** What the CSR file needs from its hart: counters, time, and notice of changes that matter to it. */
export interface CsrHost {
  readonly hartId: number;
  /** Instructions retired so far. */
  readonly retired: number;
  /** Cycles the hart spent waiting (wfi), so mcycle counts time, not only instructions. */
  readonly idleCycles: number;
  /** The machine's mtime (ticks of the timebase). */
  time(): number;
  /** Translation or privilege-affecting state changed (mstatus, satp): flush TLBs. */
  translationChanged(): void;
  /** Interrupt enables or pending bits changed. */
  interruptsChanged(): void;
}

const TWO32 = 0x100000000;
/** `v` mod 2^32 as a uint32, for any exact integer `v` (negative ones too). */
const mod32 = (v: number) => (((v % TWO32) + TWO32) % TWO32) >>> 0;

/**
 * A 64-bit counter kept exact with doubles: its value is (base + offset) mod 2^64,
 * where base is what the hart counts (below 2^53) and the offset is held as a
 * small signed part plus a high word added mod 2^32, so a guest's writes to the
 * high half (mcycleh, minstreth) lose no bits.
 */
class Counter64 {
  /** Added to the base; an exact integer of magnitude below 2^53. */
  offset = 0;
  /** Added to the high word, mod 2^32. */
  offsetHi = 0;

  lo(base: number): number {
    return mod32(base + this.offset);
  }

  hi(base: number): number {
    return mod32(Math.floor((base + this.offset) / TWO32) + this.offsetHi);
  }

  /**
   * Writes the low or the high half while the writing instruction is at `base`.
   * The write takes effect after that instruction, which therefore does not count
   * itself: the next read sees exactly what was written (priv. spec, "Machine
   * Counter/Timers"; a write to either half counts as a write to the counter).
   */
  write(base: number, half: 'lo' | 'hi', value: number): void {
    const lo = half === 'lo' ? value >>> 0 : this.lo(base);
    const hi = half === 'hi' ? value >>> 0 : this.hi(base);
    this.offset = lo - (base + 1);
    this.offsetHi = hi;
  }
}

export class CsrFile {
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Pending bits written by software (SSIP, STIP, SEIP from M-mode). */
  mipSoft = 0;
  /** Pending bits driven by devices and the host (MSIP, MTIP, MEIP, SEIP, STIP lines). */
  mipLines = 0;
  mtvec = 0;
  stvec = 0;
  mepc = 0;
  sepc = 0;
  mcause = 0;
  scause = 0;
  mtval = 0;
  stval = 0;
  mscratch = 0;
  sscratch = 0;
  satp = 0;
  mcounteren = 0;
  scounteren = 0;
  readonly pmpcfg = new Uint32Array(4);
  readonly pmpaddr = new Uint32Array(16);
  /** mcycle and minstret: what the hart counts, adjusted by what software last wrote. */
  private readonly cycleCounter = new Counter64();
  private readonly instretCounter = new Counter64();

  constructor(private readonly host: CsrHost) {}

  get mip(): number {
    return (this.mipSoft | this.mipLines) >>> 0;
  }

  /**
   * Offset of mcycle from the hart's cycle count (retired + idle cycles). Setting it
   * also clears any high-word adjustment, so `cycleAdjust = -cycles` restarts the
   * counter from zero.
   */
  get cycleAdjust(): number {
    return this.cycleCounter.offset + this.cycleCounter.offsetHi * TWO32;
  }
  set cycleAdjust(v: number) {
    this.cycleCounter.offset = v;
    this.cycleCounter.offsetHi = 0;
  }

  /** Offset of minstret from the hart's retired count; setting it works as for `cycleAdjust`. */
  get instretAdjust(): number {
    return this.instretCounter.offset + this.instretCounter.offsetHi * TWO32;
  }
  set instretAdjust(v: number) {
    this.instretCounter.offset = v;
    this.instretCounter.offsetHi = 0;
  }

  private get cycles(): number {
    return this.host.retired + this.host.idleCycles;
  }

  /** True when CSR `num` exists on this hart. */
  exists(num: number): boolean {
    return this.read(num) !== undefined;
  }

  /** The value of CSR `num`, or undefined when it is not implemented. */
  read(num: number): number | undefined {
    switch (num) {
      case 0x300: return this.mstatus >>> 0;
      case 0x100: return (this.mstatus & SSTATUS_MASK) >>> 0;
      case 0x301: return MISA;
      case 0x302: return this.medeleg >>> 0;
      case 0x303: return this.mideleg >>> 0;
      case 0x304: return this.mie >>> 0;
      case 0x104: return (this.mie & this.mideleg) >>> 0;
      case 0x344: return this.mip;
      case 0x144: return (this.mip & this.mideleg) >>> 0;
      case 0x305: return this.mtvec >>> 0;
      case 0x105: return this.stvec >>> 0;
      case 0x341: return this.mepc >>> 0;
      case 0x141: return this.sepc >>> 0;
      case 0x342: return this.mcause >>> 0;
      case 0x142: return this.scause >>> 0;
      case 0x343: return this.mtval >>> 0;
      case 0x143: return this.stval >>> 0;
      case 0x340: return this.mscratch >>> 0;
      case 0x140: return this.sscratch >>> 0;
      case 0x180: return this.satp >>> 0;
      case 0x306: return this.mcounteren >>> 0;
      case 0x106: return this.scounteren >>> 0;
      case 0x30a: case 0x31a: case 0x10a: return 0; // menvcfg(h)/senvcfg: no fields implemented
      case 0x310: return 0; // mstatush: little-endian only
      case 0x320: return 0; // mcountinhibit: counters always run
      case 0xf11: case 0xf12: case 0xf13: case 0xf15: return 0;
      case 0xf14: return this.host.hartId >>> 0;
      case 0xb00: case 0xc00: return this.cycleCounter.lo(this.cycles);
      case 0xb80: case 0xc80: return this.cycleCounter.hi(this.cycles);
      case 0xb02: case 0xc02: return this.instretCounter.lo(this.host.retired);
      case 0xb82: case 0xc82: return this.instretCounter.hi(this.host.retired);
      case 0xc01: return mod32(this.host.time());
      case 0xc81: return mod32(Math.floor(this.host.time() / TWO32));
      case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: return 0; // no triggers: tselect/tdata read 0
    }
    if (num >= 0x3a0 && num <= 0x3a3) return this.pmpcfg[num - 0x3a0];
    if (num >= 0x3b0 && num <= 0x3bf) return this.pmpaddr[num - 0x3b0];
    // PMP entries 16..63 are not implemented: their CSRs are read-only zero, as the spec allows.
    if ((num >= 0x3a4 && num <= 0x3af) || (num >= 0x3c0 && num <= 0x3ef)) return 0;
    // Unimplemented performance counters and events read as zero.
    if ((num >= 0xb03 && num <= 0xb1f) || (num >= 0xb83 && num <= 0xb9f)) return 0;
    if ((num >= 0xc03 && num <= 0xc1f) || (num >= 0xc83 && num <= 0xc9f)) return 0;
    if (num >= 0x323 && num <= 0x33f) return 0;
    return undefined;
  }

  /**
   * Writes `value` to CSR `num` (which must exist). `retiring` says the writing
   * instruction will still retire, so a write to minstret accounts for it.
   */
  write(num: number, value: number): void {
    value >>>= 0;
    switch (num) {
      case 0x300: {
        let v = (this.mstatus & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE);
        if (((v & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) === 2) v &= ~MSTATUS.MPP; // MPP is WARL: 2 is reserved
        this.mstatus = v;
        this.host.translationChanged();
        this.host.interruptsChanged();
        return;
      }
      case 0x100:
        this.mstatus = (this.mstatus & ~SSTATUS_MASK) | (value & SSTATUS_MASK);
        this.host.translationChanged();
        this.host.interruptsChanged();
        return;
      case 0x302: this.medeleg = value & MEDELEG_MASK; return;
      case 0x303: this.mideleg = value & S_INTERRUPTS; this.host.interruptsChanged(); return;
      case 0x304: this.mie = value & MIE_MASK; this.host.interruptsChanged(); return;
      case 0x104:
        this.mie = (this.mie & ~this.mideleg) | (value & this.mideleg & S_INTERRUPTS);
        this.host.interruptsChanged();
        return;
      case 0x344: this.mipSoft = value & S_INTERRUPTS; this.host.interruptsChanged(); return;
      case 0x144: // only SSIP is writable through sip, and only when delegated
        this.mipSoft = (this.mipSoft & ~(this.mideleg & 2)) | (value & this.mideleg & 2);
        this.host.interruptsChanged();
        return;
      case 0x305: this.mtvec = legalTvec(value); return;
      case 0x105: this.stvec = legalTvec(value); return;
      case 0x341: this.mepc = value & ~3; return;
      case 0x141: this.sepc = value & ~3; return;
      case 0x342: this.mcause = value; return;
      case 0x142: this.scause = value; return;
      case 0x343: this.mtval = value; return;
      case 0x143: this.stval = value; return;
      case 0x340: this.mscratch = value; return;
      case 0x140: this.sscratch = value; return;
      case 0x180:
        this.satp = value;
        this.host.translationChanged();
        return;
      case 0x306: this.mcounteren = value; return;
      case 0x106: this.scounteren = value; return;
      // The write happens before the writing instruction retires, so it must not count itself.
      case 0xb00: this.cycleCounter.write(this.cycles, 'lo', value); return;
      case 0xb80: this.cycleCounter.write(this.cycles, 'hi', value); return;
      case 0xb02: this.instretCounter.write(this.host.retired, 'lo', value); return;
      case 0xb82: this.instretCounter.write(this.host.retired, 'hi', value); return;
    }
    if (num >= 0x3a0 && num <= 0x3a3) this.pmpcfg[num - 0x3a0] = value;
    else if (num >= 0x3b0 && num <= 0x3bf) this.pmpaddr[num - 0x3b0] = value & 0x3fffffff;
    // Everything else that exists is read-only zero or WARL-ignored (triggers, counters, envcfg).
  }

  /**
   * The value CSRRS/CSRRC set or clear bits in, given the value `read` returned.
   * For mip that is the software-writable bits only: a pending line from a device
   * (SEIP from the PLIC, for example) reads as set but is not written back into the
   * software bit (priv. spec, "Machine Interrupt Registers (mip and mie)").
   */
  readModifyWriteBase(num: number, read: number): number {
    return num === 0x344 ? this.mipSoft : read;
  }

  /** The privilege level bits say who may access CSR `num`; counters also depend on the enable registers. */
  counterAllowed(num: number, priv: Priv): boolean {
    if (num < 0xc00 || num > 0xc9f || priv === Priv.M) return true;
    const bit = 1 << (num & 31);
    if (!(this.mcounteren & bit)) return false;
    return priv === Priv.S || (this.scounteren & bit) !== 0;
  }
}

/** tvec is WARL: modes 0 (direct) and 1 (vectored) only. */
function legalTvec(v: number): number {
  const mode = v & 3;
  return ((v & ~3) | (mode > 1 ? 0 : mode)) >>> 0;
}
