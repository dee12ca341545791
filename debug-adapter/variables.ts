/**
 * Scopes and variables: registers (x0–x31 with ABI names, pc), CSRs in groups
 * (mstatus and sstatus expand into their fields), the VM and its devices.
 * Values that look like addresses carry a memoryReference. Registers, CSRs and
 * status fields can be set.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { Handles } from '@vscode/debugadapter';
import { describeCause } from '../emulator/cpu/constants';
import { csrNumber } from '../emulator/isa/csr-names';
import { ABI_NAMES, registerNumber } from '../emulator/isa/registers';
import { VirtMap } from '../emulator/devices';
import type { RuntimeFrame } from '../emulator/system/runtime';
import { hex32 } from './format';
import type { DebugSystem, VmTarget } from './system';

type Container =
  | { kind: 'registers'; vm: VmTarget; hart: number; depth: number; frame: RuntimeFrame }
  | { kind: 'csrs'; vm: VmTarget; hart: number }
  | { kind: 'csrGroup'; vm: VmTarget; hart: number; group: string }
  | { kind: 'csrFields'; vm: VmTarget; hart: number; csr: string }
  | { kind: 'vm'; vm: VmTarget }
  | { kind: 'devices'; vm: VmTarget }
  | { kind: 'device'; vm: VmTarget; device: string };

const CSR_GROUPS: Record<string, string[]> = {
  'Machine trap setup and handling': ['mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mcounteren', 'mscratch', 'mepc', 'mcause', 'mtval', 'menvcfg', 'mstatush'],
  Supervisor: ['sstatus', 'sie', 'sip', 'stvec', 'scounteren', 'sscratch', 'sepc', 'scause', 'stval', 'satp', 'senvcfg'],
  Counters: ['mcycle', 'mcycleh', 'minstret', 'minstreth', 'mcountinhibit', 'cycle', 'cycleh', 'time', 'timeh', 'instret', 'instreth'],
  'Machine information': ['mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr'],
  'Physical memory protection': [...[0, 1, 2, 3].map((i) => `pmpcfg${i}`), ...Array.from({ length: 16 }, (_, i) => `pmpaddr${i}`)],
};

/** Fields of mstatus/sstatus: name, bit position, width. */
const STATUS_FIELDS: Record<string, [string, number, number][]> = {
  mstatus: [['SIE', 1, 1], ['MIE', 3, 1], ['SPIE', 5, 1], ['MPIE', 7, 1], ['SPP', 8, 1], ['MPP', 11, 2], ['MPRV', 17, 1], ['SUM', 18, 1], ['MXR', 19, 1], ['TVM', 20, 1], ['TW', 21, 1], ['TSR', 22, 1]],
  sstatus: [['SIE', 1, 1], ['SPIE', 5, 1], ['SPP', 8, 1], ['SUM', 18, 1], ['MXR', 19, 1]],
};

const PRIV = ['U', 'S', '?', 'M'];

/** Display name of register i: "x1 (ra)". */
export function registerLabel(i: number): string {
  return `x${i} (${ABI_NAMES[i]})`;
}

