import { strict as assert } from 'assert';
import * as path from 'path';
import { ConfigError, loadSystemFile, parseSystemConfig } from '../../emulator/system/config';
import { issuesOf, lines, Sandbox, validSystem } from './sandbox';

// Tests run from out/test/config; fixtures stay in the source tree.
const FIXTURES = path.resolve(__dirname, '../../../test/config/fixtures');

describe('system file: valid input', () => {
  const dir = path.join(FIXTURES, 'driver-isolation');

  it('loads the representative fixture with paths resolved against the file', () => {
    const rel = path.relative(process.cwd(), path.join(dir, 'system.json'));
    const c = loadSystemFile(rel);
    assert.equal(c.name, 'driver-isolation');
    assert.equal(c.sourcePath, path.join(dir, 'system.json'));
    assert.equal(c.baseDir, dir);
    assert.deepEqual(c.vms.map((v) => `${v.domid}:${v.name}`), ['1:client', '2:blkdrv', '3:netdrv']);
    assert.deepEqual(c.vms[0].image, { kind: 'asm', sources: [path.join(dir, 'src/start.S'), path.join(dir, 'src/client.S')] });
    assert.equal(c.vms[0].ramBytes, 16 << 20);
    assert.equal(c.vms[0].vcpus, 2);
    assert.equal(c.scheduler.quantum, 5000);
    assert.deepEqual(c.connections.map((x) => `${x.kind}:${x.frontend}->${x.backend}/${x.device}`), ['blk:client->blkdrv/disk0', 'net:client->netdrv/nic0']);
    assert.deepEqual(c.faults, [{ vm: 'blkdrv', kind: 'trap', atMs: 300 }, { vm: 'netdrv', kind: 'hang', atMs: 600 }]);
  });

  it('fills in defaults and assigns virtio slots in order, skipping the UART', () => {
    const c = loadSystemFile(path.join(dir, 'system.json'));
    // Partial restart policy: given fields kept, the rest defaulted.
    assert.deepEqual(c.vms[1].restart, { maxRestarts: 3, initialBackoffMs: 20, maxBackoffMs: 500, multiplier: 2 });
    assert.deepEqual(c.vms[2].restart, { maxRestarts: 5, initialBackoffMs: 10, maxBackoffMs: 1000, multiplier: 2 });
    assert.equal(c.vms[1].vcpus, 1);
    assert.equal(c.vms[0].watchdogMs, undefined);
    assert.equal(c.vms[1].watchdogMs, 200);
    const [uart, disk, nic] = c.devices;
    assert.deepEqual(uart, { name: 'console', owner: 'client', kind: 'uart' });
    assert.deepEqual(disk, { name: 'disk0', owner: 'blkdrv', kind: 'virtio-blk', virtioSlot: 0, disk: { sizeBytes: 512 * 1024, readOnly: false } });
    assert.deepEqual(nic, { name: 'nic0', owner: 'netdrv', kind: 'virtio-net', virtioSlot: 1, peer: { kind: 'echo' } });
  });

  it('returns a deeply frozen result', () => {
    const c = loadSystemFile(path.join(dir, 'system.json'));
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.vms) && Object.isFrozen(c.vms[1].restart) && Object.isFrozen(c.devices[1]));
  });

  it('defaults everything optional in a minimal file', () => {
    const sb = new Sandbox();
    try {
      const c = parseSystemConfig(JSON.stringify({ name: 'm', vms: [{ name: 'solo', image: 'kernel.elf', ramMiB: 1, role: 'client' }] }), sb.dir);
      assert.deepEqual(c.vms[0].image, { kind: 'elf', path: path.join(sb.dir, 'kernel.elf') });
      assert.deepEqual([c.devices, c.connections, c.faults], [[], [], []]);
      assert.equal(c.scheduler.quantum, 10000);
      assert.equal(c.sourcePath, undefined);
    } finally {
      sb.remove();
    }
  });

  it('resolves a relative base folder and keeps absolute image paths as they are', () => {
    const sb = new Sandbox();
    try {
      const sys = validSystem();
      sys.vms[1].image = [path.join(sb.dir, 'src/boot.S')];
      const c = parseSystemConfig(JSON.stringify(sys), path.relative(process.cwd(), sb.dir));
      assert.equal(c.baseDir, sb.dir);
      assert.deepEqual(c.vms[0].image, { kind: 'elf', path: path.join(sb.dir, 'kernel.elf') });
      assert.deepEqual(c.vms[1].image, { kind: 'asm', sources: [path.join(sb.dir, 'src/boot.S')] });
      assert.deepEqual(c.devices[1], { name: 'nic', owner: 'drv', kind: 'virtio-net', virtioSlot: 1, peer: { kind: 'loopback' } });
    } finally {
      sb.remove();
    }
  });

  it('sizes a disk from its image, or pads the image to sizeKiB', () => {
    const sb = new Sandbox();
    try {
      sb.file('disk.img', new Uint8Array(2048));
      const sys = validSystem();
      sys.devices[0].disk = { image: 'disk.img', readOnly: true };
      assert.deepEqual(parseSystemConfig(JSON.stringify(sys), sb.dir).devices[0],
        { name: 'disk', owner: 'drv', kind: 'virtio-blk', virtioSlot: 0, disk: { image: path.join(sb.dir, 'disk.img'), sizeBytes: 2048, readOnly: true } });
      sys.devices[0].disk = { image: 'disk.img', sizeKiB: 16 };
      const d = parseSystemConfig(JSON.stringify(sys), sb.dir).devices[0];
      assert.ok(d.kind === 'virtio-blk' && d.disk.sizeBytes === 16384);
    } finally {
      sb.remove();
    }
  });
});

