/**
 * Hypercall fuzzing from a hostile VM: a million random hypercalls (random
 * EID, FID and arguments, biased towards the values that reach deep into the
 * handlers) driven into the dispatcher, interleaved with running the machine;
 * then a real hostile guest making random ecalls. The hypervisor never
 * throws, never reports an internal bug, keeps its tables consistent, and the
 * other VM's output is exactly what it is when it runs alone.
 */
import * as assert from 'assert';
import {
  PVIO_GRANT_WINDOW_BASE,
  SBI_ERR_NO_SHMEM,
  SBI_EXT_BASE, SBI_EXT_DBCN, SBI_EXT_HSM, SBI_EXT_IPI, SBI_EXT_PVIO, SBI_EXT_RFENCE, SBI_EXT_SRST, SBI_EXT_TIME,
} from '../../emulator/hypervisor/abi.generated';
import type { Hypervisor } from '../../emulator/hypervisor/hypervisor';
import type { Vm } from '../../emulator/hypervisor/vm';
import { Prng } from '../../emulator/hypervisor/prng';
import type { SystemRuntime } from '../../emulator/system/system-runtime';
import { buildGuest, collectOutput, needCompiler, systemFrom } from './support';

const EIDS = [0x01, 0x02, SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST, SBI_EXT_DBCN, SBI_EXT_PVIO, SBI_EXT_PVIO, SBI_EXT_PVIO];
const PVIO_FIDS = [0x00, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37];

/** Strings the fuzzer plants in a hostile VM's RAM so registry calls get past path parsing. */
const POOL_STRINGS = [
  'a', 'x/y', '/', '/vm', '/vm/2', '/vm/3/data', '/vm/1/device/blk/0/state', '/vm/2/backend/blk/1/0/state',
  'backend/blk/1/0/state', 'backend', 'data/k1', 'data/k2/deeper/still', '..', 'a//b', 'bad path', '/vm/1',
  '4', '6', 'x'.repeat(300), 'state', 'ring-ref',
];
const POOL_OFFSET = 0x300000;

class HostileArgs {
  private readonly pool: { addr: number; len: number }[] = [];
  constructor(private readonly p: Prng) {}

  /** (Re)writes the string pool into the VM's RAM (a restart restores the image without it). */
  plant(vm: Vm): void {
    let at = vm.bus.ramBase + POOL_OFFSET;
    this.pool.length = 0;
    for (const str of POOL_STRINGS) {
      vm.bus.loadBytes(at, Buffer.from(str, 'latin1'));
      this.pool.push({ addr: at, len: str.length });
      at += str.length + 8;
    }
  }

  arg(vm: Vm): number {
    const p = this.p;
    const { ramBase, ramSize } = vm.bus;
    switch (p.below(12)) {
      case 0: return p.u32();
      case 1: return p.below(300);
      case 2: return 1 + p.below(4);
      case 3: return ramBase + p.below(ramSize);
      case 4: return ramBase + ramSize - p.below(64);
      case 5: return (0xffffffff - p.below(8)) >>> 0;
      case 6: return PVIO_GRANT_WINDOW_BASE + p.below(300) * 4096;
      case 7: return (ramBase >>> 12) + p.below(ramSize >>> 12);
      case 8: return ramBase + POOL_OFFSET + 0x1000 + p.below(0x1000);
      case 9: return p.below(2);
      case 10: return p.below(257);
      default: return p.below(64);
    }
  }

  args(vm: Vm, eid: number, fid: number): number[] {
    const a = [0, 1, 2, 3, 4, 5].map(() => this.arg(vm));
    if (eid === SBI_EXT_PVIO && fid >= 0x30 && fid <= 0x36 && this.p.chance(0.7)) {
      const path = this.p.pick(this.pool);
      a[0] = path.addr;
      a[1] = path.len;
      if (fid === 0x31 && this.p.chance(0.7)) {
        const v = this.p.pick(this.pool);
        a[2] = v.addr;
        a[3] = v.len;
      }
      if (fid === 0x35 || fid === 0x36) a[2] = this.p.below(4);
    }
    // Handles that name something half of the time: the other attackers' domids, small grefs, slots and ports.
    if (eid === SBI_EXT_PVIO && fid >= 0x10 && fid <= 0x25 && this.p.chance(0.5)) {
      const p = this.p;
      const other = 1 + p.below(3);
      switch (fid) {
        case 0x10: a[0] = other; a[1] = (vm.bus.ramBase >>> 12) + p.below(vm.bus.ramSize >>> 12); a[2] = p.below(2); break;
        case 0x11: a[0] = 1 + p.below(8); break;
        case 0x12: a[0] = other; a[1] = 1 + p.below(8); a[2] = p.below(8); a[3] = p.below(2); break;
        case 0x13: a[0] = p.below(8); break;
        case 0x20: a[0] = other; break;
        case 0x21: a[0] = other; a[1] = 4 + p.below(8); break;
        default: a[0] = p.below(12);
      }
    }
    return a;
  }
}

/** Every mapping is backed by a grant whose map count matches. */
function checkGrantConsistency(hv: Hypervisor): void {
  for (const vm of hv.vms) {
    for (const g of hv.grants.grantsOf(vm.domid)) {
      let maps = 0;
      for (const other of hv.vms) maps += hv.grants.mappingsOf(other.domid).filter((m) => m.granter === vm.domid && m.gref === g.gref).length;
      assert.strictEqual(maps, g.mapCount, `grant ${vm.domid}:${g.gref}`);
    }
    for (const m of hv.grants.mappingsOf(vm.domid)) {
      assert.ok(hv.grants.grantsOf(m.granter).some((g) => g.gref === m.gref && g.grantee === vm.domid), `mapping ${vm.domid}/${m.slot}`);
      assert.ok(vm.iommu.allows(PVIO_GRANT_WINDOW_BASE + m.slot * 4096, 4096, m.writable ? 'write' : 'read'));
    }
  }
}

