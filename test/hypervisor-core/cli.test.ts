/**
 * `pvlab run SYSTEM.json`: prefixed consoles, injections, the report (written
 * atomically), and clear errors for bad input with nothing started.
 */
import * as assert from 'assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildGuest, needCompiler, repoRoot, rmTemp, tempDir } from './support';

function pvlab(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const cli = path.join(repoRoot(), 'out', 'emulator', 'system', 'cli.js');
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pvlab run SYSTEM.json', function () {
  this.timeout(120000);
  let dir: string;
  let front: string;
  let back: string;
  before(function () {
    needCompiler(this);
    front = buildGuest('front.c');
    back = buildGuest('back.c');
    dir = tempDir();
  });
  after(() => rmTemp(dir));

  function writeSystem(name: string, body: object): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(body, null, 2));
    return file;
  }

  const split = () => ({
    name: 'split',
    vms: [
      { name: 'client', image: front, ramMiB: 4, role: 'client' },
      { name: 'drv', image: back, ramMiB: 4, role: 'driver', watchdogMs: 4, restart: { initialBackoffMs: 2 } },
    ],
    devices: [{ name: 'disk0', kind: 'virtio-blk', owner: 'drv', disk: { sizeKiB: 64 } }],
    connections: [{ kind: 'blk', frontend: 'client', backend: 'drv', device: 'disk0' }],
    faults: [{ vm: 'drv', kind: 'hang', atMs: 12 }],
  });

  it('runs a system: prefixed consoles, injections, faults and the report', () => {
    const sys = writeSystem('split.json', split());
    const report = path.join(dir, 'report.json');
    const r = pvlab(['run', sys, '--inject', 'drv:crash@5', '--until-ms', '25', '--report', report]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\[client\] front: boot$/m);
    assert.match(r.stdout, /^\[drv\] back: boot 1 marker 0x00001234$/m);
    assert.match(r.stdout, /^\[client\] VERDICT PASS front-reconnect 2$/m);
    assert.match(r.stderr, /VM drv failed \(panic\)/);
    assert.match(r.stderr, /VM drv failed \(watchdog\)/);
    const rep = JSON.parse(fs.readFileSync(report, 'utf8'));
    assert.strictEqual(rep.format, 'pvlab-system-report/1');
    assert.deepStrictEqual(rep.vms.map((v: { name: string; state: string; restarts: number }) => [v.name, v.state, v.restarts]), [['client', 'running', 0], ['drv', 'running', 2]]);
    assert.deepStrictEqual(rep.faults.map((f: { kind: string; injection: string; injectedAtMs: number }) => [f.kind, f.injection, f.injectedAtMs]), [['panic', 'crash', 5], ['watchdog', 'hang', 12]]);
    for (const f of rep.faults) assert.ok(f.detectedAtMs >= f.injectedAtMs && f.recoveredAtMs >= f.detectedAtMs);
    assert.ok(rep.verdicts.some((v: { line: string; passed: boolean }) => v.line === 'VERDICT PASS front-connect' && v.passed));
    assert.deepStrictEqual(rep.injections.map((i: { source: string }) => i.source), ['system-file', 'cli']);
    assert.strictEqual(rep.endedAtMs, 25);
    assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  });

  it('replays a reported run exactly from its recorded injections', () => {
    const sys = writeSystem('replay.json', split());
    const first = path.join(dir, 'first.json');
    const again = path.join(dir, 'again.json');
    assert.strictEqual(pvlab(['run', sys, '--inject', 'drv:reg-flip@6', '--inject', 'client:mem-flip@7', '--until-ms', '20', '--seed', '9', '--report', first]).status, 0);
    const r = pvlab(['run', sys, '--replay', first, '--until-ms', '20', '--report', again]);
    assert.strictEqual(r.status, 0, r.stderr);
    const a = JSON.parse(fs.readFileSync(first, 'utf8'));
    const b = JSON.parse(fs.readFileSync(again, 'utf8'));
    assert.strictEqual(b.traceHash, a.traceHash);
    assert.strictEqual(b.seed, 9);
    assert.deepStrictEqual(b.injections.map((i: { params: unknown }) => i.params), a.injections.map((i: { params: unknown }) => i.params));
    assert.match(pvlab(['run', sys, '--replay', sys]).stderr, /not a pvlab system report/);
  });

  it('exits 3 when a VM stays down', () => {
    const body = split();
    (body.vms[1] as Record<string, unknown>).restart = { maxRestarts: 0 };
    const r = pvlab(['run', writeSystem('down.json', body), '--inject', 'drv:panic@3', '--until-ms', '10']);
    assert.strictEqual(r.status, 3, r.stderr);
    assert.match(r.stderr, /VM drv is down/);
  });

  it('reports bad input clearly and starts nothing', () => {
    const bad = [
      { file: 'syntax.json', text: '{ "name": "x", "vms": [ }', expect: /syntax\.json:1:\d+: .*JSON syntax error/ },
      { file: 'missing.json', body: { name: 'm', vms: [{ name: 'a', image: path.join(dir, 'nope.elf'), ramMiB: 4, role: 'client' }] }, expect: /vms\[0\]\.image/ },
      {
        file: 'twice.json',
        body: { ...split(), devices: [...split().devices, { name: 'disk0', kind: 'virtio-blk', owner: 'client', disk: { sizeKiB: 64 } }] },
        expect: /devices\[1\]/,
      },
      { file: 'ghost.json', body: { ...split(), connections: [{ kind: 'blk', frontend: 'ghost', backend: 'drv', device: 'disk0' }] }, expect: /connections\[0\]\.frontend: .*ghost/ },
    ];
    for (const b of bad) {
      const file = path.join(dir, b.file);
      fs.writeFileSync(file, b.text ?? JSON.stringify(b.body));
      const r = pvlab(['run', file, '--until-ms', '5']);
      assert.strictEqual(r.status, 1, `${b.file}: ${r.stderr}`);
      assert.match(r.stderr, /^pvlab: error: /, b.file);
      assert.match(r.stderr, b.expect, `${b.file}: ${r.stderr}`);
      assert.strictEqual(r.stdout, '', `${b.file} started something`);
    }
  });

  it('rejects malformed options', () => {
    const sys = writeSystem('opts.json', split());
    assert.match(pvlab(['run', sys, '--inject', 'drv-crash']).stderr, /expected VM:KIND@MS/);
    assert.match(pvlab(['run', sys, '--inject', 'drv:explode@3']).stderr, /unknown fault kind 'explode'/);
    const ghost = pvlab(['run', sys, '--inject', 'ghost:crash@3']);
    assert.strictEqual(ghost.status, 1);
    assert.match(ghost.stderr, /no VM 'ghost'/);
    assert.strictEqual(pvlab(['run', sys, '--until-ms', 'soon']).status, 2);
  });
});
