/**
 * The execution tier of every hart this process builds: PVLAB_TIER=interpreter|jit
 * (default: the JIT), read once when the system layer is loaded (the bare-metal
 * machine and the system runtime both import this module); PVLAB_JIT_HOT=N lowers
 * the JIT's hot threshold (instructions interpreted on a page before it is
 * compiled), for tests; PVLAB_JIT_BACKEND=js keeps every compiled region
 * JavaScript (default: WebAssembly where it has code for the region's
 * instructions), and PVLAB_INTERPRETER=js runs the interpreter tier on the
 * JavaScript interpreter (default: the WebAssembly one).
 */
import { parseTier, setDefaultInterpreter, setDefaultJitOptions, setDefaultTier } from '../cpu/hart';

{
  const tier = parseTier(process.env.PVLAB_TIER);
  if (tier) setDefaultTier(tier);
  const hot = Number(process.env.PVLAB_JIT_HOT);
  const options: Parameters<typeof setDefaultJitOptions>[0] = {};
  if (Number.isInteger(hot) && hot > 0) Object.assign(options, { hotThreshold: hot, chunk: Math.min(8192, hot) });
  if (process.env.PVLAB_JIT_BACKEND === 'js') options.wasm = false;
  setDefaultJitOptions(options);
  if (process.env.PVLAB_INTERPRETER === 'js') setDefaultInterpreter('js');
}
