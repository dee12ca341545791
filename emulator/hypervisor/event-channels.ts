/**
 * Event channels: per-VM port tables, connections between ports of two VMs,
 * and the pending/mask bitmaps that the shared-info page shows the guest.
 * Rules and error codes: docs/abi.md, "Event channels".
 *
 * The bitmaps are plain Uint32Arrays. The hypervisor may pass views into the
 * shared-info page's buffer to addVm, so guest and service share one copy: the
 * guest clears pending bits in place and unmask() sees it.
 */
import {
  PVIO_EVTCHN_FIRST_DYNAMIC,
  PVIO_EVTCHN_MAX_PORTS,
  SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_DENIED,
  SBI_ERR_FAILED,
  SBI_ERR_INVALID_PARAM,
} from './abi.generated';
import { isVmDomid } from './domid';
import { fail, isU32, ok, type SbiResult } from './sbi-errors';

export type PortState = 'free' | 'reserved' | 'unbound' | 'interdomain';

export interface PortInfo {
  readonly port: number;
  readonly state: PortState;
  /** unbound: who may bind; interdomain: the peer VM. */
  readonly remoteDomid?: number;
  /** interdomain: the peer's port. */
  readonly remotePort?: number;
  readonly pending: boolean;
  readonly masked: boolean;
}

export interface PortRef {
  readonly domid: number;
  readonly port: number;
}

export interface PortBitmaps {
  readonly pending: Uint32Array;
  readonly mask: Uint32Array;
}

export interface EventChannelsOptions {
  /** Called when a VM must be interrupted (set SSIP on its vCPU 0). */
  readonly notify: (domid: number) => void;
  readonly maxPorts?: number;
  readonly firstDynamic?: number;
}

const FREE = 0;
const RESERVED = 1;
const UNBOUND = 2;
const INTERDOMAIN = 3;
const STATE_NAMES: readonly PortState[] = ['free', 'reserved', 'unbound', 'interdomain'];

interface VmPorts {
  readonly state: Uint8Array;
  readonly remoteDomid: Int32Array;
  readonly remotePort: Int32Array;
  readonly bitmaps: PortBitmaps;
}

export class EventChannels {
  private readonly vms = new Map<number, VmPorts>();
  private readonly notify: (domid: number) => void;
  readonly maxPorts: number;
  readonly firstDynamic: number;

  constructor(options: EventChannelsOptions) {
    this.notify = options.notify;
    this.maxPorts = options.maxPorts ?? PVIO_EVTCHN_MAX_PORTS;
    this.firstDynamic = options.firstDynamic ?? PVIO_EVTCHN_FIRST_DYNAMIC;
  }

  /** Registers a VM; `bitmaps` (at least maxPorts bits each) default to fresh arrays. */
  addVm(domid: number, bitmaps?: PortBitmaps): SbiResult {
    if (!isVmDomid(domid)) return fail(SBI_ERR_INVALID_PARAM);
    if (this.vms.has(domid)) return fail(SBI_ERR_ALREADY_AVAILABLE);
    const words = Math.ceil(this.maxPorts / 32);
    if (bitmaps && (bitmaps.pending.length < words || bitmaps.mask.length < words)) return fail(SBI_ERR_INVALID_PARAM);
    const vm: VmPorts = {
      state: new Uint8Array(this.maxPorts),
      remoteDomid: new Int32Array(this.maxPorts).fill(-1),
      remotePort: new Int32Array(this.maxPorts).fill(-1),
      bitmaps: bitmaps ?? { pending: new Uint32Array(words), mask: new Uint32Array(words) },
    };
    vm.state.fill(RESERVED, 0, this.firstDynamic);
    vm.bitmaps.pending.fill(0);
    vm.bitmaps.mask.fill(0);
    this.vms.set(domid, vm);
    return ok(0);
  }

  hasVm(domid: number): boolean {
    return this.vms.has(domid);
  }

