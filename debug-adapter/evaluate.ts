/**
 * The evaluate request: expressions (registers, symbols, CSRs, memory; see
 * emulator/system/runtime-expr.ts) in every context, assignments and a few
 * commands in the Debug Console (REPL).
 */
import { ExprContext, ExprValue, evaluateExpression } from '../emulator/system/runtime-expr';
import type { FaultSpec, RuntimeFrame } from '../emulator/system/runtime';
import { ABI_NAMES } from '../emulator/isa/registers';
import { csrNumber } from '../emulator/isa/csr-names';
import { hex32, parseAddress } from './format';
import type { TargetRuntime } from './system';

export interface EvalAnswer {
  result: string;
  type?: string;
  memoryReference?: string;
  /** The machine state changed (an assignment, an injected fault): views should refresh. */
  changed?: 'memory' | 'registers';
  /** Address and size written, when memory changed. */
  written?: { address: number; size: number };
}

export const REPL_HELP = `pvlab debug console
  EXPR                 evaluate: registers (a0, x10, pc), symbols (main, buf+4: a symbol is its address),
                       CSRs (mstatus, $mcause), memory (*(u32*)0x80001000, *(u8*)sym, ((u16*)p)[2]),
                       C operators; LVALUE = EXPR assigns (registers, CSRs, memory)
  x/NFU ADDR           dump memory: N units, F = x|d|u|c, U = b|h|w (as in gdb), e.g. x/8xw sp
  disas [ADDR [N]]     disassemble N instructions (default: 8 at pc)
  bt                   backtrace
  info registers       all registers          info csrs      the CSRs that exist
  info symbols [TEXT]  symbols whose name contains TEXT
  fault KIND ARGS      inject a fault now: flip-register REG BIT | set-register REG VALUE |
                       flip-memory ADDR BIT | write-memory ADDR VALUE [SIZE] | trap CAUSE [TVAL]
  help                 this text`;

/** The expression context of a frame: outer frames see their own pc, sp and s0. */
export function frameContext(rt: TargetRuntime, hart: number, frame: RuntimeFrame | undefined, depth: number): ExprContext {
  const base = rt.exprContext(hart);
  if (!frame || depth === 0) return base;
  return {
    ...base,
    register: (i) => (i === 2 ? frame.sp | 0 : i === 8 ? frame.fp | 0 : base.register(i)),
    pc: () => frame.pc,
  };
}

/** Formats an expression's value: addresses as `0x… <symbol>`, numbers as `decimal (0x…)`. */
export function formatValue(rt: TargetRuntime, v: ExprValue, text?: string): EvalAnswer {
  const addressLike = v.isAddress || v.type.pointer > 0 || v.lvalue?.kind === 'pc';
  if (addressLike) {
    const sym = rt.symbolize(v.value);
    let result = sym ? `${hex32(v.value)} <${sym}>` : hex32(v.value);
    // A bare data symbol also shows what it holds (a symbol stands for its address).
    const s = text ? rt.symbols.byName(text.trim()) : undefined;
    if (s && s.type === 'object' && (s.size === 1 || s.size === 2 || s.size === 4)) {
      const m = rt.readMemory(s.value, s.size);
      if (!m.unreadable) {
        let x = 0;
        for (let i = 0; i < s.size; i++) x |= m.data[i] << (8 * i);
        result += `: ${x >>> 0} (${'0x' + (x >>> 0).toString(16)})`;
      }
    }
    const answer: EvalAnswer = { result, type: v.type.pointer > 0 ? pointerType(v) : 'address' };
    if (rt.isReadable(v.value)) answer.memoryReference = hex32(v.value);
    return answer;
  }
  const n = v.type.signed ? v.value | 0 : v.value >>> 0;
  const hexDigits = v.type.size * 2;
  const h = '0x' + ((v.value & (v.type.size === 4 ? 0xffffffff : (1 << (8 * v.type.size)) - 1)) >>> 0).toString(16).padStart(hexDigits, '0');
  const answer: EvalAnswer = { result: `${n} (${h})`, type: typeName(v) };
  if (v.type.size === 4 && rt.isReadable(v.value >>> 0)) answer.memoryReference = hex32(v.value);
  return answer;
}

