/**
 * Fuzzing the inputs pvlab reads (seeded, time-bounded; fuzz-support.ts):
 * system files, ELF files, assembly sources, device trees, and the registry
 * requests guests make. Each input is accepted or rejected with the parser's
 * own error type and a message: no other exception, no hang, no heap growth.
 */
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assemble } from '../../emulator/asm';
import { FdtError } from '../../emulator/hypervisor/fdt';
import { parseDtb } from '../../emulator/hypervisor/fdt-parse';
import { Registry } from '../../emulator/hypervisor/registry';
import { buildVmDeviceTree } from '../../emulator/hypervisor/vm-devicetree';
import { LoadError, parseElf } from '../../emulator/loader';
import { ConfigError, parseSystemConfig } from '../../emulator/system/config';
import { bounded, fuzz, mutate, soup, type Prng } from './fuzz-support';
import { repoRoot } from '../hypervisor-core/support';

function clearError(e: unknown, ...types: (new (...a: never[]) => Error)[]): false {
  if (!types.some((t) => e instanceof t)) throw e;
  assert.ok((e as Error).message.length > 0, 'an error has a message');
  return false;
}

describe('fuzz: inputs', function () {
  this.timeout(300000);

  it('system-file parser: mutated and random JSON is accepted or rejected with a ConfigError', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-fuzz-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.elf'), 'x');
      const base = JSON.stringify({
        name: 'fz', vms: [{ name: 'client', image: 'a.elf', ramMiB: 4, role: 'client' }, { name: 'drv', image: 'a.elf', ramMiB: 4, role: 'driver', watchdogMs: 3, restart: { maxRestarts: 2 } }],
        devices: [{ name: 'disk0', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } }],
        connections: [{ kind: 'blk', frontend: 'client', backend: 'drv', device: 'disk0' }],
        faults: [{ vm: 'drv', kind: 'trap', atMs: 5 }], scheduler: { quantum: 1000 },
      }, null, 1);
      const tokens = ['{', '}', '[', ']', ',', ':', '"name"', '"vms"', '"image"', '"ramMiB"', '"role"', '"driver"', '"client"', '"devices"', '"kind"', '"virtio-blk"',
        '"connections"', '"faults"', '1e309', '-1', '0', '4294967296', 'null', 'true', '"a.elf"', '"__proto__"', '"constructor"', '"drv"'];
      const st = fuzz('system file', (p: Prng) => {
        const text = p.below(3) === 0 ? soup(p, tokens, p.below(200)) : Buffer.from(mutate(p, Buffer.from(base))).toString('latin1');
        try {
          bounded('parse', 2000, () => parseSystemConfig(text, dir, 'fuzz.json'));
          return true;
        } catch (e) {
          return clearError(e, ConfigError);
        }
      });
      assert.ok(st.rejected > 0 && st.iterations > 100, JSON.stringify(st));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ELF loader: mutated ELF files are loaded or rejected with a LoadError', () => {
    const elf = fs.readFileSync(path.join(repoRoot(), 'examples', 'bare-metal', 'hello.elf'));
    const st = fuzz('elf', (p: Prng) => {
      const bytes = p.below(20) === 0 ? new Uint8Array(p.below(200)).map(() => p.below(256)) : mutate(p, elf, 1 + p.below(4));
      try {
        const f = bounded('parseElf', 2000, () => parseElf(bytes));
        // Touch what a loader would use.
        void f.entry;
        return true;
      } catch (e) {
        return clearError(e, LoadError);
      }
    });
    assert.ok(st.iterations > 50, JSON.stringify(st));
  });

  it('assembler: random sources give an image or diagnostics, never an exception', () => {
    const tokens = ['addi', 'lw', 'sw', 'x1', 'a0', 'sp', ',', '(', ')', '0x', '-', '1', '4096', 'label:', 'label', '.text', '.data', '.word', '.byte', '.align', '.macro m', '.endm',
      '.rept 3', '.endr', '.if 1', '.endif', '.equ X, 5', 'X', '%hi(label)', '%lo(label)', 'la', 'li', 'call', 'jal', 'beq', '\n', '.section .x', '.globl', '#', '/*', '*/', '.include "nope"', '.space 99999999', '.fill 1000000,4,0'];
    const st = fuzz('asm', (p: Prng) => {
      const text = soup(p, tokens, p.below(120));
      const r = bounded('assemble', 5000, () => assemble([{ path: '/fuzz/a.S', text }]));
      if (!r.ok) assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.message && d.line >= 1));
      return r.ok;
    });
    assert.ok(st.iterations > 50, JSON.stringify(st));
  });

  it('device trees: mutated DTBs are parsed or rejected with an FdtError', () => {
    const dtb = buildVmDeviceTree({
      vmName: 'fz', domid: 2, ramBase: 0x80000000, ramSize: 4 << 20, harts: 2, timebaseFrequency: 10000000, isa: 'rv32ima_zicsr_zifencei',
      plic: { base: 0x0c000000, size: 0x4000000, ndev: 95 }, uart: { base: 0x10000000, irq: 10 },
      virtio: [{ base: 0x10001000, size: 0x1000, irq: 1 }, { base: 0x10002000, size: 0x1000, irq: 2 }],
      pvbus: { sharedInfo: 0x30000000, grantWindow: { base: 0x30400000, size: 0x100000 }, hypercallEid: 0x0a000000 },
      bootargs: 'console=hvc0',
    });
    assert.ok(parseDtb(dtb));
    const st = fuzz('dtb', (p: Prng) => {
      try {
        bounded('parseDtb', 2000, () => parseDtb(mutate(p, dtb, 1 + p.below(6))));
        return true;
      } catch (e) {
        return clearError(e, FdtError);
      }
    });
    assert.ok(st.rejected > 0, JSON.stringify(st));
  });

  it('registry: random requests from guests get SBI errors, never an exception, and stay bounded', () => {
    const reg = new Registry();
    for (const d of [1, 2, 3]) reg.addVm(d);
    const parts = ['vm', '1', '2', '3', '9', 'device', 'backend', 'blk', '0', 'state', 'ring-ref', 'data', '..', '.', '', ' ', 'x'.repeat(70), '\0', 'é', '*'];
    const randomPath = (p: Prng) => {
      let s = p.below(2) ? '/' : '';
      const n = p.below(8);
      for (let i = 0; i < n; i++) s += (i ? '/' : '') + parts[p.below(parts.length)];
      return p.below(30) === 0 ? 'y'.repeat(p.below(5000)) : s;
    };
    const st = fuzz('registry', (p: Prng) => {
      const caller = p.below(5);
      const path1 = randomPath(p);
      let r: { error: number };
      switch (p.below(8)) {
        case 0: r = reg.read(caller, path1); break;
        case 1: r = reg.list(caller, path1); break;
        case 2: r = reg.write(caller, path1, p.below(20) === 0 ? 'v'.repeat(p.below(100000)) : soup(p, ['4', 'x', '/'], p.below(10))); break;
        case 3: r = reg.mkdir(caller, path1); break;
        case 4: r = reg.remove(caller, path1); break;
        case 5: r = reg.watch(caller, path1, p.u32()); break;
        case 6: r = reg.unwatch(caller, path1, p.u32()); break;
        default: r = reg.readWatch(caller, p.below(300)); break;
      }
      assert.strictEqual(typeof r.error, 'number');
      return r.error === 0;
    }, undefined, 400000);
    for (const d of [1, 2, 3]) assert.ok(reg.nodeCount(d) < 100000, `registry nodes of VM ${d}: ${reg.nodeCount(d)}`);
    assert.ok(st.rejected > 0 && st.accepted > 0, JSON.stringify(st));
  });
});
