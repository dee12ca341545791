import { strict as assert } from 'assert';
import { parseSystemConfig } from '../../emulator/system/config';
import { issuesOf, lines, Sandbox, validSystem } from './sandbox';

describe('system file: consistency errors', () => {
  const sb = new Sandbox();
  after(() => sb.remove());
  type Sys = ReturnType<typeof validSystem>;
  const check = (mutate: (s: Sys) => void): string[] => {
    const s = validSystem();
    mutate(s);
    return lines(issuesOf(() => parseSystemConfig(JSON.stringify(s, null, 2), sb.dir)));
  };

  it('rejects duplicate VM and device names', () => {
    assert.deepEqual(check((s) => { s.vms.push({ name: 'app', image: 'kernel.elf', ramMiB: 1, role: 'client' }); }),
      ["vms[2].name: duplicate VM name 'app' (also vms[0])"]);
    assert.deepEqual(check((s) => { s.devices.push({ name: 'nic', kind: 'virtio-net', owner: 'drv' }); }),
      ["devices[2].name: duplicate device name 'nic' (also devices[1])"]);
  });

  it('rejects a device given to two VMs or to an unknown VM', () => {
    assert.deepEqual(check((s) => {
      s.vms.push({ name: 'drv2', image: 'kernel.elf', ramMiB: 1, role: 'driver' });
      s.devices.push({ name: 'disk', kind: 'virtio-blk', owner: 'drv2', disk: { sizeKiB: 4 } });
    }), ["devices[2].name: device 'disk' is given to two VMs: 'drv' (devices[0]) and 'drv2'"]);
    assert.deepEqual(check((s) => { s.devices[1].owner = 'ghost'; }), ["devices[1].owner: unknown VM 'ghost'"]);
  });

  it('rejects connections to unknown VMs and devices', () => {
    assert.deepEqual(check((s) => {
      s.connections[0].frontend = 'nobody';
      s.connections[0].backend = 'nothing';
      s.connections[1].device = 'nodev';
    }), [
      "connections[0].frontend: unknown VM 'nobody'",
      "connections[0].backend: unknown VM 'nothing'",
      "connections[1].device: unknown device 'nodev'",
    ]);
  });

  it('requires a client frontend and a driver backend that owns the device', () => {
    assert.deepEqual(check((s) => {
      s.connections[0].frontend = 'drv';
      s.connections[0].backend = 'app';
    }), [
      "connections[0].frontend: 'drv' is a driver VM; frontends run in client VMs",
      "connections[0].backend: 'app' is a client VM; backends run in driver VMs",
      "connections[0].device: 'disk' belongs to 'drv', not to the backend 'app'",
    ]);
  });

  it('matches connection kinds to device kinds and exports a device once', () => {
    assert.deepEqual(check((s) => { s.connections[1].kind = 'blk'; }),
      ["connections[1].device: 'nic' is a virtio-net device, which a blk connection cannot export"]);
    assert.deepEqual(check((s) => { s.connections.push({ ...s.connections[0] }); }),
      ["connections[2].device: 'disk' is already exported by connections[0]"]);
    assert.deepEqual(check((s) => {
      s.devices.push({ name: 'tty', kind: 'uart', owner: 'drv' });
      s.connections.push({ kind: 'net', frontend: 'app', backend: 'drv', device: 'tty' });
    }), ["connections[2].device: 'tty' is a uart device, which a net connection cannot export"]);
  });

  it('rejects images that do not exist, relative to the system file', () => {
    assert.deepEqual(check((s) => {
      s.vms[0].image = 'missing.elf';
      s.vms[1].image = ['src/boot.S', 'src/nope.S'];
    }), [
      `vms[0].image: file 'missing.elf' does not exist (looked for ${sb.dir}/missing.elf)`,
      `vms[1].image[1]: file 'src/nope.S' does not exist (looked for ${sb.dir}/src/nope.S)`,
    ]);
    assert.deepEqual(check((s) => { s.vms[0].image = 'src'; }), [`vms[0].image: 'src' is not a file (${sb.dir}/src)`]);
    assert.deepEqual(check((s) => { s.vms[0].image = 'src/boot.S'; }),
      ['vms[0].image: \'src/boot.S\' is an assembly source: give sources as a list, e.g. ["src/boot.S"]']);
  });

  it('checks disk images and sizes', () => {
    sb.file('odd.img', new Uint8Array(1000));
    sb.file('big.img', new Uint8Array(8192));
    assert.deepEqual(check((s) => { s.devices[0].disk = { image: 'odd.img' }; }), ['devices[0].disk.image: image size 1000 is not a multiple of 512 bytes']);
    assert.deepEqual(check((s) => { s.devices[0].disk = { image: 'big.img', sizeKiB: 4 }; }), ['devices[0].disk.sizeKiB: is smaller than the image (8192 bytes)']);
    assert.deepEqual(check((s) => { s.devices[0].disk = { readOnly: true }; }), ['devices[0].disk: needs an image, a sizeKiB, or both']);
    assert.deepEqual(check((s) => { s.devices[0].disk = { image: 'gone.img' }; }),
      [`devices[0].disk.image: file 'gone.img' does not exist (looked for ${sb.dir}/gone.img)`]);
  });

  it('lets read-only disks share an image but not writable ones', () => {
    sb.file('shared.img', new Uint8Array(4096));
    const twoDisks = (ro: boolean) => (s: Sys): void => {
      s.devices[0].disk = { image: 'shared.img', readOnly: ro };
      s.devices.push({ name: 'disk2', kind: 'virtio-blk', owner: 'drv', disk: { image: 'shared.img', readOnly: ro } });
    };
    assert.deepEqual(check(twoDisks(false)), ['devices[2].disk.image: the same image is used by devices[0].disk; share an image only between read-only disks']);
    const s = validSystem();
    twoDisks(true)(s);
    assert.equal(parseSystemConfig(JSON.stringify(s), sb.dir).devices.length, 3);
  });

  it('limits devices to the machine: 8 virtio slots, one UART', () => {
    assert.deepEqual(check((s) => {
      for (let i = 0; i < 7; i++) s.devices.push({ name: `n${i}`, kind: 'virtio-net', owner: 'drv' });
    }), ['devices[8]: no virtio-mmio slot left: the machine has 8']);
    assert.deepEqual(check((s) => {
      s.devices.push({ name: 'u1', kind: 'uart', owner: 'app' }, { name: 'u2', kind: 'uart', owner: 'drv' });
    }), ['devices[3].kind: the machine has one UART, already given as devices[2]']);
  });

  it('checks network peers', () => {
    const withPeers = (a: string, b?: string) => (s: Sys): void => {
      s.devices[1].peer = a;
      s.devices.push({ name: 'nic2', kind: 'virtio-net', owner: 'drv', ...(b ? { peer: b } : {}) });
    };
    assert.deepEqual(check(withPeers('ghost')), ["devices[1].peer: unknown device 'ghost'"]);
    assert.deepEqual(check(withPeers('nic')), ['devices[1].peer: a device cannot be its own peer (use "loopback")']);
    assert.deepEqual(check(withPeers('disk')), ["devices[1].peer: 'disk' is not a virtio-net device"]);
    assert.deepEqual(check(withPeers('nic2')), ["devices[1].peer: 'nic2' must name 'nic' as its peer too"]);
    const s = validSystem();
    withPeers('nic2', 'nic')(s);
    const c = parseSystemConfig(JSON.stringify(s), sb.dir);
    assert.deepEqual(c.devices.map((d) => (d.kind === 'virtio-net' ? d.peer : null)), [null, { kind: 'device', device: 'nic2' }, { kind: 'device', device: 'nic' }]);
    assert.deepEqual(check((s2) => { s2.devices[1].name = 'echo'; s2.connections[1].device = 'echo'; }), ["devices[1].name: 'echo' is reserved for network peers"]);
  });

  it('checks faults and restart policies', () => {
    assert.deepEqual(check((s) => { s.faults = [{ vm: 'ghost', kind: 'trap', atMs: 1 }, { vm: 'app', kind: 'dma', atMs: 2 }]; }), [
      "faults[0].vm: unknown VM 'ghost'",
      "faults[1].kind: 'dma' needs a virtio device owned by 'app'",
    ]);
    assert.deepEqual(check((s) => { s.vms[1].restart = { initialBackoffMs: 50, maxBackoffMs: 10 }; }),
      ['vms[1].restart.initialBackoffMs: is larger than maxBackoffMs (10)']);
  });

  it('reports schema and consistency problems together, without repeating one as the other', () => {
    const out = check((s) => {
      s.vms[0].ramMiB = 0; // schema
      s.vms.push({ name: 'app', image: 'kernel.elf', ramMiB: 1, role: 'client' }); // consistency (duplicate)
      s.devices[0].owner = '9bad'; // schema only: neither "unknown VM" nor "not owned by the backend"
      s.connections[1].frontend = 'drv'; // consistency (role)
    });
    assert.deepEqual(out, [
      'vms[0].ramMiB: must be an integer from 1 to 1024',
      "vms[2].name: duplicate VM name 'app' (also vms[0])",
      "devices[0].owner: must be an identifier: a letter or '_', then letters, digits, '_' or '-' (at most 32 characters)",
      "connections[1].frontend: 'drv' is a driver VM; frontends run in client VMs",
    ]);
  });
});