function runUntilHalted(rt: SystemRuntime, vm: string, maxMs: number): void {
  for (let ms = rt.nowMs + 5; rt.vm(vm).state !== 'halted' && rt.nowMs < maxMs; ms += 5) rt.runSync({ untilMs: ms });
}

describe('hypervisor: hypercall fuzzing', function () {
  this.timeout(600000);
  let bystander: string;
  let spin: string;
  let hostile: string;
  let baseline: string;
  before(function () {
    needCompiler(this);
    bystander = buildGuest('bystander.c');
    spin = buildGuest('spin.c');
    hostile = buildGuest('hostile.c');
    const rt = systemFrom({ name: 'alone', vms: [{ name: 'bystander', image: bystander, ramMiB: 4, role: 'client' }] });
    const out = collectOutput(rt);
    rt.runSync({ untilMs: 1000 });
    baseline = out.get('bystander') ?? '';
    assert.match(baseline, /VERDICT PASS bystander/);
  });

  it('survives 1,000,000 random hypercalls driven into the dispatcher; the other VM is unaffected', () => {
    const restart = { maxRestarts: 1000000, initialBackoffMs: 0, maxBackoffMs: 0 };
    const rt = systemFrom({
      name: 'fuzz',
      vms: [
        { name: 'bystander', image: bystander, ramMiB: 4, role: 'client' },
        { name: 'hostile', image: spin, ramMiB: 4, vcpus: 2, role: 'driver', restart },
        { name: 'accomplice', image: spin, ramMiB: 4, role: 'client', restart },
      ],
      devices: [{ name: 'disk0', kind: 'virtio-blk', owner: 'hostile', disk: { sizeKiB: 64 } }],
      connections: [{ kind: 'blk', frontend: 'accomplice', backend: 'hostile', device: 'disk0' }],
    });
    const out = collectOutput(rt);
    const hv = rt.hypervisor;
    const attackers = [rt.vm('hostile'), rt.vm('accomplice')];
    const p = new Prng(2024);
    const gen = new HostileArgs(p);
    const results = new Map<string, number>();
    // The pool must be planted again whenever a VM comes back from its snapshot.
    const replanted = new Set(attackers.map((v) => v.name));
    rt.on('vm-state', (e: { vm: string; state: string }) => {
      if (e.state === 'running') replanted.add(e.vm);
    });
    const CALLS = 1_000_000;
    const BATCH = 2000;
    let served = 0;
    for (let done = 0; done < CALLS; done += BATCH) {
      for (let i = 0; i < BATCH; i++) {
        const vm = p.pick(attackers);
        if (vm.state !== 'running') rt.vmControl(vm.name, 'start');
        if (replanted.delete(vm.name)) gen.plant(vm);
        const eid = p.chance(0.1) ? p.u32() : p.pick(EIDS);
        const fid = eid === SBI_EXT_PVIO && p.chance(0.8) ? p.pick(PVIO_FIDS) : p.chance(0.1) ? p.u32() : p.below(8);
        const r = hv.hypercall(vm, vm.vcpus[p.below(vm.vcpus.length)], eid, fid, gen.args(vm, eid, fid));
        assert.ok(r.error <= 0 && r.error >= SBI_ERR_NO_SHMEM, `error code ${r.error}`);
        if (r.error === 0) results.set(r.name, (results.get(r.name) ?? 0) + 1);
        served++;
      }
      hv.run({ instructions: 4000 });
      if (done % 100000 === 0) checkGrantConsistency(hv);
    }
    assert.strictEqual(served, CALLS);
    checkGrantConsistency(hv);
    runUntilHalted(rt, 'bystander', 5000);
    assert.deepStrictEqual(hv.bugs, []);
    assert.strictEqual(out.get('bystander'), baseline);
    // The calls got past argument checking into the services.
    for (const name of ['PVIO_FID_GRANT_ACCESS', 'PVIO_FID_GRANT_MAP', 'PVIO_FID_GRANT_UNMAP', 'PVIO_FID_GRANT_END',
      'PVIO_FID_EVTCHN_BIND_INTERDOMAIN', 'PVIO_FID_EVTCHN_SEND', 'PVIO_FID_REG_WRITE', 'PVIO_FID_REG_READ',
      'PVIO_FID_REG_WATCH', 'PVIO_FID_REG_LIST', 'PVIO_FID_REG_REMOVE', 'SBI_SRST_SYSTEM_RESET', 'SBI_HSM_HART_START']) {
      assert.ok((results.get(name) ?? 0) > 0, `no successful ${name}`);
    }
  });

  it('a hostile guest making random ecalls disturbs neither the hypervisor nor its neighbour', () => {
    const rt = systemFrom({
      name: 'fuzz-guest',
      vms: [
        { name: 'bystander', image: bystander, ramMiB: 4, role: 'client' },
        { name: 'hostile', image: hostile, ramMiB: 4, role: 'client', restart: { maxRestarts: 1000, initialBackoffMs: 0, maxBackoffMs: 0 } },
      ],
    });
    const out = collectOutput(rt);
    runUntilHalted(rt, 'bystander', 5000);
    rt.runSync({ untilMs: rt.nowMs + 500 });
    assert.deepStrictEqual(rt.hypervisor.bugs, []);
    assert.strictEqual(out.get('bystander'), baseline);
    const calls = rt.traceQuery({ kind: 'hypercall', vm: 'hostile' }).length;
    assert.ok(rt.hypervisor.stats.hypercalls > 20000, `${rt.hypervisor.stats.hypercalls} hypercalls (${calls} in the trace buffer)`);
  });
});
