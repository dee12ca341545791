/**
 * The per-VM watchdog (docs/hypervisor.md, "Fault detection"): armed when an
 * event becomes pending for a VM with `watchdogMs`, it checks
 * WATCHDOG_CHECKS_PER_PERIOD times per period while an unmasked event stays
 * pending; if the guest cleared no pending bit for `watchdogMs`, the VM hangs.
 * Nothing is scheduled while nothing is pending, so an idle machine can end.
 *
 * It also guards the boot: a VM with `watchdogMs` that serves split devices
 * must reach InitWait on each within BOOT_DEADLINE_PERIODS watchdog periods of
 * its (re)start, or it hangs (a driver stuck before its handshake has no
 * pending events for the check above to see). The deadline is dropped as soon
 * as the handshake is there, so it does not keep an idle machine alive.
 */
import type { EventChannels } from './event-channels';
import type { EventQueue } from './event-queue';
import { BOOT_DEADLINE_PERIODS, WATCHDOG_CHECKS_PER_PERIOD } from './faults';
import type { QueuedEvent } from './event-queue';
import { msToCycles } from './time';
import type { Vm } from './vm';

interface State {
  armed: boolean;
  /** Since when events have been pending without progress (cycles). */
  since: number;
  /** SharedInfoPage.pendingClears at the last check. */
  clears: number;
}

export class Watchdog {
  private readonly state = new Map<number, State>();
  /** The boot deadline of each VM that has not finished its handshakes yet. */
  private readonly boot = new Map<number, QueuedEvent>();

  constructor(
    private readonly queue: EventQueue,
    private readonly events: EventChannels,
    /** Called when the VM made no progress for its period (a hang). */
    private readonly onHang: (vm: Vm, detail: string) => void,
    /** Called when a check is scheduled earlier than the running slice's end. */
    private readonly onScheduled: (time: number) => void = () => undefined,
  ) {}

  /** An event became pending for `vm`. */
  notify(vm: Vm): void {
    if (vm.spec.watchdogMs === undefined || vm.state !== 'running') return;
    let s = this.state.get(vm.domid);
    if (!s) this.state.set(vm.domid, (s = { armed: false, since: 0, clears: 0 }));
    if (s.armed) return;
    s.armed = true;
    s.since = this.queue.now();
    s.clears = vm.sharedInfo.pendingClears;
    this.schedule(vm);
  }

  /** The VM stopped (its pending checks are cancelled with its other events). */
  disarm(vm: Vm): void {
    const s = this.state.get(vm.domid);
    if (s) s.armed = false;
    this.boot.delete(vm.domid);
  }

  /**
   * `vm` (re)started: arm its boot deadline. `missing` names the handshakes
   * not done yet ('' when none), checked at the deadline and by `handshake`.
   */
  started(vm: Vm, missing: () => string): void {
    if (vm.spec.watchdogMs === undefined || !missing()) return;
    const ms = vm.spec.watchdogMs * BOOT_DEADLINE_PERIODS;
    const e = this.queue.at(this.queue.now() + msToCycles(ms), () => {
      this.boot.delete(vm.domid);
      const left = missing();
      if (vm.state === 'running' && left) this.onHang(vm, `no handshake within ${ms} ms of its start (${left})`);
    }, 'watchdog', vm.domid);
    this.boot.set(vm.domid, e);
    this.onScheduled(e.time);
  }

  /** `vm` wrote a handshake state: drop its boot deadline once nothing is `missing`. */
  handshake(vm: Vm, missing: () => string): void {
    const e = this.boot.get(vm.domid);
    if (!e || missing()) return;
    this.queue.cancel(e);
    this.boot.delete(vm.domid);
  }

  private schedule(vm: Vm): void {
    const period = Math.max(1, Math.floor(msToCycles(vm.spec.watchdogMs!) / WATCHDOG_CHECKS_PER_PERIOD));
    const e = this.queue.at(this.queue.now() + period, () => this.check(vm), 'watchdog', vm.domid);
    this.onScheduled(e.time);
  }

  private check(vm: Vm): void {
    const s = this.state.get(vm.domid)!;
    s.armed = false;
    if (vm.state !== 'running' || !this.events.hasDeliverable(vm.domid)) return;
    const now = this.queue.now();
    if (vm.sharedInfo.pendingClears !== s.clears) {
      s.since = now;
      s.clears = vm.sharedInfo.pendingClears;
    }
    if (now - s.since >= msToCycles(vm.spec.watchdogMs!)) {
      const ports = this.events.ports(vm.domid).filter((p) => p.pending && !p.masked).map((p) => p.port);
      this.onHang(vm, `no progress for ${vm.spec.watchdogMs} ms with events pending on port${ports.length === 1 ? '' : 's'} ${ports.join(', ')}`);
      return;
    }
    s.armed = true;
    this.schedule(vm);
  }
}
