import * as assert from 'assert';
import {
  PVIO_REG_MAX_NODES_PER_VM,
  PVIO_REG_MAX_PATH,
  PVIO_REG_MAX_VALUE,
  PVIO_REG_MAX_WATCHES_PER_VM,
  PVIO_REG_WATCH_QUEUE_LEN,
  PVIO_REG_WATCH_TOKEN_OVERFLOW,
  PVIO_STATE_CLOSED,
  PVIO_STATE_CONNECTED,
  PVIO_STATE_UNKNOWN,
  SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_DENIED,
  SBI_ERR_FAILED,
  SBI_ERR_INVALID_PARAM,
  SBI_SUCCESS,
} from '../../emulator/hypervisor/abi.generated';
import { Registry, type RegistryChange } from '../../emulator/hypervisor/registry';
import {
  encodeList,
  encodeWatchEvent,
  isAtOrBelow,
  isSplitDeviceDir,
  parseState,
  registryBytes,
  registryString,
  resolvePath,
} from '../../emulator/hypervisor/registry-paths';

const HOST = 0;
const A = 1;
const B = 2;

function val<T>(r: { error: number; value?: T }): T {
  assert.strictEqual(r.error, SBI_SUCCESS);
  return r.value as T;
}

function setup(limits = {}) {
  const woken: number[] = [];
  const changes: RegistryChange[] = [];
  const reg = new Registry({ limits, onWatchEvent: (d) => woken.push(d), onChange: (c) => changes.push(c) });
  val(reg.addVm(A));
  val(reg.addVm(B));
  return { reg, woken, changes };
}

/** Reads and decodes every queued watch event of a VM. */
function drain(reg: Registry, domid: number): [number, string][] {
  const out: [number, string][] = [];
  for (;;) {
    const r = val(reg.readWatch(domid, 4096));
    if (r.length === 0) return out;
    const rec = r.record!;
    out.push([new DataView(rec.buffer, rec.byteOffset).getUint32(0, true), registryString(rec.subarray(4, rec.length - 1))]);
  }
}

describe('hypervisor: registry paths', () => {
  it('resolves relative paths below the caller, and only for VMs', () => {
    assert.strictEqual(resolvePath(3, 'device/blk/0/state'), '/vm/3/device/blk/0/state');
    assert.strictEqual(resolvePath(3, '/vm/1'), '/vm/1');
    assert.strictEqual(resolvePath(HOST, 'device'), undefined);
    assert.strictEqual(resolvePath(HOST, '/'), '/');
  });

  it('rejects malformed paths', () => {
    for (const bad of ['', '//', '/a/', '/a//b', '/a/./b', '/a/../b', '/a b', '/a\0', '/ä', 'x/', `/${'a'.repeat(PVIO_REG_MAX_PATH)}`]) {
      assert.strictEqual(resolvePath(1, bad), undefined, JSON.stringify(bad));
    }
    assert.strictEqual(resolvePath(1, 42 as unknown as string), undefined);
    assert.strictEqual(resolvePath(1, `/${'a'.repeat(PVIO_REG_MAX_PATH - 1)}`)?.length, PVIO_REG_MAX_PATH);
    // A relative path that only becomes too long once made absolute.
    assert.strictEqual(resolvePath(1, 'a'.repeat(PVIO_REG_MAX_PATH - 3)), undefined);
  });

  it('knows the split-device layout and prefixes', () => {
    assert.ok(isSplitDeviceDir('/vm/2/device/blk/0', 2));
    assert.ok(isSplitDeviceDir('/vm/3/backend/blk/2/0', 3));
    assert.ok(!isSplitDeviceDir('/vm/3/backend/blk/2/0', 2));
    assert.ok(!isSplitDeviceDir('/vm/2/device/blk', 2));
    assert.ok(!isSplitDeviceDir('/vm/2/device/blk/0/state', 2));
    assert.ok(isAtOrBelow('/a/b', '/a') && isAtOrBelow('/a', '/a') && isAtOrBelow('/x', '/'));
    assert.ok(!isAtOrBelow('/ab', '/a'));
  });

  it('encodes what the hypervisor copies to guest memory', () => {
    assert.deepStrictEqual([...encodeList(['a', 'bc'])], [0x61, 0, 0x62, 0x63, 0]);
    assert.deepStrictEqual([...encodeWatchEvent(0x01020304, '/x')], [4, 3, 2, 1, 0x2f, 0x78, 0]);
    assert.deepStrictEqual([...registryBytes('\xff\x00')], [0xff, 0]);
    assert.strictEqual(registryString(Uint8Array.from([0xe9, 0x41])), '\xe9A');
    assert.strictEqual(parseState(String(PVIO_STATE_CONNECTED)), PVIO_STATE_CONNECTED);
    for (const bad of [undefined, '', '7', '04', ' 4', 'x']) assert.strictEqual(parseState(bad), PVIO_STATE_UNKNOWN);
  });
});