describe('system file: JSON syntax errors', () => {
  const syntax = (text: string): string => {
    const [issue, ...rest] = issuesOf(() => parseSystemConfig(text, '/tmp'));
    assert.equal(rest.length, 0);
    assert.equal(issue.path, '');
    return `${issue.line}:${issue.column} ${issue.message}`;
  };

  it('reports the line and column of the problem', () => {
    assert.equal(syntax('{\n  "name": "x"\n  "vms": []\n}'), "3:3 JSON syntax error: unexpected \"\\\"\": expected ',' or '}'");
    assert.equal(syntax('{\n  "vms": [1, 2,]\n}'), '2:16 JSON syntax error: trailing comma is not allowed in JSON');
    assert.equal(syntax('{ "a": 1, }'), '1:11 JSON syntax error: trailing comma is not allowed in JSON');
    assert.equal(syntax('{\n  // note\n}'), '2:3 JSON syntax error: comments are not allowed in JSON');
    assert.equal(syntax('{ "name": "open'), '1:11 JSON syntax error: unterminated string');
    assert.equal(syntax(''), '1:1 JSON syntax error: unexpected end of file: expected a value');
    assert.equal(syntax('{ "a": tru }'), '1:8 JSON syntax error: unexpected "t": expected a value');
    assert.equal(syntax('{} {}'), '1:4 JSON syntax error: unexpected "{" after the end of the document');
    assert.equal(syntax("{ 'a': 1 }"), '1:3 JSON syntax error: unexpected "\'": expected a property name in double quotes');
    assert.equal(syntax('[01]'), '1:2 JSON syntax error: invalid number');
  });

  it('puts file, line and column in the message', () => {
    assert.throws(() => parseSystemConfig('{\n  "name": ,\n}', '/tmp', '/tmp/sys.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, 'invalid system file\n  /tmp/sys.json:2:11: JSON syntax error: unexpected ",": expected a value');
      return true;
    });
  });

  it('reports a missing file as a ConfigError', () => {
    assert.deepEqual(lines(issuesOf(() => loadSystemFile('/nonexistent/pvlab/system.json'))), [': cannot read the system file: file not found']);
  });
});

