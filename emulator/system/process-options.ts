/**
 * The execution tier of every hart this process builds: PVLAB_TIER=interpreter|jit
 * (default: the JIT), read once when the system layer is loaded (the bare-metal
 * machine and the system runtime both import this module); PVLAB_JIT_HOT=N lowers
 * the JIT's hot threshold (instructions interpreted on a page before it is
 * compiled), for tests; PVLAB_JIT_BACKEND=js keeps every compiled region
 * JavaScript (default: WebAssembly where it has code for the region's
 * instructions), and PVLAB_INTERPRETER=js runs the interpreter tier on the
 * JavaScript interpreter (default: the WebAssembly one).
 *
 * It also asks V8 to optimize WebAssembly eagerly (below).
 */
import * as v8 from 'node:v8';
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

/**
 * V8 runs a new WebAssembly function on its baseline compiler (Liftoff) and
 * optimizes it (TurboFan) only once it has run for a while. Compiled regions and
 * the interpreter are made to run hot at once, so waiting only costs: a region ran
 * 2–4× slower for its first 5–15 M instructions. Without dynamic tiering V8
 * optimizes every function in the background as soon as it is compiled
 * (`npm run bench` from a cold start: +3–5 % geomean). Only for the V8 versions known
 * to have the flag: an unknown one is reported on stdout, the adapter's DAP channel.
 */
{
  const major = Number(process.versions.v8.split('.')[0]);
  if (major >= 10 && major <= 13) v8.setFlagsFromString('--no-wasm-dynamic-tiering');
}