describe('hypervisor: Registry', () => {
  it('gives each VM its own directory', () => {
    const { reg } = setup();
    assert.deepStrictEqual(val(reg.list(HOST, '/vm')), ['1', '2']);
    assert.deepStrictEqual(val(reg.list(A, '/vm')), ['1', '2'], 'everyone may list /vm');
    assert.strictEqual(reg.dump('/vm/1')?.perms.owner, A);
    assert.strictEqual(reg.addVm(A).error, SBI_ERR_ALREADY_AVAILABLE);
    assert.strictEqual(reg.addVm(0).error, SBI_ERR_INVALID_PARAM);
  });

  it('writes, reads, lists and removes in the caller\'s own subtree', () => {
    const { reg, changes } = setup();
    val(reg.write(A, 'device/blk/0/ring-ref', '8'));
    assert.strictEqual(val(reg.read(A, '/vm/1/device/blk/0/ring-ref')), '8');
    assert.strictEqual(val(reg.read(A, 'device/blk')), '', 'intermediate nodes are empty');
    val(reg.write(A, 'device/blk/0/event-channel', '4'));
    assert.deepStrictEqual(val(reg.list(A, 'device/blk/0')), ['event-channel', 'ring-ref']);
    val(reg.remove(A, 'device/blk'));
    assert.strictEqual(reg.read(A, 'device/blk/0/ring-ref').error, SBI_ERR_INVALID_PARAM);
    assert.deepStrictEqual(val(reg.list(A, '/vm/1')), ['device']);
    assert.strictEqual(reg.nodeCount(A), 1, 'removal refunds the quota of the whole subtree');
    assert.deepStrictEqual(changes.slice(-3).map((c) => [c.kind, c.path, c.by]), [
      ['write', '/vm/1/device/blk/0/ring-ref', A],
      ['write', '/vm/1/device/blk/0/event-channel', A],
      ['remove', '/vm/1/device/blk', A],
    ]);
  });

  it('keeps values as byte strings and bounds their length', () => {
    const { reg } = setup();
    val(reg.write(A, 'bin', '\0\xff'));
    assert.strictEqual(val(reg.read(A, 'bin')), '\0\xff');
    val(reg.write(A, 'big', 'v'.repeat(PVIO_REG_MAX_VALUE)));
    assert.strictEqual(reg.write(A, 'big', 'v'.repeat(PVIO_REG_MAX_VALUE + 1)).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(reg.write(A, 'wide', '\u0100').error, SBI_ERR_INVALID_PARAM, 'not a byte');
    assert.strictEqual(val(reg.read(A, 'big')).length, PVIO_REG_MAX_VALUE, 'the refused write changed nothing');
  });

  it('mkdir creates an empty node once', () => {
    const { reg, changes } = setup();
    val(reg.mkdir(A, 'd/e'));
    val(reg.write(A, 'd/e', 'x'));
    const n = changes.length;
    val(reg.mkdir(A, 'd/e'));
    assert.strictEqual(val(reg.read(A, 'd/e')), 'x', 'existing node untouched');
    assert.strictEqual(changes.length, n, 'no change event');
  });

  it('keeps VMs out of each other\'s subtrees', () => {
    const { reg } = setup();
    val(reg.write(A, 'secret', 's'));
    assert.strictEqual(reg.read(B, '/vm/1/secret').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.list(B, '/vm/1').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.write(B, '/vm/1/secret', 'x').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.write(B, '/vm/1/new', 'x').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.mkdir(B, '/vm/1/new/deeper').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.remove(B, '/vm/1/secret').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.write(B, '/elsewhere', 'x').error, SBI_ERR_DENIED, 'the root belongs to the host');
    assert.strictEqual(val(reg.read(HOST, '/vm/1/secret')), 's', 'the host reads everything');
    val(reg.write(HOST, '/vm/1/secret', 'h'));
    assert.strictEqual(val(reg.read(A, 'secret')), 'h');
  });

  it('protects /, /vm and /vm/<domid> from removal by VMs', () => {
    const { reg } = setup();
    assert.strictEqual(reg.remove(A, '/vm/1').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.remove(A, '/vm').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.remove(A, '/').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.remove(HOST, '/').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.remove(A, 'missing').error, SBI_ERR_INVALID_PARAM);
  });

  it('shares nodes explicitly: readers read, writers write and create below', () => {
    const { reg } = setup();
    val(reg.write(A, 'shared/ro', '1'));
    val(reg.write(A, 'shared/rw', '2'));
    val(reg.setPerms('/vm/1/shared', { owner: A, others: 'none', readers: [B], writers: [] }));
    val(reg.setPerms('/vm/1/shared/ro', { owner: A, others: 'none', readers: [B], writers: [] }));
    val(reg.setPerms('/vm/1/shared/rw', { owner: A, others: 'none', readers: [], writers: [B] }));
    assert.deepStrictEqual(val(reg.list(B, '/vm/1/shared')), ['ro', 'rw']);
    assert.strictEqual(val(reg.read(B, '/vm/1/shared/ro')), '1');
    assert.strictEqual(reg.write(B, '/vm/1/shared/ro', 'x').error, SBI_ERR_DENIED);
    val(reg.write(B, '/vm/1/shared/rw', 'y'));
    val(reg.write(B, '/vm/1/shared/rw/child', 'c'));
    const child = reg.dump('/vm/1/shared/rw/child')!;
    assert.deepStrictEqual([child.perms.owner, child.perms.writers, child.charge], [A, [B], B], 'perms copied from the parent, charged to the creator');
    assert.strictEqual(reg.nodeCount(B), 1);
    assert.strictEqual(reg.setPerms('/vm/1/nope', { owner: A, others: 'none', readers: [], writers: [] }).error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(reg.setPerms('/vm/1', { owner: -1, others: 'none', readers: [], writers: [] }).error, SBI_ERR_INVALID_PARAM);
  });

  it('refuses unknown callers and malformed paths', () => {
    const { reg } = setup();
    assert.strictEqual(reg.read(7, '/vm').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.write(7, '/vm/7/x', '1').error, SBI_ERR_DENIED);
    assert.strictEqual(reg.watch(HOST, '/vm', 1).error, SBI_ERR_DENIED, 'the host uses onChange, not watches');
    assert.strictEqual(reg.readWatch(7, 100).error, SBI_ERR_DENIED);
    assert.strictEqual(reg.read(A, '/vm//1').error, SBI_ERR_INVALID_PARAM);
    assert.strictEqual(reg.write(A, '../x', '1').error, SBI_ERR_INVALID_PARAM);
  });

  it('bounds the nodes a VM may create, checking before it changes anything', () => {
    const { reg } = setup();
    for (let i = 0; i < PVIO_REG_MAX_NODES_PER_VM - 1; i++) val(reg.write(A, `n${i}`, ''));
    assert.strictEqual(reg.write(A, 'x/y', '').error, SBI_ERR_FAILED, 'two nodes needed, one left');
    assert.strictEqual(reg.read(A, 'x').error, SBI_ERR_INVALID_PARAM, 'no partial creation');
    val(reg.write(A, 'last', ''));
    assert.strictEqual(reg.mkdir(A, 'more').error, SBI_ERR_FAILED);
    val(reg.write(A, 'n0', 'overwrite is free'));
    assert.strictEqual(reg.nodeCount(A), PVIO_REG_MAX_NODES_PER_VM);
    val(reg.write(B, 'b', 'B has its own quota'));
    val(reg.remove(A, 'n1'));
    val(reg.write(A, 'again', ''));
  });

  describe('watches', () => {
    it('fire once on registration, then on each change at or below the path', () => {
      const { reg, woken } = setup();
      val(reg.watch(A, 'device', 7));
      assert.deepStrictEqual(drain(reg, A), [[7, '/vm/1/device']]);
      assert.deepStrictEqual(woken, [A]);
      val(reg.write(A, 'device/blk/0/state', '1'));
      val(reg.write(A, 'devices', 'not below'));
      val(reg.write(HOST, '/vm/1/device', 'the node itself'));
      val(reg.remove(A, 'device/blk'));
      assert.deepStrictEqual(drain(reg, A), [
        [7, '/vm/1/device/blk/0/state'],
        [7, '/vm/1/device'],
        [7, '/vm/1/device/blk'],
      ]);
    });

    it('fire for watches below a removed node, with the watched path', () => {
      const { reg } = setup();
      val(reg.write(A, 'd/e/f', '1'));
      val(reg.watch(A, 'd/e/f', 1));
      val(reg.watch(A, 'd/e/g', 2)); // does not exist: fires anyway, like XenStore
      drain(reg, A);
      val(reg.remove(A, 'd'));
      assert.deepStrictEqual(drain(reg, A), [[1, '/vm/1/d/e/f'], [2, '/vm/1/d/e/g']]);
    });

    it('fire only for nodes the watcher may read', () => {
      const { reg } = setup();
      val(reg.write(A, 'pub/x', '0'));
      val(reg.write(A, 'priv/x', '0'));
      val(reg.setPerms('/vm/1/pub/x', { owner: A, others: 'none', readers: [B], writers: [] }));
      val(reg.watch(B, '/vm/1', 3));
      drain(reg, B);
      val(reg.write(A, 'priv/x', '1'));
      val(reg.write(A, 'pub/x', '1'));
      assert.deepStrictEqual(drain(reg, B), [[3, '/vm/1/pub/x']]);
    });

    it('are unique per (path, token) and bounded per VM', () => {
      const { reg } = setup();
      val(reg.watch(A, 'p', 1));
      assert.strictEqual(reg.watch(A, '/vm/1/p', 1).error, SBI_ERR_ALREADY_AVAILABLE, 'same watch, absolute spelling');
      val(reg.watch(A, 'p', 2));
      for (let i = 2; i < PVIO_REG_MAX_WATCHES_PER_VM; i++) val(reg.watch(A, `q${i}`, i));
      assert.strictEqual(reg.watch(A, 'r', 0).error, SBI_ERR_FAILED);
      val(reg.watch(B, 'r', 0));
      assert.strictEqual(reg.watchesOf(A).length, PVIO_REG_MAX_WATCHES_PER_VM);
      assert.strictEqual(reg.watch(A, 'bad//path', 5).error, SBI_ERR_INVALID_PARAM);
      assert.strictEqual(reg.watch(B, 's', -1).error, SBI_ERR_INVALID_PARAM);
      assert.strictEqual(reg.watch(B, 's', 2 ** 32).error, SBI_ERR_INVALID_PARAM);
    });

    it('unwatch stops events and drops the unread ones of that watch only', () => {
      const { reg } = setup();
      val(reg.watch(A, 'x', 1));
      val(reg.watch(A, 'x', 2));
      val(reg.unwatch(A, '/vm/1/x', 1));
      val(reg.write(A, 'x', 'v'));
      assert.deepStrictEqual(drain(reg, A), [[2, '/vm/1/x'], [2, '/vm/1/x']]);
      assert.strictEqual(reg.unwatch(A, 'x', 1).error, SBI_ERR_INVALID_PARAM);
      assert.strictEqual(reg.unwatch(B, 'x', 2).error, SBI_ERR_INVALID_PARAM, 'not B\'s watch');
    });

    it('read_watch copies only into a buffer that fits, and dequeues only then', () => {
      const { reg } = setup();
      val(reg.watch(A, 'abc', 0x11223344));
      const need = 4 + '/vm/1/abc'.length + 1;
      assert.deepStrictEqual(val(reg.readWatch(A, need - 1)), { length: need });
      const r = val(reg.readWatch(A, need));
      assert.deepStrictEqual([...r.record!], [...encodeWatchEvent(0x11223344, '/vm/1/abc')]);
      assert.deepStrictEqual(val(reg.readWatch(A, need)), { length: 0 });
      assert.strictEqual(reg.readWatch(A, -1).error, SBI_ERR_INVALID_PARAM);
    });

    it('a full queue ends with one overflow event and drops the rest until drained', () => {
      const { reg, woken } = setup();
      val(reg.watch(A, 'f', 9)); // 1 event
      for (let i = 0; i < PVIO_REG_WATCH_QUEUE_LEN + 10; i++) val(reg.write(A, 'f', String(i)));
      const q = reg.queuedEvents(A);
      assert.strictEqual(q.length, PVIO_REG_WATCH_QUEUE_LEN);
      assert.deepStrictEqual(q[q.length - 1], { token: PVIO_REG_WATCH_TOKEN_OVERFLOW, path: '' });
      assert.strictEqual(woken.length, PVIO_REG_WATCH_QUEUE_LEN, 'no wake-ups for dropped events');
      val(reg.readWatch(A, 100));
      val(reg.write(A, 'f', 'more'));
      assert.strictEqual(reg.queuedEvents(A).length, PVIO_REG_WATCH_QUEUE_LEN - 1, 'dropped while the overflow event is unread');
      const events = drain(reg, A);
      assert.deepStrictEqual(events[events.length - 1], [PVIO_REG_WATCH_TOKEN_OVERFLOW, '']);
      val(reg.write(A, 'f', 'after'));
      assert.deepStrictEqual(drain(reg, A), [[9, '/vm/1/f']]);
    });

    it('honours smaller limits from the options', () => {
      const { reg } = setup({ watchQueueLen: 2, maxValue: 3 });
      val(reg.watch(A, 'w', 1));
      val(reg.write(A, 'w', 'abc'));
      assert.strictEqual(reg.write(A, 'w', 'abcd').error, SBI_ERR_INVALID_PARAM);
      assert.deepStrictEqual(drain(reg, A), [[1, '/vm/1/w'], [PVIO_REG_WATCH_TOKEN_OVERFLOW, '']]);
    });
  });

  describe('removeVm (VM failure)', () => {
    it('drops the VM\'s watches, queue and every node it created, anywhere', () => {
      const { reg } = setup();
      val(reg.write(B, 'shared', ''));
      val(reg.setPerms('/vm/2/shared', { owner: B, others: 'none', readers: [], writers: [A] }));
      val(reg.write(A, 'mine/x', '1'));
      val(reg.write(A, '/vm/2/shared/from-a', '1'));
      val(reg.write(HOST, '/vm/1/host-made', 'h'));
      val(reg.watch(A, '/vm/2', 1));
      val(reg.watch(B, '/vm/2/shared', 2));
      drain(reg, B);
      const report = val(reg.removeVm(A));
      assert.deepStrictEqual(report, { closed: [], removed: ['/vm/1/mine', '/vm/2/shared/from-a'] });
      assert.deepStrictEqual(val(reg.list(HOST, '/vm/1')), ['host-made']);
      assert.strictEqual(reg.nodeCount(A), 0);
      assert.deepStrictEqual(reg.watchesOf(A), []);
      assert.deepStrictEqual(reg.queuedEvents(A), []);
      assert.deepStrictEqual(drain(reg, B), [[2, '/vm/2/shared/from-a']], 'peers see the removal');
      val(reg.write(A, 'mine/x', 'restarted VM writes again'));
      assert.strictEqual(reg.removeVm(9).error, SBI_ERR_INVALID_PARAM);
    });

    it('destroyVm also removes the VM\'s directory and registration', () => {
      const { reg } = setup();
      val(reg.write(HOST, '/vm/1/host-made', 'h'));
      val(reg.destroyVm(A));
      assert.deepStrictEqual(val(reg.list(HOST, '/vm')), ['2']);
      assert.strictEqual(reg.hasVm(A), false);
      assert.strictEqual(reg.write(A, 'x', '1').error, SBI_ERR_DENIED);
      val(reg.addVm(A));
    });

    it('sets Closed in the VM\'s provisioned device dirs (see registry-provision tests)', () => {
      const { reg } = setup();
      val(reg.mkdir(HOST, '/vm/1/device/blk/0'));
      val(reg.write(A, 'device/blk/0/state', '4'));
      val(reg.mkdir(A, 'device/blk/1')); // created by the VM itself: not provisioned, removed
      const report = val(reg.removeVm(A));
      assert.deepStrictEqual(report, { closed: ['/vm/1/device/blk/0/state'], removed: ['/vm/1/device/blk/1'] });
      assert.strictEqual(val(reg.read(HOST, '/vm/1/device/blk/0/state')), String(PVIO_STATE_CLOSED));
      assert.strictEqual(reg.dump('/vm/1/device/blk/0/state')?.charge, HOST, 'kept: now charged to the host');
      assert.strictEqual(reg.nodeCount(A), 0);
    });
  });

  it('dumps a subtree for the debugger', () => {
    const { reg } = setup();
    val(reg.write(A, 'b', '2'));
    val(reg.write(A, 'a/c', '3'));
    const d = reg.dump('/vm/1')!;
    assert.deepStrictEqual(d.children.map((c) => [c.path, c.value, c.charge]), [['/vm/1/a', '', A], ['/vm/1/b', '2', A]]);
    assert.deepStrictEqual(d.children[0].children.map((c) => c.path), ['/vm/1/a/c']);
    assert.strictEqual(reg.dump('/nope'), undefined);
    assert.strictEqual(reg.dump('not absolute'), undefined);
    assert.strictEqual(reg.dump()?.path, '/');
  });
});
