/**
 * The registry: a small XenStore-like tree with per-node permissions, per-VM
 * quotas and watches whose events wait in bounded per-VM queues.
 * Rules and error codes: docs/abi.md, "Registry".
 */
import {
  PVIO_KEY_STATE,
  PVIO_REG_MAX_NODES_PER_VM,
  PVIO_REG_MAX_PATH,
  PVIO_REG_MAX_VALUE,
  PVIO_REG_MAX_WATCHES_PER_VM,
  PVIO_REG_VM_DIR,
  PVIO_REG_WATCH_QUEUE_LEN,
  PVIO_REG_WATCH_TOKEN_OVERFLOW,
  PVIO_STATE_CLOSED,
  SBI_ERR_ALREADY_AVAILABLE,
  SBI_ERR_DENIED,
  SBI_ERR_FAILED,
  SBI_ERR_INVALID_PARAM,
} from './abi.generated';
import { HOST, isVmDomid } from './domid';
import { encodeWatchEvent, expandPath, isAtOrBelow, isSplitDeviceDir, joinPath, resolvePath, splitPath } from './registry-paths';
import { fail, isU32, ok, type SbiResult } from './sbi-errors';

export interface NodePerms {
  readonly owner: number;
  /** What every domain not named below may do. */
  readonly others: 'none' | 'read';
  readonly readers: readonly number[];
  /** May read, write, create children and remove. */
  readonly writers: readonly number[];
}

export interface RegistryLimits {
  readonly maxPath: number;
  readonly maxValue: number;
  readonly maxNodesPerVm: number;
  readonly maxWatchesPerVm: number;
  /** At least 2: one place is kept for the overflow event. */
  readonly watchQueueLen: number;
}

export const DEFAULT_REGISTRY_LIMITS: RegistryLimits = {
  maxPath: PVIO_REG_MAX_PATH,
  maxValue: PVIO_REG_MAX_VALUE,
  maxNodesPerVm: PVIO_REG_MAX_NODES_PER_VM,
  maxWatchesPerVm: PVIO_REG_MAX_WATCHES_PER_VM,
  watchQueueLen: PVIO_REG_WATCH_QUEUE_LEN,
};

export interface WatchEvent {
  readonly token: number;
  /** Absolute; empty for the overflow event. */
  readonly path: string;
}

export interface WatchInfo {
  readonly domid: number;
  readonly path: string;
  readonly token: number;
}

export interface RegistryChange {
  readonly kind: 'write' | 'mkdir' | 'remove';
  readonly path: string;
  readonly by: number;
}

export interface RegistryDump {
  readonly path: string;
  readonly value: string;
  readonly perms: NodePerms;
  /** The domid charged for the node (0: created by the host). */
  readonly charge: number;
  readonly children: readonly RegistryDump[];
}

export interface RemoveVmReport {
  /** State nodes set to Closed. */
  readonly closed: readonly string[];
  /** Roots of the removed subtrees. */
  readonly removed: readonly string[];
}

export interface ReadWatchResult {
  /** Length of the oldest event's record; 0 if the queue is empty. */
  readonly length: number;
  /** The record, dequeued, when it fit in the buffer. */
  readonly record?: Uint8Array;
}

export interface RegistryOptions {
  readonly limits?: Partial<RegistryLimits>;
  /** Called each time an event is queued for a VM (raise its PVIO_EVTCHN_PORT_WATCH). */
  readonly onWatchEvent?: (domid: number) => void;
  /** Called after every change, for the trace. */
  readonly onChange?: (change: RegistryChange) => void;
}

interface Node {
  readonly name: string;
  value: string;
  perms: NodePerms;
  charge: number;
  readonly children: Map<string, Node>;
}

interface Watch extends WatchInfo {
  readonly id: number;
}

interface QueuedEvent extends WatchEvent {
  /** Id of the watch that queued it; 0 for the overflow event. */
  readonly watchId: number;
}

const HOST_ONLY: NodePerms = { owner: HOST, others: 'none', readers: [], writers: [] };

export class Registry {
  readonly limits: RegistryLimits;
  private readonly root: Node = newNode('', HOST_ONLY, HOST);
  private readonly vms = new Set<number>();
  private readonly charges = new Map<number, number>();
  private watches: Watch[] = [];
  private nextWatchId = 1;
  private readonly queues = new Map<number, QueuedEvent[]>();
  private readonly onWatchEvent: (domid: number) => void;
  private readonly onChange: (change: RegistryChange) => void;

