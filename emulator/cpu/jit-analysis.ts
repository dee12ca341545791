/**
 * What the JIT's code generators share: which decoded words of a span of guest
 * pages are hot, the instructions among them, the entry points ("labels") and the
 * *chains* of straight code between them with their loops and forward blocks, and
 * (for the JavaScript backend) an instruction's `sem` with its operands bound as
 * text. The JavaScript backend (jit-codegen.ts) and the WebAssembly backend
 * (wasm/region.ts, which binds operands as it emits) emit code from it.
 */
import { InsnDef, INSTRUCTIONS } from '../isa/table';
import { BP_BIT, COUNT_SLOTS, DecodePage, ENTRY_FIELDS, ILLEGAL_OP, JIT_BIT } from './decode-cache';
import { Exit } from './interpreter';

/** Longest straight run of instructions between two budget checks. */
export const MAX_RUN = 128;

/**
 * A block end's execution count (from the interpreter, see COUNT_SLOTS) at least
 * this makes its straight run of code part of a region.
 */
export const HOT_BLOCK = 2;

/** The RAM a region's inline memory accesses use (a bus's). */
export interface RamShape {
  readonly base: number;
  readonly size: number;
}

export interface RegionInput {
  /** Decode pages of consecutive virtual pages, from `vbase`. */
  readonly pages: readonly DecodePage[];
  /** Virtual address of the first page (int32). */
  readonly vbase: number;
  /** Global word (page * 1024 + word) where compiling was decided (not made an entry point). */
  readonly entry: number;
  /** Block-end execution counts (DecodeCache.counts). */
  readonly counts: Int32Array;
  /** RAM placement, for inline loads and stores (without it, every access calls the MMU). */
  readonly ram?: RamShape;
}

export interface Slot {
  def: InsnDef | undefined;
  rd: number;
  rs1: number;
  rs2: number;
  imm: number;
}

export const enum Kind { Plain, Branch, Jal, Jalr, Stop }

export interface Insn {
  g: number;
  pc: number;
  slot: Slot;
  kind: Kind;
  /** Static target address (branches, jal). */
  target: number;
  /** Its global word in the span when it is compiled code, else -1. */
  tg: number;
  /** The instruction can raise an exception (needs $at). */
  throws: boolean;
}

const REG = /x\[(rd|rs1|rs2)\]/g;
const OPERAND = /\b(rd|rs1|rs2|imm)\b/g;
export const hex = (v: number) => (v < 0 ? `-0x${(-v).toString(16)}` : `0x${v.toString(16)}`);


/**
 * `sem` with its operands made literals and its registers made locals: x[n] is the
 * local rn (reads of x0 are 0; writes to x0 go to the sink r32). Literals rather than
 * block-scoped constants: every `const` would be a slot in the function's frame, and
 * V8's compile time grows with frame size times call sites. Every value assigned
 * to a register is marked int32 (`| 0`, free at run time), which keeps V8 from
 * giving the locals a tagged representation where a call's result flows in.
 */
