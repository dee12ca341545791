/**
 * The memory unit's fast path written into generated JavaScript: the interpreter
 * (interpreter.ts) and the JIT's JavaScript backend (jit-codegen.ts) rewrite the
 * memory calls of the table's `sem` strings with it.
 */
import { CODE_LINE_SHIFT } from './decode-cache';
import { RamShape, hex } from './jit-analysis';
import { WATCH_LOAD, WATCH_STORE } from './mmu';

/** Splits `text` at its top-level commas. */
function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/** Aligned RAM accesses the generated code performs itself: view, index shift, alignment mask, value fix-up. */
const INLINE_LOADS: Record<string, { view: string; shift: number; align: number; size: number; wrap: (e: string) => string }> = {
  lw: { view: 'R32', shift: 2, align: 3, size: 4, wrap: (e) => e },
  lh: { view: 'R16', shift: 1, align: 1, size: 2, wrap: (e) => `((${e} << 16) >> 16)` },
  lhu: { view: 'R16', shift: 1, align: 1, size: 2, wrap: (e) => e },
  lb: { view: 'R8', shift: 0, align: 0, size: 1, wrap: (e) => `((${e} << 24) >> 24)` },
  lbu: { view: 'R8', shift: 0, align: 0, size: 1, wrap: (e) => e },
};
const INLINE_STORES: Record<string, { view: string; shift: number; align: number; size: number }> = {
  sw: { view: 'R32', shift: 2, align: 3, size: 4 },
  sh: { view: 'R16', shift: 1, align: 1, size: 2 },
  sb: { view: 'R8', shift: 0, align: 0, size: 1 },
};

/**
 * Rewrites the MMU calls `m.lw(...)`, `m.sw(...)` (and the other sizes) of a bound
 * `sem` into an inline fast path for the common case — data accesses untranslated
 * (DT, set per run), aligned, in RAM, on a page without watchpoints and, for
 * stores, on a line without decoded code — that falls back to the same MMU call.
 * The semantics stay the table's: this only inlines the memory unit's fast path.
 * The code it writes uses `a`, `o`, `v`, `DT`, `W` (watch flags), `CL` (code lines),
 * `R8`/`R16`/`R32` (RAM) and calls `M_<fn>` on the slow path. `ram` gives RAM's
 * place as literals; 'named' leaves it to `RB` (base) and `RL1`/`RL2`/`RL4` (size
 * minus the access size), for code shared by buses (the interpreter). With `atomics`
 * false, only plain loads and stores are rewritten.
 */
export function inlineMemory(code: string, ram: RamShape | 'named', atomics = true): string {
  const base = ram === 'named' ? 'RB' : hex(ram.base | 0);
  const last = (size: number) => (ram === 'named' ? `RL${size}` : hex(ram.size - size));
  const calls = atomics ? /\bm\.(lw|lhu|lh|lbu|lb|sw|sh|sb|amoAddress|amoLoad|amoStore|loadReserved)\(/ : /\bm\.(lw|lhu|lh|lbu|lb|sw|sh|sb)\(/;
  for (;;) {
    const m = calls.exec(code);
    if (!m) return code;
    const open = m.index + m[0].length;
    let depth = 1;
    let i = open;
    for (; i < code.length && depth > 0; i++) {
      if (code[i] === '(') depth++;
      else if (code[i] === ')') depth--;
    }
    const args = splitArgs(code.slice(open, i - 1));
    const fn = m[1];
    const ok = (size: number, align: number) =>
      `DT === 0 && (o = (a - ${base}) >>> 0) <= ${last(size)}${align ? ` && (o & ${align}) === 0` : ''}`;
    let rep: string;
    const load = INLINE_LOADS[fn];
    if (fn === 'amoAddress') {
      // The AMO's word (its RAM offset, see Mmu.amoAddress): aligned RAM, no watch, no decoded code on its line.
      // (The AMO's own block declares `a`: its operand, a register, is read twice instead.)
      const r = args[0];
      if (!/^(r\d+|0)$/.test(r)) throw new Error(`jit: unexpected AMO operand ${r}`);
      rep =
        `(DT === 0 && (o = (${r} - ${base}) >>> 0) <= ${last(4)} && (o & 3) === 0 && ` +
        `(W[o >>> 12] | CL[o >>> ${CODE_LINE_SHIFT}]) === 0 ? o : M_amoAddress(${r}))`;
    } else if (fn === 'amoLoad') {
      // Compiled code runs in fast mode only, where amoLoad is the read alone.
      rep = `R32[(${args[0]}) >>> 2]`;
    } else if (fn === 'amoStore') {
      rep = `M_amoStore(${args[0]}, ${args[1]})`;
    } else if (fn === 'loadReserved') {
      rep =
        `(a = ${args[0]}, ${ok(4, 3)} && (W[o >>> 12] & ${WATCH_LOAD}) === 0 ` +
        `? (m.reservation = a >>> 0, R32[o >>> 2]) : M_loadReserved(a))`;
    } else if (load) {
      rep =
        `(a = ${args[0]}, ${ok(load.size, load.align)} && (W[o >>> 12] & ${WATCH_LOAD}) === 0 ` +
        `? ${load.wrap(`${load.view}[o${load.shift ? ` >>> ${load.shift}` : ''}]`)} : M_${fn}(a))`;
    } else {
      const st = INLINE_STORES[fn];
      rep =
        `(a = ${args[0]}, v = ${args[1]}, ${ok(st.size, st.align)} && ((W[o >>> 12] & ${WATCH_STORE}) | CL[o >>> ${CODE_LINE_SHIFT}]) === 0 ` +
        `? (${st.view}[o${st.shift ? ` >>> ${st.shift}` : ''}] = v) : M_${fn}(a, v))`;
    }
    code = code.slice(0, m.index) + rep + code.slice(i);
  }
}
