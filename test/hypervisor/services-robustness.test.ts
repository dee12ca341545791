/**
 * Seeded random hypercall storms with well-formed and malformed arguments:
 * no service may throw on guest input, every result is an SBI code, and the
 * services' own bookkeeping stays consistent.
 */
import * as assert from 'assert';
import { PVIO_EVTCHN_PORT_WATCH, SBI_ERROR_NAMES } from '../../emulator/hypervisor/abi.generated';
import { EventChannels } from '../../emulator/hypervisor/event-channels';
import { GrantTable } from '../../emulator/hypervisor/grant-table';
import { Registry, type RegistryDump } from '../../emulator/hypervisor/registry';
import { provisionSplitDevice } from '../../emulator/hypervisor/registry-provision';

/** mulberry32: small, seedable, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const WEIRD_NUMBERS = [-1, -0, 0.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53, 0xffffffff, 0x80000000, 1e300];
const WEIRD_VALUES: unknown[] = [undefined, null, '1', {}, [], true];

function num(r: Rng, small: number): number {
  const x = r.next();
  if (x < 0.85) return r.int(small);
  if (x < 0.95) return r.pick(WEIRD_NUMBERS);
  return r.pick(WEIRD_VALUES) as number;
}

const PATH_PARTS = ['vm', '1', '2', '3', 'device', 'backend', 'blk', '0', 'state', 'ring-ref', 'x', '..', '.', '', 'a b', '\0', '\u20ac', 'y'.repeat(300)];
function path(r: Rng): string {
  const x = r.next();
  if (x < 0.05) return r.pick(WEIRD_VALUES) as string;
  const n = 1 + r.int(6);
  const parts = Array.from({ length: n }, () => r.pick(PATH_PARTS));
  return (r.next() < 0.7 ? '/' : '') + parts.join(r.next() < 0.95 ? '/' : '//');
}

function value(r: Rng): string {
  const x = r.next();
  if (x < 0.8) return String(r.int(10));
  if (x < 0.9) return 'v'.repeat(r.int(600));
  if (x < 0.95) return '\u0100';
  return r.pick(WEIRD_VALUES) as string;
}

function isSbiResult(res: unknown): boolean {
  const e = (res as { error?: unknown }).error;
  return typeof e === 'number' && SBI_ERROR_NAMES.has(e);
}

function walkDump(d: RegistryDump, visit: (d: RegistryDump) => void): void {
  visit(d);
  d.children.forEach((c) => walkDump(c, visit));
}

describe('hypervisor services: robustness under random hypercalls', () => {
  const totals: number[] = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 0xc0ffee]) {
    it(`seed ${seed}: never throws, returns SBI codes, keeps invariants`, () => {
      const r = rng(seed);
      const ev = new EventChannels({ notify: () => undefined, maxPorts: 16 });
      const reg = new Registry({ onWatchEvent: (d) => ev.raise(d, PVIO_EVTCHN_PORT_WATCH), limits: { maxNodesPerVm: 40, watchQueueLen: 8, maxWatchesPerVm: 4 } });
      const gt = new GrantTable({ maxRefs: 8, windowSlots: 4 });
      for (const d of [1, 2, 3]) {
        gt.addVm(d);
        ev.addVm(d);
        reg.addVm(d);
      }
      provisionSplitDevice(reg, { kind: 'blk', idx: 0, frontend: 1, backend: 2 });
      const dom = () => num(r, 5); // includes 0 (host) and 4 (unknown)
      // Handles from earlier successful calls, so that later calls also reach their success paths.
      const grants: [number, number, number][] = [];
      const unbound: [number, number, number][] = [];
      const written: [number, string][] = [];
      const recall = <T>(xs: T[]): T | undefined => (xs.length && r.next() < 0.5 ? r.pick(xs) : undefined);
      const remember = <T extends unknown[]>(xs: T[], res: { error: number; value?: unknown }, make: (v: number) => T) => {
        if (res.error === 0) xs.push(make(res.value as number));
        return res;
      };
      const ops: (() => unknown)[] = [
        () => {
          const [granter, grantee] = [dom(), dom()];
          return remember(grants, gt.grantAccess(granter, grantee, num(r, 0x100000), num(r, 2)), (gref) => [granter, grantee, gref]);
        },
        () => gt.endAccess(dom(), num(r, 10)),
        () => {
          const [granter, grantee, gref] = recall(grants) ?? [dom(), dom(), num(r, 10)];
          return gt.map(grantee, granter, gref, num(r, 6), num(r, 2));
        },
        () => gt.unmap(dom(), num(r, 6)),
        () => {
          const [caller, remote] = [dom(), dom()];
          return remember(unbound, ev.allocUnbound(caller, remote), (port) => [caller, remote, port]);
        },
        () => {
          const [owner, binder, port] = recall(unbound) ?? [dom(), dom(), num(r, 18)];
          return ev.bindInterdomain(binder, owner, port);
        },
        () => ev.send(dom(), num(r, 18)),
        () => ev.close(dom(), num(r, 18)),
        () => ev.mask(dom(), num(r, 18)),
        () => ev.unmask(dom(), num(r, 18)),
        () => reg.read(...(recall(written) ?? [dom(), path(r)])),
        () => {
          const [caller, p] = [dom(), path(r)];
          const res = reg.write(caller, p, value(r));
          if (res.error === 0) written.push([caller, p]);
          return res;
        },
        () => reg.mkdir(dom(), path(r)),
        () => reg.remove(...(recall(written) ?? [dom(), path(r)])),
        () => reg.list(...(recall(written) ?? [dom(), path(r)])),
        () => reg.watch(dom(), r.next() < 0.5 ? 'device' : path(r), num(r, 3)),
        () => reg.unwatch(dom(), r.next() < 0.5 ? 'device' : path(r), num(r, 3)),
        () => reg.readWatch(dom(), num(r, 64)),
      ];
      const failures = [() => gt.revokeVm(dom()), () => ev.closeVm(dom()), () => reg.removeVm(dom())];
      const successes = new Array<number>(ops.length).fill(0);
      for (let step = 0; step < 4000; step++) {
        const i = r.int(ops.length);
        const res = r.next() < 0.01 ? r.pick(failures)() : ops[i]();
        assert.ok(isSbiResult(res), `step ${step}: not an SBI result: ${JSON.stringify(res)}`);
        if ((res as { error: number }).error === 0) successes[i]++;
      }
      successes.forEach((n, i) => (totals[i] = (totals[i] ?? 0) + n));

      // Grants: every mapCount equals the mappings that name it.
      for (const d of [1, 2, 3]) {
        for (const g of gt.grantsOf(d)) {
          const maps = [1, 2, 3].flatMap((m) => gt.mappingsOf(m)).filter((m) => m.granter === d && m.gref === g.gref);
          assert.strictEqual(g.mapCount, maps.length);
          assert.ok(maps.every((m) => m.mapper === g.grantee && (!m.writable || !g.readonly)));
        }
      }
      // Event channels: connections are symmetric.
      for (const d of [1, 2, 3]) {
        for (const p of ev.ports(d)) {
          if (p.state !== 'interdomain') continue;
          const peer = ev.ports(p.remoteDomid!).find((q) => q.port === p.remotePort);
          assert.deepStrictEqual([peer?.state, peer?.remoteDomid, peer?.remotePort], ['interdomain', d, p.port]);
        }
      }
      // Registry: quotas match the tree and hold; queues are bounded.
      const counts = new Map<number, number>();
      walkDump(reg.dump()!, (n) => counts.set(n.charge, (counts.get(n.charge) ?? 0) + 1));
      for (const d of [1, 2, 3]) {
        assert.strictEqual(reg.nodeCount(d), counts.get(d) ?? 0);
        assert.ok(reg.nodeCount(d) <= 40);
        assert.ok(reg.queuedEvents(d).length <= 8);
        assert.ok(reg.watchesOf(d).length <= 4);
      }
    });
  }

  it('the storms reached the success path of every call, not only the refusals', () => {
    assert.strictEqual(totals.length, 18);
    assert.ok(totals.every((n) => n >= 20), `successes per call: ${totals.join(' ')}`);
  });
});
