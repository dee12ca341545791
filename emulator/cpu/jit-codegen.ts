/**
 * The JIT tier's code generator: turns the decoded, hot code of a span of guest
 * pages into the source of one JavaScript function, splicing the instruction
 * table's `sem` strings (see jit.ts for how regions are used).
 *
 * Shape of the generated function:
 *
 *   dispatch: for (;;) {                     // entered at a label (an entry point)
 *     if ($n > lim) → stop (budget)
 *     switch ($l) {                          // dense labels: a jump table
 *       case 0: <chain>                      // a chain: straight code from a label
 *       case 1: <chain>                      //   to the next label, falling through
 *       ...
 *     }
 *   }
 *
 * Inside a chain, branches and jumps whose target lies in the same chain become
 * structured JavaScript: a backward one is `continue` of a labelled `for (;;)`
 * around the loop, a forward one `break` out of a labelled block that ends at
 * the target. Other targets in the region go through the dispatch (`$l = k;
 * continue dispatch`); anything else leaves the function. Where the structure
 * cannot nest (a jump into a loop from outside, overlapping loops), the target
 * becomes a label of its own and the chain is split there.
 *
 * Guest registers are JavaScript locals (int32 throughout) within a chain: each
 * chain loads the registers it reads when it is entered. In a chain without loops
 * every write goes through to the register array at once; a chain with loops
 * keeps the registers it writes in locals (loaded on entry too) and stores them
 * back at each of its exits and when an exception leaves it (a try/catch around
 * the chain), so a loop does no register stores. Either way no register is live
 * across the dispatch, which keeps V8's SSA form (and its compile time) small. Instructions retired are counted per basic block
 * (`$n`); before an instruction that can raise an exception, `$at` holds its word
 * and its offset in the block, so a trap is precise. The budget is checked at the
 * dispatch and at every loop head, and no path runs more than MAX_RUN
 * instructions between two checks.
 *
 * V8 optimizes from type feedback, and code that has never run has none: its
 * first run deoptimizes the function. So exits are constant assignments only, and
 * arithmetic stays on paths that run.
 */
import { CODE_LINE_SHIFT } from './decode-cache';
import { inlineMemory } from './inline-memory';
import { Exit } from './interpreter';
import { MAX_RUN, RamShape, RegionAnalysis, Kind, Structure, bindOperands, chainLayout, hex } from './jit-analysis';

export { MAX_RUN, HOT_BLOCK } from './jit-analysis';
export type { RamShape, RegionInput } from './jit-analysis';

export interface RegionCode {
  readonly source: string;
  /** Global words compiled. */
  readonly words: readonly number[];
  /** Global word of each label. */
  readonly labelWords: readonly number[];
  /** Label of each global word, or -1. */
  readonly labelOf: Int16Array;
  /** Static targets outside the span (their pages may want them as entries). */
  readonly outsideTargets: readonly number[];
}

/** Stands for a chain's register write-back in its code until the chain is complete. */
const WB = '\u0001WB\u0001';


