/**
 * Hypercall dispatch: EID/FID to handler, a0..a5 in, a0/a1 out. Nothing a
 * guest passes can make it throw: an exception inside a handler is a
 * hypervisor bug, reported (`bug`) and answered with SBI_ERR_FAILED, and the
 * machine goes on.
 */
import { SBI_ERR_FAILED, SBI_ERR_NOT_SUPPORTED, SBI_FUNCTIONS } from '../abi.generated';
import type { HypercallEnv, Outcome, SbiExtension } from './context';
import { pvio } from './pvio';
import { sbiBase } from './sbi-base';
import { sbiDbcn } from './sbi-dbcn';
import { sbiHsm } from './sbi-hsm';
import { sbiIpi } from './sbi-ipi';
import { sbiLegacyGetchar, sbiLegacyPutchar } from './sbi-legacy';
import { sbiRfence } from './sbi-rfence';
import { sbiSrst } from './sbi-srst';
import { sbiTime } from './sbi-time';

export const DEFAULT_EXTENSIONS: readonly SbiExtension[] = [
  sbiLegacyPutchar, sbiLegacyGetchar, sbiBase, sbiTime, sbiIpi, sbiRfence, sbiHsm, sbiSrst, sbiDbcn, pvio,
];

export interface DispatchResult {
  /** Name for the trace: SBI_… / PVIO_FID_…, or "EID 0x… FID n" when unknown. */
  readonly name: string;
  /** The arguments the function takes (all six when unknown). */
  readonly args: readonly number[];
  readonly error: number;
  readonly value: number;
  /** Legacy call: only a0 (= value on success) is written. */
  readonly legacy: boolean;
  /** False when the vCPU must not continue after its ecall (hart stop, reset). */
  readonly resume: boolean;
  /** Set when a handler threw: the hypervisor bug, for the report. */
  readonly bug?: Error;
}

interface FunctionName {
  readonly name: string;
  readonly argc: number;
}

export class HypercallDispatcher {
  private readonly extensions = new Map<number, SbiExtension>();
  private readonly names = new Map<number, Map<number, FunctionName>>();
  /** Calls served, and calls that hit a hypervisor bug. */
  calls = 0;
  bugs = 0;

  constructor(extensions: readonly SbiExtension[] = DEFAULT_EXTENSIONS) {
    for (const e of extensions) this.extensions.set(e.eid, e);
    for (const f of SBI_FUNCTIONS) {
      let m = this.names.get(f.eid);
      if (!m) this.names.set(f.eid, (m = new Map()));
      m.set(f.fid ?? 0, { name: f.name, argc: f.args.length });
    }
  }

  hasExtension(eid: number): boolean {
    return this.extensions.has(eid >>> 0);
  }

  /** The trace name of a call. */
  describe(eid: number, fid: number): FunctionName {
    const ext = this.extensions.get(eid);
    const f = this.names.get(eid)?.get(ext?.legacy ? 0 : fid);
    return f ?? { name: `EID 0x${(eid >>> 0).toString(16)} FID ${fid >>> 0}`, argc: 6 };
  }

  /** Serves one call; `args` are a0..a5. Never throws. */
  dispatch(env: HypercallEnv, eid: number, fid: number, args: readonly number[]): DispatchResult {
    eid >>>= 0;
    fid >>>= 0;
    this.calls++;
    const ext = this.extensions.get(eid);
    const { name, argc } = this.describe(eid, fid);
    const used = new Array<number>(argc);
    for (let i = 0; i < argc; i++) used[i] = (args[i] ?? 0) >>> 0;
    const legacy = ext?.legacy === true;
    if (!ext) return { name, args: used, error: SBI_ERR_NOT_SUPPORTED, value: 0, legacy, resume: true };
    let out: Outcome;
    try {
      out = ext.call(env, fid, used.length === 6 ? used : padArgs(args));
    } catch (e) {
      this.bugs++;
      const bug = e instanceof Error ? e : new Error(String(e));
      return { name, args: used, error: SBI_ERR_FAILED, value: 0, legacy, resume: true, bug };
    }
    if ('noReturn' in out) return { name, args: used, error: 0, value: 0, legacy, resume: false };
    const value = out.error === 0 && typeof out.value === 'number' ? out.value >>> 0 : 0;
    return { name, args: used, error: out.error, value, legacy, resume: true };
  }
}

function padArgs(args: readonly number[]): number[] {
  const a = new Array<number>(6);
  for (let i = 0; i < 6; i++) a[i] = (args[i] ?? 0) >>> 0;
  return a;
}