  constructor(options: RegistryOptions = {}) {
    this.limits = { ...DEFAULT_REGISTRY_LIMITS, ...options.limits };
    this.onWatchEvent = options.onWatchEvent ?? (() => undefined);
    this.onChange = options.onChange ?? (() => undefined);
    this.root.perms = { ...HOST_ONLY, others: 'read' };
  }

  /** Registers a VM and creates /vm/<domid>, owned by it (charged to the host). */
  addVm(domid: number): SbiResult {
    if (!isVmDomid(domid)) return fail(SBI_ERR_INVALID_PARAM);
    if (this.vms.has(domid)) return fail(SBI_ERR_ALREADY_AVAILABLE);
    this.vms.add(domid);
    this.queues.set(domid, []);
    const dir = expandPath(PVIO_REG_VM_DIR, { domid });
    const r = this.mkdir(HOST, dir);
    if (r.error !== 0) return r;
    this.setPerms(dir, { owner: domid, others: 'none', readers: [], writers: [] });
    return ok(0);
  }

  hasVm(domid: number): boolean {
    return this.vms.has(domid);
  }

  read(caller: number, path: string): SbiResult<string> {
    const found = this.find(caller, path);
    if (found.error !== 0) return found;
    return this.canRead(caller, found.value.perms) ? ok(found.value.value) : fail(SBI_ERR_DENIED);
  }

  /** Child names in byte order. */
  list(caller: number, path: string): SbiResult<string[]> {
    const found = this.find(caller, path);
    if (found.error !== 0) return found;
    if (!this.canRead(caller, found.value.perms)) return fail(SBI_ERR_DENIED);
    return ok([...found.value.children.keys()].sort());
  }

  write(caller: number, path: string, value: string): SbiResult {
    if (!this.isCaller(caller)) return fail(SBI_ERR_DENIED);
    if (typeof value !== 'string' || value.length > this.limits.maxValue || !/^[\0-\xff]*$/.test(value)) return fail(SBI_ERR_INVALID_PARAM);
    const made = this.ensure(caller, path);
    if (made.error !== 0) return made;
    made.value.node.value = value;
    this.changed('write', made.value.path, made.value.node.perms, caller);
    return ok(0);
  }

  /** Creates an empty node (and ancestors) unless it exists. */
  mkdir(caller: number, path: string): SbiResult {
    if (!this.isCaller(caller)) return fail(SBI_ERR_DENIED);
    const made = this.ensure(caller, path);
    if (made.error !== 0) return made;
    if (made.value.created) this.changed('mkdir', made.value.path, made.value.node.perms, caller);
    return ok(0);
  }

  /** Removes a node and its subtree. VMs may not remove /, /vm or /vm/<domid>. */
  remove(caller: number, path: string): SbiResult {
    const found = this.find(caller, path);
    if (found.error !== 0) return found;
    const abs = resolvePath(caller, path, this.limits.maxPath)!;
    const depth = splitPath(abs).length;
    if (depth === 0 || (caller !== HOST && depth <= 2)) return fail(SBI_ERR_DENIED);
    if (!this.canWrite(caller, found.value.perms)) return fail(SBI_ERR_DENIED);
    this.detach(abs, caller);
    return ok(0);
  }

  /** Host only: replaces a node's permissions. */
  setPerms(path: string, perms: NodePerms): SbiResult {
    const found = this.find(HOST, path);
    if (found.error !== 0) return found;
    const ids = [perms.owner, ...perms.readers, ...perms.writers];
    if (!ids.every(isU32) || (perms.others !== 'none' && perms.others !== 'read')) return fail(SBI_ERR_INVALID_PARAM);
    found.value.perms = { owner: perms.owner, others: perms.others, readers: [...perms.readers], writers: [...perms.writers] };
    return ok(0);
  }

  /** Registers (path, token) and queues the initial event. */
  watch(caller: number, path: string, token: number): SbiResult {
    if (!this.vms.has(caller)) return fail(SBI_ERR_DENIED);
    const abs = resolvePath(caller, path, this.limits.maxPath);
    if (abs === undefined || !isU32(token)) return fail(SBI_ERR_INVALID_PARAM);
    const mine = this.watches.filter((w) => w.domid === caller);
    if (mine.some((w) => w.path === abs && w.token === token)) return fail(SBI_ERR_ALREADY_AVAILABLE);
    if (mine.length >= this.limits.maxWatchesPerVm) return fail(SBI_ERR_FAILED);
    const w: Watch = { id: this.nextWatchId++, domid: caller, path: abs, token };
    this.watches.push(w);
    this.enqueue(caller, { token, path: abs, watchId: w.id });
    return ok(0);
  }