/** The region's JavaScript source; `ram` enables inline loads and stores (without it, every access calls the MMU). */
export function generateRegion(a: RegionAnalysis, ram?: RamShape): RegionCode {
  const { pages, vbase, span, pcOf, spanWord, countOf, included, insns, outsideTargets, chains, structures, labelWords, labelOf } = a;
  // Words after unconditional jumps (`j`, `jr`): reached only by jumps, maybe through
  // a jump table (see the clustering below).
  const afterJump = new Set<number>();
  for (const g of labelWords) {
    const prev = insns.get(g - 1);
    if ((prev?.kind === Kind.Jal || prev?.kind === Kind.Jalr) && prev.slot.rd === 32) afterJump.add(labelOf[g]);
  }

  // ---- emission: each chain a `case` of a cluster function ----
  interface ChainCode {
    label: number;
    body: string;
    reads: Set<number>;
    writes: Set<number>;
    /** Labels it may go to directly. */
    succ: Set<number>;
    /** Registers stay in locals until an exit (else every write goes through). */
    lazy: boolean;
    /** Instructions in it. */
    words: number;
    /** It ends in an indirect jump that is not a return (`jr`: a switch, a tail call). */
    switches: boolean;
    /** Times its last instruction ran (when that is a block end the interpreter counts). */
    count: number;
  }
  const chainCode: ChainCode[] = [];
  let succ = new Set<number>();
  let out: string[] = [];
  const emit = (s: string) => out.push(s);
  const leave = (target: number, e: Exit) => `${WB}N = n; PCX = ${hex(target)}; return ${~e};`;

  /** Code that moves control to `target` (global word `tg` when compiled) from word `from`. */
  const jumpTo = (target: number, tg: number, chain: Set<number>, st: Structure, from: number, page: number): string => {
    if (tg >= 0 && chain.has(tg)) {
      if (tg <= from) return `continue L${tg};`;
      if (st.blocks.has(tg)) return `break B${tg};`;
    }
    const check = crossCheck(target, page);
    if (tg >= 0 && labelOf[tg] >= 0) {
      succ.add(labelOf[tg]);
      return `${check}${WB}l = ${labelOf[tg]}; continue local;`;
    }
    return leave(target, spanWord(target) >= 0 ? Exit.Miss : Exit.Leave);
  };
  /** Entering another page of the span: its translation must still be the one compiled for. */
  const crossCheck = (target: number, fromPage: number): string => {
    const t = spanWord(target);
    if (t < 0 || t >>> 10 === fromPage) return '';
    return `if (m.fetchTranslate && m.peekFetchPage(${hex(target)} >>> 0) !== P[${t >>> 10}]) { ${leave(target, Exit.Leave)} } `;
  };

  for (const c of chains) {
    const st = structures.get(c[0])!;
    // Chains with loops keep registers in locals (written back at exits); the others
    // write each register through to the array.
    const lazy = st.loops.length > 0;
    const inChain = new Set(c);
    const reads = new Set<number>();
    const writes = new Set<number>();
    out = [];
    succ = new Set<number>();
    let switches = false;
    let run = 0; // instructions since the last count on the fall-through path
    const { loopStart, loopsEndingAt, blocksAt } = chainLayout(st);
    const chainStart = c[0];
    const flush = (extra = 0) => {
      const k = run + extra;
      run = 0;
      return k ? `n = (n + ${k}) | 0; ` : '';
    };

    for (let idx = 0; idx < c.length; idx++) {
      const g = c[idx];
      const ins = insns.get(g)!;
      const page = g >>> 10;
      // Leaving the previous word: close loops ending there, then the block targeting g.
      if (idx > 0) {
        const closing = loopsEndingAt.get(c[idx - 1]) ?? 0;
        if (closing > 0 || st.blocks.has(g) || loopStart.has(g)) emit(flush());
        for (let k = 0; k < closing; k++) emit('break; }');
        if (st.blocks.has(g)) emit(`} /* B${g} */`);
        if (page !== c[idx - 1] >>> 10) {
          // Falling through into the next page of the span.
          emit(flush());
          emit(crossCheck(pcOf(g), page - 1));
        }
      }
      // Opening: the chain's top-level blocks, the loop headed here, then its blocks.
      if (g === chainStart && !loopStart.has(g)) for (const t of blocksAt.get(g) ?? []) emit(`B${t}: {`);
      if (g === chainStart && loopStart.has(g)) for (const t of blocksAt.get(-1) ?? []) emit(`B${t}: {`);
      if (loopStart.has(g)) {
        emit(`L${g}: for (;;) { if (n > LIM) { ${leave(ins.pc, Exit.Limit)} }`);
        for (const t of blocksAt.get(g) ?? []) emit(`B${t}: {`);
      }

      const s = ins.slot;
      const d = s.def;
      const at = () => `at = ${g | (run << 16)}; `;
      switch (ins.kind) {
        case Kind.Stop:
          emit(`${flush()}${leave(ins.pc, Exit.Retry)}`);
          break;
        case Kind.Plain: {
          let sem = bindOperands(d!.sem, s, reads, writes, !lazy)!;
          if (ram && d!.memory) sem = inlineMemory(sem, ram);
          const pcSet = /\bpc\b/.test(sem) ? `pc = ${hex(ins.pc)}; ` : '';
          emit(`${ins.throws ? at() : ''}${pcSet}${sem}`);
          run++;
          break;
        }
        case Kind.Branch: {
          const cond = bindOperands(d!.cond!, s, reads, writes, !lazy)!;
          emit(`${flush(1)}if (${cond}) { ${jumpTo(ins.target, ins.tg, inChain, st, g, page)} }`);
          break;
        }
        case Kind.Jal: {
          const sem = bindOperands(d!.sem, s, reads, writes, !lazy)!;
          emit(`pc = ${hex(ins.pc)}; ${sem} ${flush(1)}${jumpTo(ins.target, ins.tg, inChain, st, g, page)}`);
          break;
        }
        case Kind.Jalr: {
          if (s.rd === 32 && s.rs1 !== 1) switches = true;
          const sem = bindOperands(d!.sem, s, reads, writes, !lazy)!;
          const check =
            pages.length > 1
              ? `if (m.fetchTranslate && m.peekFetchPage(pc >>> 0) !== P[((pc - ${hex(vbase)}) >>> 12)]) return ${~Exit.Leave}; `
              : '';
          emit(
            `${at()}pc = ${hex(ins.pc)}; ${sem} ${flush(1)}${WB}N = n; PCX = pc; ` +
              `if (((pc - ${hex(vbase)}) >>> 0) < ${hex(span * 4)}) { ${check}l = LBL[(pc - ${hex(vbase)}) >>> 2]; continue local; } return ${~Exit.Leave};`,
          );
          break;
        }
      }
    }
    // The chain's end.
    const last = c[c.length - 1];
    const lastIns = insns.get(last)!;
    const closing = loopsEndingAt.get(last) ?? 0;
    if (closing > 0) emit(flush());
    for (let k = 0; k < closing; k++) emit('break; }');
    if (lastIns.kind === Kind.Plain || lastIns.kind === Kind.Branch) {
      // Falling off the chain: into the next chain (through the driver, which checks
      // the budget), or out of the compiled code.
      const next = last + 1;
      const nextPc = pcOf(next);
      if (included(next) && labelOf[next] >= 0) {
        succ.add(labelOf[next]);
        emit(`${flush()}${crossCheck(nextPc, last >>> 10)}${WB}l = ${labelOf[next]}; continue local;`);
      }
      else emit(`${flush()}${leave(nextPc, spanWord(nextPc) >= 0 ? Exit.Miss : Exit.Leave)}`);
    }
    // Registers live in locals for the whole chain: loaded when it is entered (those it
    // writes too, so that a write-back never stores a stale local), stored back at its
    // exits and when an exception leaves it (the locals then hold the state before the
    // instruction that raised it).
    const wb = [...writes].sort((p, q) => p - q).map((r) => `x[${r}] = r${r}; `).join('');
    let body = out.join('\n      ').split(WB).join(lazy ? wb : '');
    if (lazy && wb) body = `try {\n      ${body}\n      } catch (err) { ${wb}throw err; }`;
    chainCode.push({ label: labelOf[c[0]], body, reads, writes, succ, lazy, words: c.length, switches, count: countOf(last) });
  }

  // Clusters: the strongly connected components of the chains' direct jumps, each one
  // function with a local dispatch; jumps inside a cluster cost a jump table, not a call.
  // A dispatch loop (a chain ending in `jr` through a jump table, whose cases are
  // short, loop-free chains after unconditional jumps that jump straight back to it)
  // becomes one cluster: without the edges from the `jr` to its cases, every case is
  // a call through the region's driver (vmbench's bytecode interpreter ran about
  // twice as fast clustered). Only cases that ran at least an eighth as often as the
  // dispatch join: code that has not run yet deoptimizes the whole function when it
  // first does, and pvmark, whose state machine's cases jump elsewhere, ran a
  // twentieth slower with looser rules.
  for (const cc of chainCode) {
    if (!cc.switches) continue;
    for (const t of afterJump) {
      const c = chainCode[t];
      if (!c.lazy && c.words <= SMALL_CASE && c.succ.has(cc.label) && c.count * 8 >= cc.count) cc.succ.add(t);
    }
  }
  const clusters = clusterChains(chainCode.map((c) => c.succ), MAX_CLUSTER_WORDS, chainCode.map((c) => c.body.length));
  const clusterOf = new Array<number>(chainCode.length);
  const fns = clusters.map((members, k) => {
    const regs = new Set<number>();
    const cases = members.map((i) => {
      const cc = chainCode[i];
      clusterOf[cc.label] = k;
      for (const r of cc.reads) regs.add(r);
      for (const r of cc.writes) regs.add(r);
      const loaded = cc.lazy ? new Set([...cc.reads, ...cc.writes]) : cc.reads;
      const loads = [...loaded].sort((p, q) => p - q).map((r) => `r${r} = x[${r}];`).join(' ');
      return `    case ${cc.label}: {${loads ? ` ${loads}` : ''}\n      ${cc.body}\n    }`;
    });
    const decl = [...regs].sort((p, q) => p - q).map((r) => `, r${r} = 0`).join('');
    return (
      `function k${k}(l) {\n  let n = N, at = 0, pc = 0, a = 0, o = 0, v = 0, r32 = 0${decl};\n  try {\n  local: for (;;) {\n` +
      `    if (n > LIM && l >= 0) { N = n; PCX = l; return ${~Exit.LimitLabel}; }\n    switch (l) {\n${cases.join('\n')}\n` +
      `    default: N = n; return l;\n    }\n  }\n  } catch (err) { N = n; AT = at; throw err; }\n}`
    );
  });

  const source = `"use strict";
function jump(t) { if (t & 3) throw h.exception(0, t); return t; }
let N = 0, PCX = 0, AT = 0, LIM = 0, DT = 0;
const R8 = m.ram, R16 = m.ram16, R32 = m.ram32, W = m.watch, CL = m.code.codeLines;
function M_lw(a) { return m.lw(a); }
function M_lh(a) { return m.lh(a); }
function M_lhu(a) { return m.lhu(a); }
function M_lb(a) { return m.lb(a); }
function M_lbu(a) { return m.lbu(a); }
function M_sw(a, v) { m.sw(a, v); }
function M_sh(a, v) { m.sh(a, v); }
function M_sb(a, v) { m.sb(a, v); }
function M_amoAddress(a) { return m.amoAddress(a); }
function M_loadReserved(a) { return m.loadReserved(a); }
function M_amoStore(o, v) { R32[o >>> 2] = v; if ((CL[o >>> ${CODE_LINE_SHIFT}] | (m.reservation !== -1 ? 1 : 0)) !== 0) m.amoStore(o, v); }
${fns.join('\n')}
const F = [${labelWords.map((_, i) => `k${clusterOf[i]}`).join(', ')}];
return function region(limit, pc0) {
  LIM = limit - ${MAX_RUN};
  DT = m.dataTranslated ? 1 : 0;
  N = 0;
  PCX = pc0;
  let l = LBL[((pc0 - ${hex(vbase)}) >>> 2) % ${span}];
  try {
    for (;;) {
      if (l < 0) break;
      if (N > LIM) { PCX = l; l = ${~Exit.LimitLabel}; break; }
      l = F[l](l);
    }
  } catch (err) {
    const n = N + (AT >>> 16);
    h.pc = (${hex(vbase)} + ((AT & 0xffff) << 2)) >>> 0;
    h.retired += n;
    if (err === TRAP) { h.exit = ${Exit.Trap}; h.takePendingTrap(); return n; }
    if (err === RETRY) { h.exit = ${Exit.Retry}; return n; }
    throw err;
  }
  h.pc = PCX >>> 0;
  h.retired += N;
  h.exit = ~l;
  return N;
};`;
  return { source, words: [...insns.keys()], labelWords, labelOf, outsideTargets };
}