describe('system file: schema errors', () => {
  const sb = new Sandbox();
  after(() => sb.remove());
  const check = (sys: unknown): string[] => lines(issuesOf(() => parseSystemConfig(JSON.stringify(sys, null, 2), sb.dir)));

  it('names the JSON path of each kind of violation', () => {
    const cases: [(s: ReturnType<typeof validSystem>) => void, string][] = [
      [(s) => { delete s.vms[0].role; }, 'vms[0].role: is required'],
      [(s) => { s.vms[1].ramMiB = -4; }, 'vms[1].ramMiB: must be an integer from 1 to 1024'],
      [(s) => { s.vms[1].ramMiB = '8'; }, 'vms[1].ramMiB: must be an integer from 1 to 1024'],
      [(s) => { s.vms[0].role = 'server'; }, 'vms[0].role: must be one of "client", "driver"'],
      [(s) => { s.vms[0].ram = 8; }, 'vms[0].ram: is not a known property (expected one of: name, image, ramMiB, vcpus, role, restart, watchdogMs)'],
      [(s) => { s.vms[0].restart = { maxRestarts: -1 }; }, 'vms[0].restart.maxRestarts: must be a non-negative integer'],
      [(s) => { s.vms[0].watchdogMs = 0; }, 'vms[0].watchdogMs: must be a positive integer'],
      [(s) => { s.vms[1].image = ['boot.c']; }, 'vms[1].image[0]: must be an assembly source ending in .S or .s'],
      [(s) => { s.vms[1].image = []; }, 'vms[1].image: must list at least one item'],
      [(s) => { s.vms[1].image = 3; }, 'vms[1].image: must be a string or a list'],
      [(s) => { s.devices[1].disk = { sizeKiB: 4 }; }, 'devices[1].disk: is only for virtio-blk devices'],
      [(s) => { delete s.devices[0].disk; }, 'devices[0].disk: is required'],
      [(s) => { delete s.devices[1].kind; s.connections.pop(); }, 'devices[1].kind: is required'],
      [(s) => { s.devices[0].kind = 'scsi'; }, 'devices[0].kind: must be one of "virtio-blk", "virtio-net", "uart"'],
      [(s) => { s.connections[0].kind = 'usb'; }, 'connections[0].kind: must be one of "blk", "net"'],
      [(s) => { s.scheduler = { quantum: 0 }; }, 'scheduler.quantum: must be an integer from 1 to 100000000'],
      [(s) => { s.faults = [{ vm: 'drv', kind: 'trap' }]; }, 'faults[0].atMs: is required'],
      [(s) => { s.name = ''; }, 'name: must not be empty'],
      [(s) => { s.vms = []; s.devices = []; s.connections = []; }, 'vms: must list at least one item'],
      [(s) => { s.vms.push(...Array.from({ length: 15 }, (_, i) => ({ name: `v${i}`, image: 'kernel.elf', ramMiB: 1, role: 'client' }))); }, 'vms: must list at most 16 items'],
    ];
    for (const [mutate, expected] of cases) {
      const s = validSystem();
      mutate(s);
      assert.deepEqual(check(s), [expected]);
    }
    assert.deepEqual(check([]), [': must be an object']);
    // A VM whose name breaks the pattern is not a VM that connections can name either.
    const s = validSystem();
    s.vms[0].name = '1st';
    assert.deepEqual(check(s), [
      "vms[0].name: must be an identifier: a letter or '_', then letters, digits, '_' or '-' (at most 32 characters)",
      "connections[0].frontend: unknown VM 'app'",
      "connections[1].frontend: unknown VM 'app'",
    ]);
  });

  it('lists every problem at once, in file order, with positions', () => {
    const s = validSystem();
    s.vms[0].ramMiB = 0;
    s.vms[1].vcpus = 99;
    delete s.connections[1].device;
    s.extra = true;
    const issues = issuesOf(() => parseSystemConfig(JSON.stringify(s, null, 2), sb.dir, 'sys.json'));
    assert.deepEqual(lines(issues), [
      'vms[0].ramMiB: must be an integer from 1 to 1024',
      'vms[1].vcpus: must be an integer from 1 to 8',
      'connections[1].device: is required',
      'extra: is not a known property (expected one of: name, description, vms, devices, connections, scheduler, faults)',
    ]);
    // A missing member is located at its object; a bad one at its key.
    assert.deepEqual(issues.map((i) => [i.line, i.column]), [[7, 7], [17, 7], [42, 5], [48, 3]]);
  });

  it('formats all problems into one readable message', () => {
    const s = validSystem();
    s.vms[0].vcpus = 0;
    s.devices[1].owner = 'ghost';
    assert.throws(() => parseSystemConfig(JSON.stringify(s, null, 2), sb.dir, 'demo.json'), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, [
        'invalid system file: 2 problems',
        '  demo.json:9:7: vms[0].vcpus: must be an integer from 1 to 8',
        "  demo.json:32:7: devices[1].owner: unknown VM 'ghost'",
      ].join('\n'));
      return true;
    });
  });

  it('reports duplicate keys, which JSON.parse would silently drop', () => {
    const text = '{"name":"a","name":"b","vms":[{"name":"x","image":"kernel.elf","ramMiB":1,"role":"client"}]}';
    assert.deepEqual(lines(issuesOf(() => parseSystemConfig(text, sb.dir))), ['name: duplicate key (JSON keeps only the last one)']);
  });
});