export function bindOperands(sem: string, s: Slot, reads: Set<number>, written: Set<number>, through = true): string | undefined {
  const regs = sem.replace(REG, (whole, name: string, offset: number) => {
    const r = name === 'rd' ? s.rd : name === 'rs1' ? s.rs1 : s.rs2;
    const assigned = /^\s*=[^=]/.test(sem.slice(offset + whole.length));
    if (r === 0 && !assigned) return '0';
    if (r !== 32) {
      if (assigned) written.add(r);
      else reads.add(r);
    }
    return `r${r}`;
  });
  if (/\bx\[/.test(regs)) return undefined;
  return regs
    .replace(/\b(r\d+) = ([^;]+);/g, (_m, r: string, e: string) =>
      r === 'r32' || !through ? `${r} = (${e}) | 0;` : `${r} = (${e}) | 0; x[${r.slice(1)}] = ${r};`,
    )
    .replace(OPERAND, (name: string) =>
      name === 'imm' ? `(${hex(s.imm)})` : String(name === 'rd' ? s.rd : name === 'rs1' ? s.rs1 : s.rs2),
    );
}

export function slotAt(page: DecodePage, w: number): Slot | undefined {
  const e = page.slots[2 * w] & ~JIT_BIT & 0xffffff;
  if (e === 0) return undefined;
  const op = e & 255;
  return {
    def: op === ILLEGAL_OP ? undefined : INSTRUCTIONS[op - 1],
    rd: (e >>> ENTRY_FIELDS.rd.shift) & ENTRY_FIELDS.rd.mask,
    rs1: (e >>> ENTRY_FIELDS.rs1.shift) & ENTRY_FIELDS.rs1.mask,
    rs2: (e >>> ENTRY_FIELDS.rs2.shift) & ENTRY_FIELDS.rs2.mask,
    imm: page.slots[2 * w + 1],
  };
}

export interface Loop {
  start: number;
  end: number;
}

export interface Structure {
  loops: Loop[];
  /** Forward-jump targets → where their block opens. */
  blocks: Map<number, number>;
}

/**
 * Where a chain's constructs open and close, in the order the backends emit them:
 * the loop headed at each word, how many loops end at each word, and the forward
 * blocks opening at each position (-1: at the chain's start, outside a loop that
 * starts there too), outermost (latest target) first.
 */
export function chainLayout(st: Structure): { loopStart: Map<number, Loop>; loopsEndingAt: Map<number, number>; blocksAt: Map<number, number[]> } {
  const loopStart = new Map<number, Loop>();
  for (const l of st.loops) loopStart.set(l.start, l);
  const loopsEndingAt = new Map<number, number>();
  for (const l of st.loops) loopsEndingAt.set(l.end, (loopsEndingAt.get(l.end) ?? 0) + 1);
  const blocksAt = new Map<number, number[]>();
  for (const [t, open] of st.blocks) {
    const list = blocksAt.get(open) ?? [];
    list.push(t);
    blocksAt.set(open, list);
  }
  for (const list of blocksAt.values()) list.sort((a, b) => b - a);
  return { loopStart, loopsEndingAt, blocksAt };
}

/** The hot code of a span and its structure; undefined when nothing on the span is hot. */
export function analyzeRegion(input: RegionInput) {
  const { pages, vbase, counts } = input;
  const span = pages.length * 1024;
  const pcOf = (g: number) => (vbase + g * 4) | 0;
  const spanWord = (target: number) => {
    const off = (target - vbase) | 0;
    return off >= 0 && off < span * 4 && (off & 3) === 0 ? off >>> 2 : -1;
  };
  const countOf = (g: number) => counts[((pages[g >>> 10].ramOffset >>> 2) + (g & 1023)) & (COUNT_SLOTS - 1)];

  // Hot code: straight runs of decoded words (ending at a control or sync word, an
  // illegal one, or a gap) whose end ran at least HOT_BLOCK times. Plain loops over
  // the entries: this runs while the JIT's own code is still cold, where every call
  // made per word of the span cost (a page has 1,024).
  const entry = (g: number) => pages[g >>> 10].slots[2 * (g & 1023)];
  const hot = new Uint8Array(span);
  for (let g = 0; g < span; ) {
    if ((entry(g) & ~JIT_BIT & 0xffffff) === 0) {
      g++;
      continue;
    }
    let end = g, d: InsnDef | undefined;
    for (;;) {
      const op = entry(end) & 255;
      d = op === ILLEGAL_OP ? undefined : INSTRUCTIONS[op - 1];
      if (!d || d.control || d.sync || end + 1 === span || (entry(end + 1) & ~JIT_BIT & 0xffffff) === 0) break;
      end++;
    }
    // Words another region already holds are left to it; breakpointed words to the interpreter.
    if (!d || !(d.control || d.sync) || countOf(end) >= HOT_BLOCK) for (let k = g; k <= end; k++) hot[k] = entry(k) & (JIT_BIT | BP_BIT) ? 0 : 1;
    g = end + 1;
  }
  const included = (g: number) => g >= 0 && g < span && hot[g] === 1;

  // Instructions.
  const insns = new Map<number, Insn>();
  const outsideTargets: number[] = [];
  for (let g = 0; g < span; g++) {
    if (!hot[g]) continue;
    const slot = slotAt(pages[g >>> 10], g & 1023)!;
    const d = slot.def;
    const pc = pcOf(g);
    let kind = Kind.Plain;
    let target = 0;
    let tg = -1;
    if (!d || d.sync) kind = Kind.Stop;
    else if (d.control && (d.cond !== undefined || d.format === 'J')) {
      target = (pc + slot.imm) | 0;
      if (target & 3) kind = Kind.Stop; // a misaligned target traps: leave it to the interpreter
      else {
        kind = d.cond !== undefined ? Kind.Branch : Kind.Jal;
        const t = spanWord(target);
        if (included(t)) tg = t;
        else if (t < 0) outsideTargets.push(target);
      }
    } else if (d.control) kind = Kind.Jalr;
    insns.set(g, { g, pc, slot, kind, target, tg, throws: kind === Kind.Jalr || (kind === Kind.Plain && !!d!.memory) });
  }
  if (insns.size === 0) return undefined;

  // External entry points (labels).
  const labels = new Set<number>();
  // (Not the word where compiling was decided: it is wherever the interpreter happened
  // to be, often inside a loop, and a label there would split the loop. The
  // interpreter runs on to the next label.)
  for (let p = 0; p < pages.length; p++) for (const w of pages[p].missed ?? []) if (included(p * 1024 + w)) labels.add(p * 1024 + w);
  for (const ins of insns.values()) {
    const g = ins.g;
    if (!included(g - 1)) labels.add(g); // reached from outside the compiled code
    if (ins.kind === Kind.Stop) {
      labels.add(g);
      if (included(g + 1)) labels.add(g + 1); // after the slow-mode step
    }
    // After a jump: a return address (the callee returns through the dispatcher), or
    // code only jumped to, maybe through a table (a switch), so an entry point.
    if ((ins.kind === Kind.Jal || ins.kind === Kind.Jalr) && included(g + 1)) labels.add(g + 1);
  }

  // Chains and their structure; a target that cannot be structured becomes a label.
  let chains: number[][];
  const structures = new Map<number, Structure>();
  for (let round = 0; ; round++) {
    chains = [];
    let cur: number[] = [];
    for (let g = 0; g < span; g++) {
      if (!hot[g]) {
        if (cur.length) chains.push(cur);
        cur = [];
        continue;
      }
      if (cur.length && (labels.has(g) || cur.length >= MAX_RUN)) {
        chains.push(cur);
        cur = [];
        labels.add(g);
      }
      cur.push(g);
    }
    if (cur.length) chains.push(cur);
    structures.clear();
    const failed: number[] = [];
    for (const c of chains) {
      const st = structure(c, insns, failed);
      structures.set(c[0], st);
      // A loop head is a label too: a run that stops there for the budget resumes there.
      for (const l of st.loops) if (l.start !== c[0]) failed.push(l.start);
      // A jump to compiled code in another chain goes through the dispatch: its target needs a label.
      for (const g of c) {
        const tg = insns.get(g)!.tg;
        if (tg >= 0 && (tg < c[0] || tg > c[c.length - 1]) && !labels.has(tg)) failed.push(tg);
      }
    }
    if (failed.length === 0) break;
    for (const t of failed) labels.add(t);
    if (round > 64) throw new Error('jit: structuring did not converge');
  }

  const labelWords = [...labels].filter(included).sort((a, b) => a - b);
  const labelOf = new Int16Array(span).fill(~Exit.Miss);
  labelWords.forEach((g, i) => (labelOf[g] = i));
  return { pages, vbase, span, pcOf, spanWord, countOf, included, insns, outsideTargets, chains, structures, labelWords, labelOf };
}

export type RegionAnalysis = NonNullable<ReturnType<typeof analyzeRegion>>;

/**
 * Loops and forward blocks of one chain. A target that cannot be structured is
 * pushed to `failed` (the caller makes it a label and tries again).
 */
export function structure(chain: number[], insns: Map<number, Insn>, failed: number[]): Structure {
  const first = chain[0];
  const last = chain[chain.length - 1];
  const inChain = (g: number) => g >= first && g <= last;
  // Back edges → loops (one per header, to its last back edge).
  const loopEnd = new Map<number, number>();
  const forward: Array<[number, number]> = [];
  for (const g of chain) {
    const ins = insns.get(g)!;
    if ((ins.kind !== Kind.Branch && ins.kind !== Kind.Jal) || ins.tg < 0 || !inChain(ins.tg)) continue;
    if (ins.tg <= g) loopEnd.set(ins.tg, Math.max(loopEnd.get(ins.tg) ?? -1, g));
    else forward.push([g, ins.tg]);
  }
  const loops: Loop[] = [...loopEnd].map(([start, end]) => ({ start, end })).sort((a, b) => a.start - b.start);
  // Loops must nest.
  const stack: Loop[] = [];
  const good: Loop[] = [];
  let bad = false;
  for (const l of loops) {
    while (stack.length && stack[stack.length - 1].end < l.start) stack.pop();
    if (stack.length && l.end > stack[stack.length - 1].end) {
      failed.push(l.start);
      bad = true;
      continue;
    }
    stack.push(l);
    good.push(l);
  }
  // A forward target's block opens at the start of the innermost loop holding the
  // target (not as its header), or at the chain's start (-1 when a loop also starts there).
  const blocks = new Map<number, number>();
  for (const [from, t] of forward) {
    let ctx: Loop | undefined;
    for (const l of good) if (l.start < t && t <= l.end && (!ctx || l.start > ctx.start)) ctx = l;
    if (ctx && from < ctx.start) {
      failed.push(t); // a jump into a loop from outside it
      bad = true;
      continue;
    }
    const open = ctx ? ctx.start : good.some((l) => l.start === first) ? -1 : first;
    blocks.set(t, open);
  }
  if (bad) return { loops: [], blocks: new Map() };
  return { loops: good, blocks };
}