/** A switch case this long at most joins its dispatch's cluster (see the clustering). */
const SMALL_CASE = 16;

/** A cluster function holds at most about this many characters of chain code. */
const MAX_CLUSTER_WORDS = 24_000;

/**
 * Groups chains (nodes 0..n-1 with direct successors `succ`) into strongly connected
 * components (Tarjan), splitting a component whose code outgrows `limit` (sizes in
 * `size`). Returns the members of each cluster.
 */
function clusterChains(succ: Set<number>[], limit: number, size: number[]): number[][] {
  const n = succ.length;
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let next = 0;
  // Iterative Tarjan (recursion could be deep on long chains of chains).
  for (let root = 0; root < n; root++) {
    if (index[root] >= 0) continue;
    const work: Array<[number, number[]]> = [[root, [...succ[root]]]];
    index[root] = low[root] = next++;
    stack.push(root);
    onStack[root] = true;
    while (work.length) {
      const top = work[work.length - 1];
      const [v, rest] = top;
      if (rest.length) {
        const w = rest.pop()!;
        if (w < 0 || w >= n) continue;
        if (index[w] < 0) {
          index[w] = low[w] = next++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, [...succ[w]]]);
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          comp.push(w);
        } while (w !== v);
        comp.sort((a, b) => a - b);
        let cur: number[] = [];
        let total = 0;
        for (const c of comp) {
          if (cur.length && total + size[c] > limit) {
            out.push(cur);
            cur = [];
            total = 0;
          }
          cur.push(c);
          total += size[c];
        }
        out.push(cur);
      }
    }
  }
  return out;
}

