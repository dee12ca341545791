/**
 * Call-stack unwinding for RV32 code without DWARF call-frame information:
 * prologue analysis from the function's start (the stack adjustment, where ra
 * and s0 were saved, whether s0 became the frame pointer) and a look ahead for
 * an epilogue that has already released the frame. Works for gcc's -O0 frames
 * (frame pointer) and optimised ones (sp-relative saves), and for hand-written
 * assembly that follows the same conventions. Knows nothing of DAP.
 */
import { decode } from '../isa/decode';

export interface UnwindMemory {
  /** A 32-bit little-endian word at `address`, or undefined when unreadable. */
  readWord(address: number): number | undefined;
  /** Start address of the function containing `pc`, when a symbol says so. */
  functionStart(pc: number): number | undefined;
}

export interface UnwoundFrame {
  /** The frame's pc (for frames above the innermost: the return address). */
  readonly pc: number;
  /** sp while this frame runs (for outer frames: the value after the callee returned). */
  readonly sp: number;
  /** s0/fp in this frame, as far as it could be recovered. */
  readonly fp: number;
  /** The canonical frame address: sp at this function's entry (= the caller's sp), when known. */
  readonly cfa?: number;
}

interface FrameRules {
  /** Bytes the prologue subtracted from sp (already executed at `pc`). */
  frameSize: number;
  /** Offsets from the CFA of the saved ra and s0, when saved before `pc`. */
  raSlot?: number;
  s0Slot?: number;
  /** s0 = CFA - fpOffset, when s0 has been set up as the frame pointer before `pc`. */
  fpOffset?: number;
  /** The epilogue already released the frame (sp back at the CFA; ra and s0 restored). */
  released: boolean;
}

const MAX_PROLOGUE = 64;
const MAX_EPILOGUE = 12;
const MAX_FRAMES = 64;

function insn(mem: UnwindMemory, addr: number) {
  const w = mem.readWord(addr);
  return w === undefined ? undefined : decode(w);
}

/** Analyses the code of the function starting at `start` up to `pc`. */
function analyse(mem: UnwindMemory, start: number, pc: number): FrameRules {
  const rules: FrameRules = { frameSize: 0, released: false };
  let spOffset = 0; // sp relative to the CFA as the prologue proceeds
  for (let a = start, n = 0; a < pc && n < MAX_PROLOGUE; a += 4, n++) {
    const d = insn(mem, a);
    if (!d?.def) break;
    const name = d.def.name;
    if (name === 'addi' && d.rd === 2 && d.rs1 === 2) {
      spOffset += d.imm;
      if (d.imm > 0) break; // an epilogue reached by straight-line code: stop analysing
      rules.frameSize = -spOffset;
    } else if (name === 'sw' && d.rs1 === 2 && (d.rs2 === 1 || d.rs2 === 8)) {
      const slot = spOffset + d.imm;
      if (d.rs2 === 1 && rules.raSlot === undefined) rules.raSlot = slot;
      if (d.rs2 === 8 && rules.s0Slot === undefined) rules.s0Slot = slot;
    } else if (name === 'addi' && d.rd === 8 && d.rs1 === 2) {
      rules.fpOffset = -(spOffset + d.imm);
    } else if (d.def.control) {
      break; // the prologue ends at the first jump or branch
    }
  }
  // Already past the frame's release? Look ahead for `ret` with no sp restore before it.
  if (rules.frameSize > 0) {
    for (let a = pc, n = 0; n < MAX_EPILOGUE; a += 4, n++) {
      const d = insn(mem, a);
      if (!d?.def) break;
      const name = d.def.name;
      if (name === 'addi' && d.rd === 2 && d.rs1 === 2) break; // the release is still ahead
      if (name === 'jalr' && d.rd === 0 && d.rs1 === 1 && d.imm === 0) {
        rules.released = true;
        break;
      }
      if (d.def.control) break;
    }
  }
  return rules;
}

/**
 * Unwinds from the innermost frame (registers x, pc). Stops where the chain
 * cannot be followed (no symbol for the pc, a return address that is not code,
 * a frame that does not move outward).
 */
export function unwindStack(x: ArrayLike<number>, pc: number, mem: UnwindMemory, maxFrames = MAX_FRAMES): UnwoundFrame[] {
  const frames: UnwoundFrame[] = [];
  let curPc = pc >>> 0;
  let sp = x[2] >>> 0;
  let fp = x[8] >>> 0;
  let ra: number | undefined = x[1] >>> 0; // the live ra is meaningful in the innermost frame only
  for (let depth = 0; depth < maxFrames; depth++) {
    const start = mem.functionStart(curPc);
    if (start === undefined) {
      frames.push({ pc: curPc, sp, fp });
      break;
    }
    const rules = analyse(mem, start, curPc);
    let cfa: number;
    if (rules.released) cfa = sp;
    else if (rules.fpOffset !== undefined && depth > 0) cfa = (fp + rules.fpOffset) >>> 0;
    else cfa = (sp + rules.frameSize) >>> 0;
    frames.push({ pc: curPc, sp, fp, cfa });
    let callerRa: number | undefined;
    let callerFp = fp;
    if (!rules.released && rules.raSlot !== undefined) callerRa = mem.readWord((cfa + rules.raSlot) >>> 0);
    else callerRa = ra;
    if (!rules.released && rules.s0Slot !== undefined) callerFp = mem.readWord((cfa + rules.s0Slot) >>> 0) ?? fp;
    if (callerRa === undefined || callerRa === 0 || (callerRa & 3) !== 0) break;
    if (mem.readWord(callerRa) === undefined || mem.functionStart(callerRa) === undefined) break;
    if (cfa < sp || (cfa === sp && callerRa === curPc)) break; // not moving outward
    if (depth > 0 && rules.raSlot === undefined && !rules.released) break; // only a leaf keeps ra in the register
    curPc = callerRa;
    sp = cfa;
    fp = callerFp;
    ra = undefined;
  }
  return frames;
}