/** Register index from a display name ("x1 (ra)"), an ABI name or xN. */
function registerFromLabel(name: string): number | undefined {
  const m = /^x(\d+) \(/.exec(name);
  if (m) return Number(m[1]);
  return registerNumber(name.trim());
}

function describeCsr(name: string, v: number): string {
  const h = hex32(v);
  switch (name) {
    case 'mcause':
    case 'scause':
      return v === 0 ? h : `${h} (${describeCause(v)})`;
    case 'misa': {
      let ext = '';
      for (let i = 0; i < 26; i++) if (v & (1 << i)) ext += String.fromCharCode(65 + i);
      return `${h} (RV32${ext})`;
    }
    case 'mtvec':
    case 'stvec':
      return `${h} (base ${hex32(v & ~3)}, ${v & 3 ? 'vectored' : 'direct'})`;
    case 'satp':
      return `${h} (${v & 0x80000000 ? 'Sv32' : 'bare'}, asid ${(v >>> 22) & 0x1ff}, root ${hex32((v & 0x3fffff) * 4096)})`;
    case 'mstatus':
      return `${h} (MPP=${PRIV[(v >>> 11) & 3]}${v & 8 ? ' MIE' : ''}${v & 2 ? ' SIE' : ''})`;
    default:
      return h;
  }
}

export class VariableStore {
  private handles = new Handles<Container>();

  constructor(private readonly system: DebugSystem) {}

  /** Forgets all references (at every stop and resume). */
  reset(): void {
    this.handles.reset();
  }

  scopes(vm: VmTarget, hart: number, depth: number, frame: RuntimeFrame): DebugProtocol.Scope[] {
    const scopes: DebugProtocol.Scope[] = [
      { name: depth === 0 ? 'Registers' : 'Registers (unwound)', presentationHint: 'registers', variablesReference: this.handles.create({ kind: 'registers', vm, hart, depth, frame }), expensive: false },
      { name: 'CSRs', variablesReference: this.handles.create({ kind: 'csrs', vm, hart }), expensive: false },
      { name: `VM ${vm.name}`, variablesReference: this.handles.create({ kind: 'vm', vm }), expensive: false },
      { name: 'Devices', variablesReference: this.handles.create({ kind: 'devices', vm }), expensive: false },
    ];
    return scopes;
  }

  private value(vm: VmTarget, v: number, name: string, evaluateName?: string, type = 'u32'): DebugProtocol.Variable {
    const rt = vm.runtime;
    const sym = rt.isReadable(v) ? rt.symbolize(v) : undefined;
    const variable: DebugProtocol.Variable = { name, value: sym ? `${hex32(v)} <${sym}>` : hex32(v), type, variablesReference: 0 };
    if (evaluateName) variable.evaluateName = evaluateName;
    if (rt.isReadable(v)) variable.memoryReference = hex32(v);
    return variable;
  }

  variables(ref: number): DebugProtocol.Variable[] {
    const c = this.handles.get(ref);
    if (!c) throw new Error(`no variables with reference ${ref} (they expire when the program runs)`);
    const rt = c.vm.runtime;
    switch (c.kind) {
      case 'registers': {
        if (c.depth > 0) {
          return [
            this.value(c.vm, c.frame.pc, 'pc'),
            this.value(c.vm, c.frame.sp, registerLabel(2)),
            this.value(c.vm, c.frame.fp, registerLabel(8)),
          ];
        }
        const hart = rt.hartAt(c.hart);
        const out = ABI_NAMES.map((abi, i) => {
          const v = hart.x[i] >>> 0;
          const variable = this.value(c.vm, v, registerLabel(i), abi);
          if (!variable.memoryReference) variable.value = `${hex32(v)} (${hart.x[i]})`;
          return variable;
        });
        out.push(this.value(c.vm, hart.pc >>> 0, 'pc', 'pc'));
        out.push({ name: 'privilege', value: rt.privilege(c.hart), variablesReference: 0, presentationHint: { attributes: ['readOnly'] } });
        return out;
      }
      case 'csrs':
        return Object.keys(CSR_GROUPS).map((group) => ({
          name: group,
          value: '',
          variablesReference: this.handles.create({ kind: 'csrGroup', vm: c.vm, hart: c.hart, group }),
          presentationHint: { kind: 'virtual' },
        }));
      case 'csrGroup': {
        const csrFile = rt.hartAt(c.hart).csr;
        const out: DebugProtocol.Variable[] = [];
        for (const name of CSR_GROUPS[c.group]) {
          const num = csrNumber(name);
          if (num === undefined || !csrFile.exists(num)) continue;
          const v = rt.readCsr(num, c.hart);
          if (v === undefined) continue;
          out.push({
            name,
            value: describeCsr(name, v >>> 0),
            evaluateName: `$${name}`,
            type: 'csr',
            variablesReference: STATUS_FIELDS[name] ? this.handles.create({ kind: 'csrFields', vm: c.vm, hart: c.hart, csr: name }) : 0,
          });
        }
        return out;
      }
      case 'csrFields': {
        const v = (rt.readCsr(c.csr, c.hart) ?? 0) >>> 0;
        return STATUS_FIELDS[c.csr].map(([f, bit, width]) => {
          const x = (v >>> bit) & ((1 << width) - 1);
          return { name: f, value: f.endsWith('PP') && width === 2 ? `${x} (${PRIV[x]})` : String(x), type: `bit${width > 1 ? 's' : ''} ${bit}${width > 1 ? `..${bit + width - 1}` : ''}`, variablesReference: 0 };
        });
      }
      case 'vm': {
        const m = rt.machine;
        const counters = rt.counters();
        const rows: [string, string][] = [
          ['name', c.vm.name],
          ['state', c.vm.state + (c.vm.reason ? ` (${c.vm.reason})` : '')],
          ['program', this.system.programName],
          ['harts', String(c.vm.harts)],
          ['instructions retired', String(counters.retired)],
          ['cycles', String(counters.cycles)],
          ['mtime', String(counters.mtime)],
          ['virtual time', `${this.system.nowMs().toFixed(3)} ms`],
          ['entry', hex32(rt.elf.entry)],
          ['RAM', `${hex32(m.bus.ramBase)} (${m.bus.ramSize >>> 20} MiB)`],
          ['waiting for interrupt', String(rt.hart.waiting)],
          ['LR reservation', rt.hart.mmu.reservation < 0 ? 'none' : hex32(rt.hart.mmu.reservation)],
        ];
        if (m.exit) rows.push(['exit', `code ${m.exit.code} via ${m.exit.via}`]);
        return rows.map(([name, value]) => ({ name, value, variablesReference: 0, presentationHint: { attributes: ['readOnly'] } }));
      }
      case 'devices':
        return ['uart0', 'clint', 'plic', 'test finisher', ...(rt.symbols.byName('tohost') ? ['htif'] : [])].map((device) => ({
          name: device,
          value: deviceSummary(c.vm, device),
          variablesReference: this.handles.create({ kind: 'device', vm: c.vm, device }),
        }));
      case 'device':
        return deviceRows(c.vm, c.device).map(([name, value, addr]) => {
          const v: DebugProtocol.Variable = { name, value, variablesReference: 0, presentationHint: { attributes: ['readOnly'] } };
          if (addr !== undefined) v.memoryReference = hex32(addr);
          return v;
        });
    }
  }

  /** Sets a register, a CSR or a status field; returns the new display value. */
  setVariable(ref: number, name: string, valueText: string): DebugProtocol.SetVariableResponse['body'] {
    const c = this.handles.get(ref);
    if (!c) throw new Error(`no variables with reference ${ref} (they expire when the program runs)`);
    const rt = c.vm.runtime;
    const parse = () => rt.evaluate(valueText, { hart: 'hart' in c ? c.hart : 0 }).value >>> 0;
    switch (c.kind) {
      case 'registers': {
        if (c.depth > 0) throw new Error('only the innermost frame\'s registers can be set');
        const v = parse();
        if (name === 'pc') rt.setRegister('pc', v, c.hart);
        else {
          const i = registerFromLabel(name);
          if (i === undefined) throw new Error(`${name} cannot be set`);
          if (i === 0) throw new Error('x0 is always zero');
          rt.setRegister(i, v, c.hart);
        }
        const shown = name === 'pc' ? rt.hartAt(c.hart).pc >>> 0 : v;
        return { value: this.value(c.vm, shown, name).value };
      }
      case 'csrGroup': {
        const v = parse();
        rt.writeCsr(name, v, c.hart);
        const now = rt.readCsr(name, c.hart) ?? 0;
        return { value: describeCsr(name, now >>> 0) };
      }
      case 'csrFields': {
        const field = STATUS_FIELDS[c.csr].find(([f]) => f === name);
        if (!field) throw new Error(`${c.csr} has no field ${name}`);
        const [, bit, width] = field;
        const mask = ((1 << width) - 1) << bit;
        const old = (rt.readCsr(c.csr, c.hart) ?? 0) >>> 0;
        rt.writeCsr(c.csr, ((old & ~mask) | ((parse() << bit) & mask)) >>> 0, c.hart);
        const x = (((rt.readCsr(c.csr, c.hart) ?? 0) >>> 0) >>> bit) & ((1 << width) - 1);
        return { value: String(x) };
      }
      default:
        throw new Error(`${name} is read-only`);
    }
  }
}

function deviceSummary(vm: VmTarget, device: string): string {
  switch (device) {
    case 'uart0': return `ns16550a at ${hex32(VirtMap.UART0.base)}`;
    case 'clint': return `CLINT at ${hex32(VirtMap.CLINT.base)}`;
    case 'plic': return `PLIC at ${hex32(VirtMap.PLIC.base)}`;
    case 'test finisher': return `sifive,test0 at ${hex32(VirtMap.TEST.base)}`;
    case 'htif': return `tohost at ${hex32(vm.runtime.symbols.byName('tohost')?.value ?? 0)}`;
    default: return '';
  }
}

function deviceRows(vm: VmTarget, device: string): [string, string, number?][] {
  const m = vm.runtime.machine;
  switch (device) {
    case 'uart0':
      return [['base', hex32(VirtMap.UART0.base)], ['irq', `${VirtMap.UART0.irq} (${m.uart.irqAsserted ? 'asserted' : 'idle'})`], ['received bytes waiting', String(m.uart.rxPending)]];
    case 'clint': {
      const cmp = m.clint.mtimecmp(0);
      return [['base', hex32(VirtMap.CLINT.base)], ['mtime', String(m.clint.mtime())], ['mtimecmp[0]', cmp === 0xffffffffffffffffn ? 'never' : cmp.toString()], ['msip[0]', String(m.clint.peekWord(0) & 1)]];
    }
    case 'plic':
      return [['base', hex32(VirtMap.PLIC.base)], ['sources', String(m.plic.sources)], ['contexts', String(m.plic.contexts)], [`source ${VirtMap.UART0.irq} (uart0)`, `${m.plic.isPending(VirtMap.UART0.irq) ? 'pending' : 'not pending'}${m.plic.isClaimed(VirtMap.UART0.irq) ? ', claimed' : ''}`]];
    case 'test finisher':
      return [['base', hex32(VirtMap.TEST.base)], ['exit', m.exit ? `code ${m.exit.code} via ${m.exit.via}` : 'not yet']];
    case 'htif': {
      const a = vm.runtime.symbols.byName('tohost')?.value ?? 0;
      return [['tohost', hex32(a), a]];
    }
    default:
      return [];
  }
}
