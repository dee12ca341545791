/** The two-VM split-device test system: `client` (test frontend) and `drv` (test backend) over one blk connection. */
import { buildGuest, collectOutput, systemFrom } from './support';
import type { SystemRuntime } from '../../emulator/system/system-runtime';

export interface SplitOptions {
  readonly seed?: number;
  readonly watchdogMs?: number;
  readonly restart?: object;
  readonly quantum?: number;
  readonly faults?: object[];
  /** Preprocessor defines for the backend (back.c), e.g. HANG_AT_BOOT. */
  readonly backDefines?: string[];
}

export function splitSystem(o: SplitOptions = {}): { rt: SystemRuntime; out: Map<string, string> } {
  const front = buildGuest('front.c');
  const back = buildGuest('back.c', o.backDefines);
  const rt = systemFrom({
    name: 'split',
    vms: [
      { name: 'client', image: front, ramMiB: 4, role: 'client' },
      {
        name: 'drv', image: back, ramMiB: 4, role: 'driver',
        ...(o.watchdogMs ? { watchdogMs: o.watchdogMs } : {}),
        ...(o.restart ? { restart: o.restart } : {}),
      },
    ],
    devices: [{ name: 'disk0', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } }],
    connections: [{ kind: 'blk', frontend: 'client', backend: 'drv', device: 'disk0' }],
    ...(o.quantum ? { scheduler: { quantum: o.quantum } } : {}),
    ...(o.faults ? { faults: o.faults } : {}),
  }, { seed: o.seed });
  return { rt, out: collectOutput(rt) };
}

export const FRONT_STATE = '/vm/1/device/blk/0/state';
export const BACK_STATE = '/vm/2/backend/blk/1/0/state';