  /** Removes a watch and the events it queued that were not read yet. */
  unwatch(caller: number, path: string, token: number): SbiResult {
    const abs = resolvePath(caller, path, this.limits.maxPath);
    const w = this.watches.find((x) => x.domid === caller && x.path === abs && x.token === token);
    if (!w) return fail(SBI_ERR_INVALID_PARAM);
    this.watches = this.watches.filter((x) => x !== w);
    const q = this.queues.get(caller)!;
    this.queues.set(caller, q.filter((e) => e.watchId !== w.id));
    return ok(0);
  }

  /** READ_WATCH: the oldest event's record, dequeued only if it fits in `bufLen` bytes. */
  readWatch(caller: number, bufLen: number): SbiResult<ReadWatchResult> {
    const q = this.queues.get(caller);
    if (!q) return fail(SBI_ERR_DENIED);
    if (!isU32(bufLen)) return fail(SBI_ERR_INVALID_PARAM);
    if (q.length === 0) return ok({ length: 0 });
    const record = encodeWatchEvent(q[0].token, q[0].path);
    if (record.length > bufLen) return ok({ length: record.length });
    q.shift();
    return ok({ length: record.length, record });
  }

  /**
   * On a VM's failure: drops its watches and queue, sets the state of each of
   * its host-provisioned device and backend dirs to Closed (so peers see it), then
   * removes every node it created. The VM stays registered, ready to restart.
   */
  removeVm(domid: number): SbiResult<RemoveVmReport> {
    if (!this.vms.has(domid)) return fail(SBI_ERR_INVALID_PARAM);
    this.watches = this.watches.filter((w) => w.domid !== domid);
    this.queues.set(domid, []);
    const closed: string[] = [];
    const vmDir = expandPath(PVIO_REG_VM_DIR, { domid });
    this.walk(vmDir, (node, path) => {
      if (node.charge !== HOST || !isSplitDeviceDir(path, domid)) return;
      const statePath = joinPath(path, PVIO_KEY_STATE);
      const state = node.children.get(PVIO_KEY_STATE);
      if (state) this.recharge(state, HOST);
      this.write(HOST, statePath, String(PVIO_STATE_CLOSED));
      closed.push(statePath);
    });
    const removed: string[] = [];
    this.walk('/', (node, path) => {
      if (node.charge !== domid) return true;
      removed.push(path);
      return false;
    });
    for (const path of removed) this.detach(path, HOST);
    return ok({ closed, removed });
  }

  /** Forgets a VM for good: removeVm, then its whole directory. */
  destroyVm(domid: number): SbiResult<RemoveVmReport> {
    const r = this.removeVm(domid);
    if (r.error !== 0) return r;
    const dir = expandPath(PVIO_REG_VM_DIR, { domid });
    if (this.lookup(dir)) this.detach(dir, HOST);
    this.vms.delete(domid);
    this.queues.delete(domid);
    this.charges.delete(domid);
    return r;
  }

  /** The subtree at `path` (debugger); undefined if there is no such node. */
  dump(path = '/'): RegistryDump | undefined {
    const abs = resolvePath(HOST, path, this.limits.maxPath);
    const node = abs === undefined ? undefined : this.lookup(abs);
    return node && abs !== undefined ? dumpNode(node, abs) : undefined;
  }

  watchesOf(domid: number): WatchInfo[] {
    return this.watches.filter((w) => w.domid === domid).map(({ domid: d, path, token }) => ({ domid: d, path, token }));
  }

  queuedEvents(domid: number): WatchEvent[] {
    return (this.queues.get(domid) ?? []).map(({ token, path }) => ({ token, path }));
  }

  /** Nodes charged to a VM. */
  nodeCount(domid: number): number {
    return this.charges.get(domid) ?? 0;
  }

  // ------------------------------------------------------------ internals

  private isCaller(domid: number): boolean {
    return domid === HOST || this.vms.has(domid);
  }

  private canRead(domid: number, p: NodePerms): boolean {
    return domid === HOST || p.owner === domid || p.others === 'read' || p.readers.includes(domid) || p.writers.includes(domid);
  }

  private canWrite(domid: number, p: NodePerms): boolean {
    return domid === HOST || p.owner === domid || p.writers.includes(domid);
  }