function typeName(v: ExprValue): string {
  if (v.lvalue?.kind === 'csr') return 'csr';
  return `${v.type.signed ? 'i' : 'u'}${v.type.size * 8}`;
}

function pointerType(v: ExprValue): string {
  return `${v.type.signed ? 'i' : 'u'}${v.type.size * 8}${'*'.repeat(v.type.pointer)}`;
}

/** Evaluates in a context (`watch`, `hover`, `repl`, `variables`, `clipboard`); REPL input may be a command. */
export function evaluate(
  rt: TargetRuntime,
  hart: number,
  text: string,
  context: string | undefined,
  frame: RuntimeFrame | undefined,
  depth: number,
  backtrace: () => RuntimeFrame[],
  inject: (fault: FaultSpec) => string,
): EvalAnswer {
  const repl = context === 'repl';
  if (repl) {
    const command = replCommand(rt, hart, text.trim(), backtrace, inject);
    if (command) return command;
  }
  const ctx = frameContext(rt, hart, frame, depth);
  const assigns = repl && /(^|[^=!<>])=($|[^=])/.test(text);
  const before = assigns ? evaluateExpression(text.split(/(?<![=!<>])=(?!=)/)[0], ctx) : undefined;
  const v = evaluateExpression(text, ctx, { allowAssignment: repl });
  const answer = formatValue(rt, v, text);
  if (assigns && before?.lvalue) {
    answer.changed = before.lvalue.kind === 'memory' ? 'memory' : 'registers';
    if (before.lvalue.kind === 'memory') answer.written = { address: before.lvalue.address, size: before.lvalue.size };
  }
  return answer;
}

