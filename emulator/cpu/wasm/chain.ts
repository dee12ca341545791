/**
 * The JIT's chaining function: runs compiled WebAssembly regions one after another
 * without coming back to JavaScript. When a region leaves (for code in another
 * region: calls and returns between pages, jumps through tables) the function
 * looks the new pc up in the hart's link table (hart-state.ts) and calls that
 * region's function through the hart's function table; it returns to the
 * dispatcher (jit.ts) on any other exit, at a pc the link table does not hold, or
 * when the budget is used up. Each crossing then costs a table lookup and an
 * indirect call instead of a return to JavaScript and a call back.
 *
 * run(limit, pc, dt, ft) → exit, like a region's function but entered by pc, which
 * must be in the link table. StateWord.N is the count of all regions run,
 * StateWord.LINK the link entry of the last one (whose `at`, pc or label the
 * exit refers to).
 */
import { Exit } from '../interpreter';
import { LINK_SLOTS, StateWord } from '../hart-state';
import { FunctionBuilder } from './builder';
import { Op, encodeModule } from './encoder';

const P_LIMIT = 0, P_PC = 1, P_DT = 2, P_FT = 3;
const L_N = 4, L_E = 5, L_S = 6;

export interface ChainLayout {
  readonly memoryPages: number;
  /** Byte offsets in the bus's memory of the hart's state block and link table. */
  readonly state: number;
  readonly link: number;
}

export function generateChain(layout: ChainLayout): Uint8Array {
  const f = new FunctionBuilder({ state: layout.state });
  const { body } = f;
  // (Never taken when the dispatcher keeps its promise that pc is in the table.)
  f.set(L_E, Exit.Leave);
  f.storeState(StateWord.PC, () => f.get(P_PC));
  f.push('out', Op.Block);
  f.push('next', Op.Loop);
  // s = link + ((pc >>> 2) & (LINK_SLOTS - 1)) * 16
  f.get(P_PC).const(2).op(Op.I32ShrU).const(LINK_SLOTS - 1).op(Op.I32And).const(4).op(Op.I32Shl).const(layout.link).op(Op.I32Add).setLocal(L_S);
  // A pc the table does not hold: back to the dispatcher (the last region's exit and pc stand).
  f.get(L_S).op(Op.I32Load).body.u32(2).u32(0);
  f.get(P_PC).op(Op.I32Ne).br('out', Op.BrIf);
  f.storeState(StateWord.LINK, () => f.get(L_S));
  // e = table[entry.index](limit - n, entry.word, dt, ft)
  f.get(P_LIMIT).get(L_N).op(Op.I32Sub);
  f.get(L_S).op(Op.I32Load).body.u32(2).u32(8);
  f.get(P_DT).get(P_FT);
  f.get(L_S).op(Op.I32Load).body.u32(2).u32(4);
  body.byte(Op.CallIndirect).u32(0).u32(0);
  f.setLocal(L_E);
  f.get(L_N).loadState(StateWord.N).op(Op.I32Add).setLocal(L_N);
  // Only Leave and Miss go on, and only while budget is left, at the pc the region left for.
  f.get(L_E).const(Exit.Leave).op(Op.I32Ne).get(L_E).const(Exit.Miss).op(Op.I32Ne).op(Op.I32And).br('out', Op.BrIf);
  f.get(L_N).get(P_LIMIT).op(Op.I32GeS).br('out', Op.BrIf);
  f.loadState(StateWord.PC).setLocal(P_PC);
  f.br('next');
  f.end('next');
  f.end('out');
  f.storeState(StateWord.N, () => f.get(L_N));
  f.get(L_E);
  return encodeModule({
    types: [{ params: 4, results: 1 }],
    imports: [],
    memoryPages: layout.memoryPages,
    table: true,
    funcs: [{ type: 0, locals: 3, body, export: 'run' }],
  });
}
