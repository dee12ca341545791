/**
 * The pvk kernel library on the real hypervisor, from the committed images:
 * boot from the DTB, timer, parameters, the emulated AMOs of event dispatch,
 * and that an unexpected trap ends in an SRST failure report with a message.
 */
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSystemConfig } from '../../emulator/system/config';
import { SystemRuntime } from '../../emulator/system/system-runtime';
import { EXAMPLE_DIR, withParams } from '../../scripts/demo';

function runHello(params: string | undefined, untilMs = 200): { rt: SystemRuntime; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-hello-'));
  try {
    let image = path.join(EXAMPLE_DIR(), 'images', 'hello.elf');
    if (params !== undefined) {
      const patched = path.join(dir, 'hello.elf');
      fs.writeFileSync(patched, withParams(fs.readFileSync(image), params));
      image = patched;
    }
    const config = parseSystemConfig(JSON.stringify({
      name: 'hello', vms: [{ name: 'hello', image, ramMiB: 4, role: 'client', restart: { maxRestarts: 0 } }],
    }), dir, '<hello>');
    const rt = new SystemRuntime(config);
    let out = '';
    rt.on('output', (t: string) => (out += t));
    rt.runSync({ untilMs });
    return { rt, out };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('guests: the pvk kernel library', function () {
  this.timeout(60000);

  it('boots from the DTB, runs a timer through SBI TIME and shuts down', () => {
    const { rt, out } = runHello(undefined);
    assert.match(out, /hello: domid 1 \(hello\), RAM 0x80000000\+4096 KiB, timebase 10000000 Hz, 0 virtio slot\(s\)/);
    assert.match(out, /VERDICT PASS hello timer=1/);
    assert.strictEqual(rt.vm('hello').state, 'halted');
    assert.deepStrictEqual(rt.faults(), []);
  });

  it('reads its parameters from the patched parameter block', () => {
    const { out } = runHello('loops=3000');
    assert.match(out, /VERDICT PASS hello-loops loops=3000 sum=3000/);
  });

  it('runs a hot loop of AMOs on the shared-info page (emulated by the hypervisor) and hypercalls correctly', () => {
    const { out, rt } = runHello('loops=60000', 2000);
    assert.match(out, /VERDICT PASS hello-loops loops=60000 sum=60000/, out);
    assert.deepStrictEqual(rt.faults(), []);
  });

  it('reports an unexpected trap through SRST with a message: a fault of the VM, never a silent hang', () => {
    const { rt, out } = runHello('crash=1');
    assert.match(out, /hello: PANIC: unexpected trap: store access fault \(scause 7\) at pc 0x8[0-9a-f]{7}, stval 0x00000010/);
    const [f] = rt.faults();
    assert.strictEqual(f.kind, 'panic');
    assert.strictEqual(rt.vm('hello').state, 'down');
  });
});