function replCommand(
  rt: TargetRuntime, hart: number, text: string, backtrace: () => RuntimeFrame[], inject: (fault: FaultSpec) => string,
): EvalAnswer | undefined {
  const words = text.split(/\s+/);
  const ctx = rt.exprContext(hart);
  const value = (e: string) => evaluateExpression(e, ctx).value >>> 0;
  switch (words[0]) {
    case 'help':
    case '?':
      return { result: REPL_HELP };
    case 'bt':
    case 'backtrace':
      return {
        result: backtrace().map((f, i) => `#${i}  ${hex32(f.pc)} in ${f.functionName ?? '??'}${f.source ? ` at ${f.source.file}:${f.source.line}` : ''}`).join('\n') || '(no frames)',
      };
    case 'info': {
      const what = words[1] ?? '';
      if ('registers'.startsWith(what) && what.length >= 1) {
        const h = rt.hartAt(hart);
        const rows = ABI_NAMES.map((n, i) => `${`x${i}`.padEnd(3)} ${n.padEnd(4)} ${hex32(h.x[i])}  ${h.x[i]}`);
        rows.push(`pc       ${hex32(h.pc)}  ${rt.symbolize(h.pc) ?? ''}`, `priv     ${rt.privilege(hart)}`);
        return { result: rows.join('\n') };
      }
      if (what === 'csrs') {
        const names = ['mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'sstatus', 'stvec', 'sepc', 'scause', 'stval', 'satp', 'mcycle', 'minstret'];
        return { result: names.map((n) => `${n.padEnd(9)} ${hex32(rt.readCsr(csrNumber(n) as number, hart) ?? 0)}`).join('\n') };
      }
      if (what === 'symbols') {
        const filter = words.slice(2).join(' ');
        const list = rt.symbols.sorted.filter((s) => s.name.includes(filter)).slice(0, 200);
        return { result: list.map((s) => `${hex32(s.value)} ${String(s.size).padStart(6)} ${s.type.padEnd(6)} ${s.name}`).join('\n') || '(none)' };
      }
      return { result: 'info registers | info csrs | info symbols [TEXT]' };
    }
    case 'disas':
    case 'disassemble': {
      const addr = words[1] ? value(words[1]) : rt.hartAt(hart).pc >>> 0;
      const n = words[2] ? Math.min(200, value(words[2])) : 8;
      const pc = rt.hartAt(hart).pc >>> 0;
      return {
        result: rt.disassemble(addr, n, false).map((d) => `${d.address === pc ? '=>' : '  '} ${hex32(d.address)}${labelOf(rt, d.address)}  ${d.word === undefined ? '        ' : d.word.toString(16).padStart(8, '0')}  ${d.text}`).join('\n'),
      };
    }
    case 'fault': {
      const fault = parseFaultCommand(words.slice(1), value);
      return { result: inject(fault), changed: 'registers' };
    }
  }
  const x = /^x(?:\/(\d*)([xduc]?)([bhw]?))?\s+(.+)$/.exec(text);
  if (x) return { result: dumpMemory(rt, value(x[4]), Number(x[1] || 1), x[2] || 'x', x[3] || 'w') };
  return undefined;
}

function labelOf(rt: TargetRuntime, a: number): string {
  const s = rt.symbols.lookup(a);
  return s && s.offset === 0 ? ` <${s.name}>` : '';
}

function dumpMemory(rt: TargetRuntime, addr: number, count: number, fmt: string, unit: string): string {
  const size = unit === 'b' ? 1 : unit === 'h' ? 2 : 4;
  count = Math.min(count, 4096);
  const perLine = Math.max(1, 16 / size);
  const lines: string[] = [];
  for (let i = 0; i < count; i += perLine) {
    const a = addr + i * size;
    const cells: string[] = [];
    for (let j = i; j < Math.min(count, i + perLine); j++) {
      const m = rt.readMemory(addr + j * size, size);
      if (m.unreadable) {
        cells.push('??'.repeat(size));
        continue;
      }
      let v = 0;
      for (let k = 0; k < size; k++) v |= m.data[k] << (8 * k);
      v >>>= 0;
      if (fmt === 'd') cells.push(String(size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24));
      else if (fmt === 'u') cells.push(String(v));
      else if (fmt === 'c') cells.push(v >= 32 && v < 127 ? `'${String.fromCharCode(v)}'` : `\\x${v.toString(16).padStart(2, '0')}`);
      else cells.push(v.toString(16).padStart(size * 2, '0'));
    }
    const label = rt.symbolize(a);
    lines.push(`${hex32(a)}${label ? ` <${label}>` : ''}:  ${cells.join(' ')}`);
  }
  return lines.join('\n');
}

function parseFaultCommand(args: string[], value: (e: string) => number): FaultSpec {
  const [kind, a, b, c] = args;
  const need = (x: string | undefined, what: string) => {
    if (x === undefined) throw new Error(`fault ${kind}: missing ${what}`);
    return x;
  };
  switch (kind) {
    case 'flip-register':
      return { kind, register: need(a, 'REG'), bit: value(need(b, 'BIT')) };
    case 'set-register':
      return { kind, register: need(a, 'REG'), value: value(need(b, 'VALUE')) };
    case 'flip-memory':
      return { kind, address: value(need(a, 'ADDR')), bit: value(need(b, 'BIT')) };
    case 'write-memory': {
      const size = c === undefined ? 4 : value(c);
      if (size !== 1 && size !== 2 && size !== 4) throw new Error('fault write-memory: SIZE must be 1, 2 or 4');
      return { kind, address: value(need(a, 'ADDR')), value: value(need(b, 'VALUE')), size };
    }
    case 'trap':
      return { kind, cause: parseAddress(need(a, 'CAUSE')) ?? value(a as string), tval: b === undefined ? 0 : value(b) };
    default:
      throw new Error('fault KIND: flip-register | set-register | flip-memory | write-memory | trap (see help)');
  }
}