  /** ALLOC_UNBOUND: a new port of `caller` that `remoteDomid` may bind to. */
  allocUnbound(caller: number, remoteDomid: number): SbiResult {
    const vm = this.vms.get(caller);
    if (!vm || !this.vms.has(remoteDomid)) return fail(SBI_ERR_INVALID_PARAM);
    const port = this.allocate(vm);
    if (port < 0) return fail(SBI_ERR_FAILED);
    vm.state[port] = UNBOUND;
    vm.remoteDomid[port] = remoteDomid;
    return ok(port);
  }

  /** BIND_INTERDOMAIN: connects a new port of `caller` to `remotePort`, which must be unbound for the caller. */
  bindInterdomain(caller: number, remoteDomid: number, remotePort: number): SbiResult {
    const vm = this.vms.get(caller);
    const remote = this.vms.get(remoteDomid);
    if (!vm || !remote || !this.inRange(remotePort)) return fail(SBI_ERR_INVALID_PARAM);
    if (remote.state[remotePort] !== UNBOUND || remote.remoteDomid[remotePort] !== caller) return fail(SBI_ERR_DENIED);
    const port = this.allocate(vm);
    if (port < 0) return fail(SBI_ERR_FAILED);
    vm.state[port] = INTERDOMAIN;
    vm.remoteDomid[port] = remoteDomid;
    vm.remotePort[port] = remotePort;
    remote.state[remotePort] = INTERDOMAIN;
    remote.remotePort[remotePort] = port;
    return ok(port);
  }

  /** SEND: marks the peer port pending. Value 1 if delivered, 0 if the port is unbound (dropped). */
  send(caller: number, port: number): SbiResult {
    const vm = this.vms.get(caller);
    if (!vm || !this.inRange(port)) return fail(SBI_ERR_INVALID_PARAM);
    const state = vm.state[port];
    if (state === RESERVED) return fail(SBI_ERR_DENIED);
    if (state === FREE) return fail(SBI_ERR_INVALID_PARAM);
    if (state === UNBOUND) return ok(0);
    this.setPending(vm.remoteDomid[port], vm.remotePort[port]);
    return ok(1);
  }

  /** CLOSE: frees the port; a connected peer's port goes back to unbound for the caller. */
  close(caller: number, port: number): SbiResult {
    const vm = this.vms.get(caller);
    if (!vm || !this.inRange(port)) return fail(SBI_ERR_INVALID_PARAM);
    if (vm.state[port] === RESERVED) return fail(SBI_ERR_DENIED);
    if (vm.state[port] === FREE) return fail(SBI_ERR_INVALID_PARAM);
    this.unbindPeer(caller, vm, port);
    this.free(vm, port);
    return ok(0);
  }

  mask(caller: number, port: number): SbiResult {
    const vm = this.usablePort(caller, port);
    if (!vm) return fail(SBI_ERR_INVALID_PARAM);
    setBit(vm.bitmaps.mask, port, true);
    return ok(0);
  }

  /** UNMASK: re-enables delivery, and notifies at once if the port is pending. */
  unmask(caller: number, port: number): SbiResult {
    const vm = this.usablePort(caller, port);
    if (!vm) return fail(SBI_ERR_INVALID_PARAM);
    setBit(vm.bitmaps.mask, port, false);
    if (testBit(vm.bitmaps.pending, port)) this.notify(caller);
    return ok(0);
  }

  /** The hypervisor signals one of a VM's reserved ports (e.g. PVIO_EVTCHN_PORT_WATCH). */
  raise(domid: number, port: number): SbiResult {
    const vm = this.vms.get(domid);
    if (!vm || !this.inRange(port) || vm.state[port] !== RESERVED) return fail(SBI_ERR_INVALID_PARAM);
    this.setPending(domid, port);
    return ok(0);
  }

  /**
   * On a VM's failure: frees all its ports and clears its bitmaps. Peers' ports
   * connected to it go back to unbound for it (returned), so the restarted VM can bind them again.
   */
  closeVm(domid: number): SbiResult<PortRef[]> {
    const vm = this.vms.get(domid);
    if (!vm) return fail(SBI_ERR_INVALID_PARAM);
    const peers: PortRef[] = [];
    for (let port = this.firstDynamic; port < this.maxPorts; port++) {
      if (vm.state[port] === FREE) continue;
      const peer = this.unbindPeer(domid, vm, port);
      if (peer && peer.domid !== domid) peers.push(peer);
      this.free(vm, port);
    }
    vm.bitmaps.pending.fill(0);
    vm.bitmaps.mask.fill(0);
    return ok(peers);
  }

