/**
 * A throw-away folder holding a system file and the files it names, so tests
 * can vary one thing of a valid system and look at the errors.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, type ConfigIssue } from '../../emulator/system/config';

export class Sandbox {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-config-'));

  constructor() {
    this.file('src/boot.S', '_start: j _start\n');
    this.file('kernel.elf', '\x7fELF placeholder');
  }

  /** Writes a file under the sandbox (folders created); returns its absolute path. */
  file(rel: string, content: string | Uint8Array): string {
    const abs = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
    return abs;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A small valid system whose files exist in a Sandbox. */
export function validSystem(): Record<string, unknown> & { vms: Record<string, unknown>[]; devices: Record<string, unknown>[]; connections: Record<string, unknown>[] } {
  return {
    name: 'test',
    vms: [
      { name: 'app', image: 'kernel.elf', ramMiB: 8, role: 'client' },
      { name: 'drv', image: ['src/boot.S'], ramMiB: 4, role: 'driver' },
    ],
    devices: [
      { name: 'disk', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } },
      { name: 'nic', kind: 'virtio-net', owner: 'drv' },
    ],
    connections: [
      { kind: 'blk', frontend: 'app', backend: 'drv', device: 'disk' },
      { kind: 'net', frontend: 'app', backend: 'drv', device: 'nic' },
    ],
  };
}

/** The issues of an invalid configuration (fails the test if it is accepted or throws something else). */
export function issuesOf(run: () => unknown): readonly ConfigIssue[] {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('configuration was accepted');
}

/** "path: message" lines, for compact assertions. */
export function lines(issues: readonly ConfigIssue[]): string[] {
  return issues.map((i) => `${i.path}: ${i.message}`);
}
