/**
 * The extension's model and timeline data outside VS Code (plain mocha, part of
 * `npm test`): the custom-event contract of docs/extension.md, as the views
 * and the status bar see it.
 */
import * as assert from 'assert';
import { PvlabModel } from '../../extension/model';
import { EVENTS, parseTimelineResponse, parseVmInfo } from '../../extension/protocol';
import { bareMetalView, emptyView, systemView, timelineView } from '../../extension/timelineData';

function clock() {
  let now = 1000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('extension model', () => {
  it('builds the VM list, restart counts and status counts from pvlab.* events', () => {
    const m = new PvlabModel();
    let changes = 0;
    m.onDidChange(() => changes++);
    m.start('s1', 'demo', 'system', '/w/system.json');
    assert.ok(m.applyEvent('s1', EVENTS.vmState, { name: 'client', state: 'running', restarts: 0, domid: 1, role: 'client', timeMs: 1 }));
    assert.ok(m.applyEvent('s1', EVENTS.vmState, { name: 'blkdrv', state: 'running', restarts: 0, domid: 2, role: 'driver', devices: ['disk0'], timeMs: 2 }));
    assert.ok(m.applyEvent('s1', EVENTS.fault, { timeMs: 10, vm: 'blkdrv', kind: 'trap', message: 'illegal instruction', injected: true }));
    assert.ok(m.applyEvent('s1', EVENTS.vmState, { name: 'blkdrv', state: 'restarting', restarts: 0, timeMs: 10 }));
    const s = m.current();
    assert.ok(s);
    assert.deepStrictEqual(s.vmCounts(), { total: 2, up: 1, restarting: ['blkdrv'], down: [] });
    assert.ok(m.applyEvent('s1', EVENTS.restart, { timeMs: 12, vm: 'blkdrv', restarts: 1, delayMs: 0 }));
    assert.ok(m.applyEvent('s1', EVENTS.vmState, { name: 'blkdrv', state: 'running', restarts: 1, timeMs: 12 }));
    assert.deepStrictEqual(s.vmList().map((v) => [v.name, v.state, v.restarts]), [['client', 'running', 0], ['blkdrv', 'running', 1]]);
    // fields an event leaves out are kept from earlier events
    assert.deepStrictEqual(s.vms.get('blkdrv')?.devices, ['disk0']);
    assert.deepStrictEqual(s.vmSegments.get('blkdrv')?.map((g) => [g.startMs, g.endMs, g.state]), [[2, 10, 'running'], [10, 12, 'restarting'], [12, undefined, 'running']]);
    assert.strictEqual(s.nowMs, 12);
    assert.ok(changes >= 7);
  });

  it('drops malformed and unknown events without changing anything', () => {
    const m = new PvlabModel();
    m.start('s', 'x', 'system', 'x.json');
    assert.ok(!m.applyEvent('s', EVENTS.vmState, { name: 'a', state: 'exploded' }));
    assert.ok(!m.applyEvent('s', EVENTS.vmState, null));
    assert.ok(!m.applyEvent('s', EVENTS.fault, { vm: 'a' }));
    assert.ok(!m.applyEvent('s', EVENTS.restart, { vm: 'a' }));
    assert.ok(!m.applyEvent('s', 'pvlab.somethingElse', {}));
    assert.ok(!m.applyEvent('nosuchsession', EVENTS.vmState, { name: 'a', state: 'running' }));
    assert.strictEqual(m.current()?.sawPvlabEvents, false);
    assert.strictEqual(parseVmInfo({ name: '', state: 'running' }), undefined);
  });

  it('keeps a bounded hypercall log and counts what it dropped', () => {
    const m = new PvlabModel();
    m.start('s', 'x', 'system', 'x.json');
    const calls = Array.from({ length: 6000 }, (_, i) => ({ timeMs: i, vm: i % 2 ? 'a' : 'b', eid: 0x10, fid: i, name: 'BASE.probe', args: [1, 2] }));
    assert.ok(m.applyEvent('s', EVENTS.hypercalls, { calls: [...calls, { bogus: true }], dropped: 7 }));
    const s = m.current();
    assert.strictEqual(s?.hypercalls.length, 5000);
    assert.strictEqual(s?.hypercalls[0].fid, 1000);
    assert.strictEqual(s?.droppedHypercalls, 1007);
  });

  it('follows a bare-metal hart through DAP traffic and ends sessions', () => {
    const c = clock();
    const m = new PvlabModel(c.now);
    m.start('b', 'hello', 'bareMetal', '/w/hello.elf');
    m.hartStopped('b', 'entry');
    m.hartLocation('b', '_start (start.S:9)');
    c.advance(500);
    m.hartRunning('b');
    c.advance(1500);
    m.hartStopped('b', 'breakpoint', 'Paused on breakpoint');
    m.instructionSample('b', 123456);
    const s = m.current();
    assert.strictEqual(s?.hart.state, 'stopped');
    assert.strictEqual(s?.hart.reason, 'Paused on breakpoint');
    assert.deepStrictEqual(s?.runSegments, [
      { start: 0, end: 500, state: 'stopped' },
      { start: 500, end: 2000, state: 'running' },
      { start: 2000, state: 'stopped' },
    ]);
    const v = bareMetalView(s, undefined, c.now());
    assert.strictEqual(v.lanes[0].segments.length, 3);
    assert.strictEqual(v.marks.length, 2);
    assert.deepStrictEqual(v.line?.points, [[2, 123456]]);
    m.hartExited('b', 0);
    m.end('b');
    assert.strictEqual(m.current(), undefined);
    assert.strictEqual(m.latest()?.id, 'b');
    assert.strictEqual(m.latest()?.hart.exitCode, 0);
  });

  it('prefers the focused live session and falls back to the newest', () => {
    const m = new PvlabModel();
    m.start('a', 'a', 'bareMetal', 'a.elf');
    m.start('b', 'b', 'bareMetal', 'b.elf');
    assert.strictEqual(m.current()?.id, 'b');
    m.focus('a');
    assert.strictEqual(m.current()?.id, 'a');
    m.end('a');
    assert.strictEqual(m.current()?.id, 'b');
  });
});

describe('timeline data', () => {
  it('says why it is empty', () => {
    assert.match(emptyView().empty ?? '', /No pvlab session/);
    const m = new PvlabModel();
    const s = m.start('s', 'sys', 'system', 'sys.json');
    assert.match(systemView(s, undefined).empty ?? '', /Waiting for the debug adapter/);
  });

  it('uses the adapter pvlab.timeline answer: lanes, fault and restart marks, throughput line', () => {
    const m = new PvlabModel();
    const s = m.start('s', 'sys', 'system', 'sys.json');
    m.applyEvent('s', EVENTS.vmState, { name: 'blkdrv', state: 'running', restarts: 0, role: 'driver', timeMs: 0 });
    const r = parseTimelineResponse({
      nowMs: 100,
      vms: [{ name: 'blkdrv', segments: [{ startMs: 0, endMs: 40, state: 'running' }, { startMs: 40, endMs: 45, state: 'restarting' }, { startMs: 45, state: 'running' }, { startMs: 'x', state: 'running' }] }],
      faults: [{ timeMs: 40, vm: 'blkdrv', kind: 'trap' }],
      restarts: [{ timeMs: 45, vm: 'blkdrv', restarts: 1 }],
      throughput: { label: 'client I/O', unit: 'KiB/s', points: [[0, 0], [50, 800], ['bad', 1]] },
    });
    assert.ok(r);
    const v = timelineView(s, r, 0);
    assert.strictEqual(v.empty, undefined);
    assert.deepStrictEqual(v.lanes, [{ name: 'blkdrv', role: 'driver', segments: [{ start: 0, end: 40, state: 'running' }, { start: 40, end: 45, state: 'restarting' }, { start: 45, end: 100, state: 'running' }] }]);
    assert.deepStrictEqual(v.marks.map((x) => [x.kind, x.x]), [['fault', 40], ['restart', 45]]);
    assert.deepStrictEqual(v.line?.points, [[0, 0], [50, 800]]);
    assert.strictEqual(v.end, 100);
  });

  it('shows a bare-metal adapter answer as the machine lane plus instructions retired', () => {
    const m = new PvlabModel();
    const s = m.start('b', 'hello', 'bareMetal', '/w/hello.elf');
    const r = parseTimelineResponse({ nowMs: 2, vms: [{ name: 'virt', segments: [{ startMs: 0, state: 'running' }] }], faults: [], restarts: [], instructions: { points: [[0, 0], [2, 200000]] } });
    const v = timelineView(s, r, 0);
    assert.strictEqual(v.lanes[0].name, 'virt');
    assert.strictEqual(v.line?.label, 'instructions retired');
    assert.match(v.subtitle, /bare metal/);
  });
});