  /** Forgets a VM for good (after closing its ports). */
  destroyVm(domid: number): SbiResult<PortRef[]> {
    const r = this.closeVm(domid);
    if (r.error === 0) this.vms.delete(domid);
    return r;
  }

  bitmaps(domid: number): PortBitmaps | undefined {
    return this.vms.get(domid)?.bitmaps;
  }

  /** Whether the VM has a pending, unmasked port: its event interrupt should be raised (e.g. after a snapshot restore). */
  hasDeliverable(domid: number): boolean {
    const b = this.vms.get(domid)?.bitmaps;
    if (!b) return false;
    for (let w = 0; w * 32 < this.maxPorts; w++) if ((b.pending[w] & ~b.mask[w]) !== 0) return true;
    return false;
  }

  /** The VM's ports that are not free (debugger). */
  ports(domid: number): PortInfo[] {
    const vm = this.vms.get(domid);
    if (!vm) return [];
    const out: PortInfo[] = [];
    for (let port = 0; port < this.maxPorts; port++) {
      const s = vm.state[port];
      if (s === FREE) continue;
      out.push({
        port,
        state: STATE_NAMES[s],
        ...(s === UNBOUND || s === INTERDOMAIN ? { remoteDomid: vm.remoteDomid[port] } : {}),
        ...(s === INTERDOMAIN ? { remotePort: vm.remotePort[port] } : {}),
        pending: testBit(vm.bitmaps.pending, port),
        masked: testBit(vm.bitmaps.mask, port),
      });
    }
    return out;
  }

  private inRange(port: number): boolean {
    return isU32(port) && port < this.maxPorts;
  }

  private usablePort(domid: number, port: number): VmPorts | undefined {
    const vm = this.vms.get(domid);
    return vm && this.inRange(port) && vm.state[port] !== FREE ? vm : undefined;
  }

  /** Lowest free dynamic port, starting unmasked and not pending; -1 if none. */
  private allocate(vm: VmPorts): number {
    for (let port = this.firstDynamic; port < this.maxPorts; port++) {
      if (vm.state[port] === FREE) {
        setBit(vm.bitmaps.pending, port, false);
        setBit(vm.bitmaps.mask, port, false);
        return port;
      }
    }
    return -1;
  }

  private free(vm: VmPorts, port: number): void {
    vm.state[port] = FREE;
    vm.remoteDomid[port] = -1;
    vm.remotePort[port] = -1;
    setBit(vm.bitmaps.pending, port, false);
    setBit(vm.bitmaps.mask, port, false);
  }

  /** If `port` is connected, returns the peer's port to unbound-for-`domid`. */
  private unbindPeer(domid: number, vm: VmPorts, port: number): PortRef | undefined {
    if (vm.state[port] !== INTERDOMAIN) return undefined;
    const peerDomid = vm.remoteDomid[port];
    const peerPort = vm.remotePort[port];
    const peer = this.vms.get(peerDomid);
    if (!peer || peer.state[peerPort] !== INTERDOMAIN || peer.remoteDomid[peerPort] !== domid || peer.remotePort[peerPort] !== port) return undefined;
    peer.state[peerPort] = UNBOUND;
    peer.remotePort[peerPort] = -1;
    return { domid: peerDomid, port: peerPort };
  }

  private setPending(domid: number, port: number): void {
    const vm = this.vms.get(domid);
    if (!vm || testBit(vm.bitmaps.pending, port)) return;
    setBit(vm.bitmaps.pending, port, true);
    if (!testBit(vm.bitmaps.mask, port)) this.notify(domid);
  }
}

function testBit(words: Uint32Array, bit: number): boolean {
  return ((words[bit >>> 5] >>> (bit & 31)) & 1) !== 0;
}

function setBit(words: Uint32Array, bit: number, on: boolean): void {
  if (on) words[bit >>> 5] |= 1 << (bit & 31);
  else words[bit >>> 5] &= ~(1 << (bit & 31));
}
