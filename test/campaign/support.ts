/**
 * The campaign test system: `client` (rec-client.c, a verifying record
 * workload that prints ACK/READ lines) and `drv` (rec-driver.c, a record
 * store over a passed-through virtio-blk disk), built with the hypervisor
 * tests' guest runtime (test/hypervisor-core/guests: start.S, pvrt.c, link.ld).
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CROSS_GCC, GUEST_FLAGS, repoRoot } from '../hypervisor-core/support';

export { needCompiler, tempDir, rmTemp } from '../hypervisor-core/support';

/** Builds a campaign test guest (a .c file in test/campaign/guests); cached by content hash. */
export function buildCampaignGuest(main: string, defines: string[] = []): string {
  const root = repoRoot();
  const rt = path.join(root, 'test', 'hypervisor-core', 'guests');
  const own = path.join(root, 'test', 'campaign', 'guests');
  const sources = [path.join(rt, 'start.S'), path.join(rt, 'pvrt.c'), path.join(own, main)];
  const hash = crypto.createHash('sha256');
  for (const f of [...sources, path.join(rt, 'pvrt.h'), path.join(rt, 'link.ld'), path.join(own, 'recring.h')]) hash.update(fs.readFileSync(f));
  hash.update(JSON.stringify([GUEST_FLAGS, defines]));
  const out = path.join(root, 'out', 'test', 'campaign', 'guest-build', `${path.basename(main, '.c')}${defines.map((d) => `-${d}`).join('')}-${hash.digest('hex').slice(0, 16)}.elf`);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync(CROSS_GCC, [
      ...GUEST_FLAGS, '-mno-relax', '-fno-builtin', '-Wall', '-I', path.join(root, 'guests', 'include'), '-I', rt, '-I', own, ...defines.map((d) => `-D${d}`),
      '-T', path.join(rt, 'link.ld'), ...sources, '-o', tmp,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    throw new Error(`building campaign guest ${main} failed:\n${err.stderr?.toString() ?? err.message}`, { cause: e });
  }
  fs.renameSync(tmp, out);
  return out;
}

export interface RecordSystemOptions {
  readonly watchdogMs?: number;
  /** Build the driver with these defines (e.g. LIAR: acknowledges some writes without doing them). */
  readonly driverDefines?: string[];
  /** Extra VMs (e.g. a hostile driver) and their devices. */
  readonly extraVms?: object[];
  readonly extraDevices?: object[];
}

/** The record-store system as a system-file object. */
export function recordSystem(o: RecordSystemOptions = {}): object {
  return {
    name: 'campaign-records',
    vms: [
      { name: 'client', image: buildCampaignGuest('rec-client.c'), ramMiB: 1, role: 'client' },
      { name: 'drv', image: buildCampaignGuest('rec-driver.c', o.driverDefines), ramMiB: 1, role: 'driver', watchdogMs: o.watchdogMs ?? 2,
        restart: { maxRestarts: 10, initialBackoffMs: 1, maxBackoffMs: 4, multiplier: 2 } },
      ...(o.extraVms ?? []),
    ],
    devices: [{ name: 'disk0', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } }, ...(o.extraDevices ?? [])],
    connections: [{ kind: 'blk', frontend: 'client', backend: 'drv', device: 'disk0' }],
  };
}

/** Writes the record-store system file into `dir`; returns its path. */
export function writeRecordSystem(dir: string, o: RecordSystemOptions = {}): string {
  const file = path.join(dir, 'system.json');
  fs.writeFileSync(file, JSON.stringify(recordSystem(o), null, 2));
  return file;
}