  private lookup(abs: string): Node | undefined {
    let node: Node | undefined = this.root;
    for (const c of splitPath(abs)) node = node?.children.get(c);
    return node;
  }

  private find(caller: number, path: string): SbiResult<Node> {
    if (!this.isCaller(caller)) return fail(SBI_ERR_DENIED);
    const abs = resolvePath(caller, path, this.limits.maxPath);
    const node = abs === undefined ? undefined : this.lookup(abs);
    return node ? ok(node) : fail(SBI_ERR_INVALID_PARAM);
  }

  /** Finds or creates the node at `path`, checking permission and quota before changing anything. */
  private ensure(caller: number, path: string): SbiResult<{ node: Node; path: string; created: boolean }> {
    const abs = resolvePath(caller, path, this.limits.maxPath);
    if (abs === undefined) return fail(SBI_ERR_INVALID_PARAM);
    const comps = splitPath(abs);
    let node = this.root;
    let i = 0;
    for (; i < comps.length; i++) {
      const child = node.children.get(comps[i]);
      if (!child) break;
      node = child;
    }
    if (!this.canWrite(caller, node.perms)) return fail(SBI_ERR_DENIED);
    if (i === comps.length) return ok({ node, path: abs, created: false });
    const missing = comps.length - i;
    if (caller !== HOST && this.nodeCount(caller) + missing > this.limits.maxNodesPerVm) return fail(SBI_ERR_FAILED);
    for (; i < comps.length; i++) {
      const child = newNode(comps[i], node.perms, caller);
      node.children.set(comps[i], child);
      this.charge(caller, 1);
      node = child;
    }
    return ok({ node, path: abs, created: true });
  }

  /** Removes the subtree at `abs` (which exists), refunds its charges and fires watches. */
  private detach(abs: string, by: number): void {
    const comps = splitPath(abs);
    const parent = this.lookup(`/${comps.slice(0, -1).join('/')}`)!;
    const node = parent.children.get(comps[comps.length - 1])!;
    parent.children.delete(node.name);
    const refund = (n: Node) => {
      this.charge(n.charge, -1);
      n.children.forEach(refund);
    };
    refund(node);
    this.changed('remove', abs, node.perms, by);
  }

  private charge(domid: number, delta: number): void {
    if (domid !== HOST) this.charges.set(domid, (this.charges.get(domid) ?? 0) + delta);
  }

  private recharge(node: Node, to: number): void {
    this.charge(node.charge, -1);
    node.charge = to;
    this.charge(to, 1);
  }

  /** Depth-first over the subtree at `abs`; `visit` returning false skips a node's children. */
  private walk(abs: string, visit: (node: Node, path: string) => boolean | void): void {
    const start = this.lookup(abs);
    const go = (node: Node, path: string) => {
      if (visit(node, path) === false) return;
      for (const child of [...node.children.values()]) go(child, joinPath(path, child.name));
    };
    if (start) go(start, abs);
  }

  /**
   * Queues an event for every watch at or above `path`, and for a removal also
   * for every watch below it (with the watch's own path), if the watcher may read the node.
   */
  private changed(kind: RegistryChange['kind'], path: string, perms: NodePerms, by: number): void {
    for (const w of this.watches) {
      let eventPath: string;
      if (isAtOrBelow(path, w.path)) eventPath = path;
      else if (kind === 'remove' && isAtOrBelow(w.path, path)) eventPath = w.path;
      else continue;
      if (this.canRead(w.domid, perms)) this.enqueue(w.domid, { token: w.token, path: eventPath, watchId: w.id });
    }
    this.onChange({ kind, path, by });
  }

  private enqueue(domid: number, event: QueuedEvent): void {
    const q = this.queues.get(domid);
    if (!q) return;
    // An unread overflow event already tells the guest to re-read everything.
    if (q.length > 0 && q[q.length - 1].watchId === 0) return;
    if (q.length < this.limits.watchQueueLen - 1) q.push(event);
    else q.push({ token: PVIO_REG_WATCH_TOKEN_OVERFLOW, path: '', watchId: 0 });
    this.onWatchEvent(domid);
  }
}

function newNode(name: string, perms: NodePerms, charge: number): Node {
  return { name, value: '', perms, charge, children: new Map() };
}

function dumpNode(node: Node, path: string): RegistryDump {
  const children = [...node.children.values()]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((c) => dumpNode(c, joinPath(path, c.name)));
  return { path, value: node.value, perms: node.perms, charge: node.charge, children };
}
