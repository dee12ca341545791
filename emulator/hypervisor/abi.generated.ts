// Generated from docs/abi.md by scripts/gen-abi.ts; do not edit.
// The hypervisor side of the paravirtual ABI; the guest side is guests/include/pvlab/abi.h.

// ---- Constants

/** Version of this document's ABI; `PVIO_INFO_ABI_VERSION` returns it. */
export const PVIO_ABI_VERSION = 1;
/** Size of a page, a grant and a grant-window slot. */
export const PVIO_PAGE_SIZE = 4096;
/** The hypervisor's own domid (owner of the registry root). */
export const PVIO_DOMID_HOST = 0;
/** Domid of the first VM in the system file. */
export const PVIO_DOMID_FIRST_VM = 1;
/** Most VMs one system may hold (domids 1..16). */
export const PVIO_MAX_VMS = 16;
/** Guest-physical address of the shared-info page. */
export const PVIO_SHARED_INFO_GPA = 0x30000000;
/** First word of the shared-info page ("PVSI" in memory order). */
export const PVIO_SHARED_INFO_MAGIC = 0x49535650;
/** Guest-physical address of grant-window slot 0. */
export const PVIO_GRANT_WINDOW_BASE = 0x30400000;
/** Number of slots in the grant window. */
export const PVIO_GRANT_WINDOW_SLOTS = 256;
/** Returned by `sbi_get_spec_version`: major 2 (bits 30:24), minor 0. */
export const SBI_SPEC_VERSION = 0x02000000;
/** Returned by `sbi_get_impl_id`. Not registered with RISC-V International; chosen far above the assigned ids. */
export const SBI_IMPL_ID_PVLAB = 0x50564C42;
/** Returned by `sbi_get_impl_version`. */
export const SBI_IMPL_VERSION_PVLAB = 1;
/** HSM hart state. */
export const SBI_HSM_STATE_STARTED = 0;
/** HSM hart state. */
export const SBI_HSM_STATE_STOPPED = 1;
/** HSM hart state. */
export const SBI_HSM_STATE_START_PENDING = 2;
/** HSM hart state. */
export const SBI_HSM_STATE_STOP_PENDING = 3;
/** HSM hart state. */
export const SBI_HSM_STATE_SUSPENDED = 4;
/** HSM hart state. */
export const SBI_HSM_STATE_SUSPEND_PENDING = 5;
/** HSM hart state. */
export const SBI_HSM_STATE_RESUME_PENDING = 6;
/** Retentive suspend (behaves like `wfi`). */
export const SBI_HSM_SUSPEND_RET_DEFAULT = 0;
/** Non-retentive suspend (resumes at `resume_addr`). */
export const SBI_HSM_SUSPEND_NON_RET_DEFAULT = 0x80000000;
/** Stop the calling VM. */
export const SBI_SRST_TYPE_SHUTDOWN = 0;
/** Restart the calling VM from its initial snapshot. */
export const SBI_SRST_TYPE_COLD_REBOOT = 1;
/** Same as cold reboot in pvlab. */
export const SBI_SRST_TYPE_WARM_REBOOT = 2;
/** Orderly reset. */
export const SBI_SRST_REASON_NONE = 0;
/** The guest reports a failure (panic): a fault of that VM, handled by the restart policy. */
export const SBI_SRST_REASON_SYSTEM_FAILURE = 1;
/** Size of each VM's grant table (grefs 1..255 usable). */
export const PVIO_GRANT_MAX_REFS = 256;
/** Never a valid gref. */
export const PVIO_GRANT_REF_INVALID = 0;
/** Ports per VM (0..127). */
export const PVIO_EVTCHN_MAX_PORTS = 128;
/** First port `alloc_unbound`/`bind_interdomain` hand out; 0..3 are reserved. */
export const PVIO_EVTCHN_FIRST_DYNAMIC = 4;
/** Reserved port: set pending when a registry watch event is queued for the VM. */
export const PVIO_EVTCHN_PORT_WATCH = 0;
/** Interrupt code (`scause` without the interrupt bit) used to signal events: supervisor software interrupt. */
export const PVIO_EVTCHN_IRQ = 1;
/** The `sip`/`sie` bit of that interrupt (SSIP). */
export const PVIO_EVTCHN_SIP_MASK = 0x2;
/** Longest absolute path, in bytes. */
export const PVIO_REG_MAX_PATH = 256;
/** Longest value, in bytes. */
export const PVIO_REG_MAX_VALUE = 256;
/** Nodes one VM may create. */
export const PVIO_REG_MAX_NODES_PER_VM = 256;
/** Watches one VM may hold. */
export const PVIO_REG_MAX_WATCHES_PER_VM = 32;
/** Watch events queued per VM. */
export const PVIO_REG_WATCH_QUEUE_LEN = 64;
/** Token of the overflow event. */
export const PVIO_REG_WATCH_TOKEN_OVERFLOW = 0xFFFFFFFF;

// ---- SBI error codes (a0 on return)

/** Completed. */
export const SBI_SUCCESS = 0;
/** Failed; in PVIO: a table or quota is full (grants, ports, registry nodes, watches). */
export const SBI_ERR_FAILED = -1;
/** Unknown extension or function. */
export const SBI_ERR_NOT_SUPPORTED = -2;
/** Malformed argument, or a handle (domid, gref, port, slot, registry path) that names nothing. */
export const SBI_ERR_INVALID_PARAM = -3;
/** Not permitted: not the grantee, read-only grant, registry permission, reserved port, grant still mapped. */
export const SBI_ERR_DENIED = -4;
/** A guest-physical buffer or page is not inside the caller's RAM. */
export const SBI_ERR_INVALID_ADDRESS = -5;
/** The thing to create exists already: grant-window slot in use, watch registered. */
export const SBI_ERR_ALREADY_AVAILABLE = -6;
/** HSM: hart already started. */
export const SBI_ERR_ALREADY_STARTED = -7;
/** HSM: hart already stopped. */
export const SBI_ERR_ALREADY_STOPPED = -8;
/** Shared memory not available (SBI v2.0 code; pvlab does not return it). */
export const SBI_ERR_NO_SHMEM = -9;

export const SBI_ERROR_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [SBI_SUCCESS, 'SBI_SUCCESS'],
  [SBI_ERR_FAILED, 'SBI_ERR_FAILED'],
  [SBI_ERR_NOT_SUPPORTED, 'SBI_ERR_NOT_SUPPORTED'],
  [SBI_ERR_INVALID_PARAM, 'SBI_ERR_INVALID_PARAM'],
  [SBI_ERR_DENIED, 'SBI_ERR_DENIED'],
  [SBI_ERR_INVALID_ADDRESS, 'SBI_ERR_INVALID_ADDRESS'],
  [SBI_ERR_ALREADY_AVAILABLE, 'SBI_ERR_ALREADY_AVAILABLE'],
  [SBI_ERR_ALREADY_STARTED, 'SBI_ERR_ALREADY_STARTED'],
  [SBI_ERR_ALREADY_STOPPED, 'SBI_ERR_ALREADY_STOPPED'],
  [SBI_ERR_NO_SHMEM, 'SBI_ERR_NO_SHMEM'],
]);

export type SbiErrorCode = typeof SBI_SUCCESS | typeof SBI_ERR_FAILED | typeof SBI_ERR_NOT_SUPPORTED | typeof SBI_ERR_INVALID_PARAM | typeof SBI_ERR_DENIED | typeof SBI_ERR_INVALID_ADDRESS | typeof SBI_ERR_ALREADY_AVAILABLE | typeof SBI_ERR_ALREADY_STARTED | typeof SBI_ERR_ALREADY_STOPPED | typeof SBI_ERR_NO_SHMEM;

// ---- Keys of PVIO_FID_GET_INFO

/** `PVIO_ABI_VERSION`. */
export const PVIO_INFO_ABI_VERSION = 0;
/** The caller's domid. */
export const PVIO_INFO_DOMID = 1;
/** Number of VMs (domids 1..n). */
export const PVIO_INFO_NUM_VMS = 2;
/** `PVIO_SHARED_INFO_GPA`. */
export const PVIO_INFO_SHARED_INFO_GPA = 3;
/** `PVIO_GRANT_WINDOW_BASE`. */
export const PVIO_INFO_GRANT_WINDOW_BASE = 4;
/** `PVIO_GRANT_WINDOW_SLOTS`. */
export const PVIO_INFO_GRANT_WINDOW_SLOTS = 5;
/** `PVIO_GRANT_MAX_REFS`. */
export const PVIO_INFO_GRANT_MAX_REFS = 6;
/** `PVIO_EVTCHN_MAX_PORTS`. */
export const PVIO_INFO_EVTCHN_MAX_PORTS = 7;

export const PVIO_INFO_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [PVIO_INFO_ABI_VERSION, 'PVIO_INFO_ABI_VERSION'],
  [PVIO_INFO_DOMID, 'PVIO_INFO_DOMID'],
  [PVIO_INFO_NUM_VMS, 'PVIO_INFO_NUM_VMS'],
  [PVIO_INFO_SHARED_INFO_GPA, 'PVIO_INFO_SHARED_INFO_GPA'],
  [PVIO_INFO_GRANT_WINDOW_BASE, 'PVIO_INFO_GRANT_WINDOW_BASE'],
  [PVIO_INFO_GRANT_WINDOW_SLOTS, 'PVIO_INFO_GRANT_WINDOW_SLOTS'],
  [PVIO_INFO_GRANT_MAX_REFS, 'PVIO_INFO_GRANT_MAX_REFS'],
  [PVIO_INFO_EVTCHN_MAX_PORTS, 'PVIO_INFO_EVTCHN_MAX_PORTS'],
]);

// ---- Registry key names

/** In both directories: that side's handshake state, written by that side. */
export const PVIO_KEY_STATE = 'state';
/** Device dir, written by the host: absolute path of the backend dir. */
export const PVIO_KEY_BACKEND = 'backend';
/** Device dir, written by the host: backend domid. */
export const PVIO_KEY_BACKEND_ID = 'backend-id';
/** Backend dir, written by the host: absolute path of the device dir. */
export const PVIO_KEY_FRONTEND = 'frontend';
/** Backend dir, written by the host: frontend domid. */
export const PVIO_KEY_FRONTEND_ID = 'frontend-id';
/** Device dir, written by the frontend: gref of the shared ring page. */
export const PVIO_KEY_RING_REF = 'ring-ref';
/** Device dir, written by the frontend: its unbound port for the backend. */
export const PVIO_KEY_EVENT_CHANNEL = 'event-channel';
/** Backend dir of a `blk` device, written by the backend: capacity in 512-byte sectors. */
export const PVIO_KEY_SECTORS = 'sectors';
/** Backend dir of a `blk` device, written by the backend: bytes per sector. */
export const PVIO_KEY_SECTOR_SIZE = 'sector-size';

// ---- Split-device kinds

/** Block device (blkif-style ring). */
export const PVIO_KIND_BLK = 'blk';
/** Network device (netif-style rings). */
export const PVIO_KIND_NET = 'net';

// ---- Split-driver handshake states (registry "state" values)

/** Not a state; what a missing or unparsable `state` reads as. */
export const PVIO_STATE_UNKNOWN = 0;
/** Provisioned by the host; the driver has not started. */
export const PVIO_STATE_INITIALISING = 1;
/** Backend: ready, waiting for the frontend's ring details. */
export const PVIO_STATE_INITWAIT = 2;
/** Frontend: `ring-ref` and `event-channel` written. */
export const PVIO_STATE_INITIALISED = 3;
/** Ring in use. */
export const PVIO_STATE_CONNECTED = 4;
/** Orderly shutdown in progress. */
export const PVIO_STATE_CLOSING = 5;
/** This side is gone (also set by the host when a VM fails). */
export const PVIO_STATE_CLOSED = 6;

export const PVIO_STATE_NAMES: ReadonlyMap<number, string> = new Map<number, string>([
  [PVIO_STATE_UNKNOWN, 'PVIO_STATE_UNKNOWN'],
  [PVIO_STATE_INITIALISING, 'PVIO_STATE_INITIALISING'],
  [PVIO_STATE_INITWAIT, 'PVIO_STATE_INITWAIT'],
  [PVIO_STATE_INITIALISED, 'PVIO_STATE_INITIALISED'],
  [PVIO_STATE_CONNECTED, 'PVIO_STATE_CONNECTED'],
  [PVIO_STATE_CLOSING, 'PVIO_STATE_CLOSING'],
  [PVIO_STATE_CLOSED, 'PVIO_STATE_CLOSED'],
]);

// ---- SBI extensions

/** Legacy console output (Linux 6.1's SBI console uses it). */
export const SBI_EXT_LEGACY_CONSOLE_PUTCHAR = 0x01;
/** Legacy console input. */
export const SBI_EXT_LEGACY_CONSOLE_GETCHAR = 0x02;
/** Base extension; reports SBI v2.0. */
export const SBI_EXT_BASE = 0x10;
/** Timer ("TIME"). */
export const SBI_EXT_TIME = 0x54494D45;
/** Inter-processor interrupts between vCPUs of one VM ("sPI"). */
export const SBI_EXT_IPI = 0x735049;
/** Remote fences ("RFNC"). */
export const SBI_EXT_RFENCE = 0x52464E43;
/** Hart state management for vCPUs ("HSM"). */
export const SBI_EXT_HSM = 0x48534D;
/** System reset of the calling VM ("SRST"). */
export const SBI_EXT_SRST = 0x53525354;
/** Debug console ("DBCN"). */
export const SBI_EXT_DBCN = 0x4442434E;
/** pvlab paravirtual I/O: self-information, grant table, event channels, registry. Firmware-specific range 0x0A000000–0x0AFFFFFF. */
export const SBI_EXT_PVIO = 0x0A505649;

export type SbiExtensionKind = 'legacy' | 'standard' | 'firmware';
export interface SbiExtensionInfo { readonly name: string; readonly eid: number; readonly kind: SbiExtensionKind }
export const SBI_EXTENSIONS: readonly SbiExtensionInfo[] = [
  { name: 'SBI_EXT_LEGACY_CONSOLE_PUTCHAR', eid: SBI_EXT_LEGACY_CONSOLE_PUTCHAR, kind: 'legacy' },
  { name: 'SBI_EXT_LEGACY_CONSOLE_GETCHAR', eid: SBI_EXT_LEGACY_CONSOLE_GETCHAR, kind: 'legacy' },
  { name: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, kind: 'standard' },
  { name: 'SBI_EXT_TIME', eid: SBI_EXT_TIME, kind: 'standard' },
  { name: 'SBI_EXT_IPI', eid: SBI_EXT_IPI, kind: 'standard' },
  { name: 'SBI_EXT_RFENCE', eid: SBI_EXT_RFENCE, kind: 'standard' },
  { name: 'SBI_EXT_HSM', eid: SBI_EXT_HSM, kind: 'standard' },
  { name: 'SBI_EXT_SRST', eid: SBI_EXT_SRST, kind: 'standard' },
  { name: 'SBI_EXT_DBCN', eid: SBI_EXT_DBCN, kind: 'standard' },
  { name: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, kind: 'firmware' },
];

// ---- Function ids

/** sbi_get_spec_version() -> version: `SBI_SPEC_VERSION`. */
export const SBI_BASE_GET_SPEC_VERSION = 0;
/** sbi_get_impl_id() -> impl_id: `SBI_IMPL_ID_PVLAB`. */
export const SBI_BASE_GET_IMPL_ID = 1;
/** sbi_get_impl_version() -> impl_version: `SBI_IMPL_VERSION_PVLAB`. */
export const SBI_BASE_GET_IMPL_VERSION = 2;
/** sbi_probe_extension(eid) -> available: 1 if the extension is served, else 0. */
export const SBI_BASE_PROBE_EXTENSION = 3;
/** sbi_get_mvendorid() -> mvendorid: 0. */
export const SBI_BASE_GET_MVENDORID = 4;
/** sbi_get_marchid() -> marchid: 0. */
export const SBI_BASE_GET_MARCHID = 5;
/** sbi_get_mimpid() -> mimpid: 0. */
export const SBI_BASE_GET_MIMPID = 6;
/** sbi_set_timer(stime_lo, stime_hi): Raises STIP when `time` ≥ the 64-bit value; clears a pending STIP. */
export const SBI_TIME_SET_TIMER = 0;
/** sbi_send_ipi(hart_mask, hart_mask_base): Sets SSIP on the selected vCPUs of the calling VM. */
export const SBI_IPI_SEND_IPI = 0;
/** sbi_remote_fence_i(hart_mask, hart_mask_base): `fence.i` on the selected vCPUs. */
export const SBI_RFENCE_REMOTE_FENCE_I = 0;
/** sbi_remote_sfence_vma(hart_mask, hart_mask_base, start_addr, size): `sfence.vma` over the range on the selected vCPUs. */
export const SBI_RFENCE_REMOTE_SFENCE_VMA = 1;
/** sbi_remote_sfence_vma_asid(hart_mask, hart_mask_base, start_addr, size, asid): Same, for one ASID. */
export const SBI_RFENCE_REMOTE_SFENCE_VMA_ASID = 2;
/** sbi_hart_start(hartid, start_addr, opaque): Starts a stopped vCPU in S-mode at `start_addr` with `a0` = hartid, `a1` = opaque. */
export const SBI_HSM_HART_START = 0;
/** sbi_hart_stop(): Stops the calling vCPU; does not return on success. */
export const SBI_HSM_HART_STOP = 1;
/** sbi_hart_get_status(hartid) -> state: One of `SBI_HSM_STATE_*`. */
export const SBI_HSM_HART_GET_STATUS = 2;
/** sbi_hart_suspend(suspend_type, resume_addr, opaque): `SBI_HSM_SUSPEND_*`. */
export const SBI_HSM_HART_SUSPEND = 3;
/** sbi_system_reset(reset_type, reset_reason): Resets the calling VM; does not return on success. */
export const SBI_SRST_SYSTEM_RESET = 0;
/** sbi_debug_console_write(num_bytes, base_addr_lo, base_addr_hi) -> written: Writes bytes from guest-physical memory. */
export const SBI_DBCN_CONSOLE_WRITE = 0;
/** sbi_debug_console_read(num_bytes, base_addr_lo, base_addr_hi) -> read: Reads up to `num_bytes` input bytes. */
export const SBI_DBCN_CONSOLE_READ = 1;
/** sbi_debug_console_write_byte(byte): Writes one byte. */
export const SBI_DBCN_CONSOLE_WRITE_BYTE = 2;
/** pvio_get_info(key) -> value: One `PVIO_INFO_*` value; an unknown key gives `SBI_ERR_INVALID_PARAM`. */
export const PVIO_FID_GET_INFO = 0x00;
/** pvio_grant_access(domid, gfn, readonly) -> gref: Lets VM `domid` map the caller's page `gfn` (guest-physical address >> 12, inside the caller's RAM), read-only if `readonly` ≠ 0. */
export const PVIO_FID_GRANT_ACCESS = 0x10;
/** pvio_grant_end(gref): Withdraws a grant. `SBI_ERR_DENIED` while the grantee still maps it. */
export const PVIO_FID_GRANT_END = 0x11;
/** pvio_grant_map(granter, gref, slot, writable) -> gpa: Maps grant `gref` of VM `granter` into the caller's window slot `slot`; returns the slot's guest-physical address. */
export const PVIO_FID_GRANT_MAP = 0x12;
/** pvio_grant_unmap(slot): Empties a window slot. */
export const PVIO_FID_GRANT_UNMAP = 0x13;
/** pvio_evtchn_alloc_unbound(remote_domid) -> port: New local port that VM `remote_domid` may bind to. */
export const PVIO_FID_EVTCHN_ALLOC_UNBOUND = 0x20;
/** pvio_evtchn_bind_interdomain(remote_domid, remote_port) -> port: New local port connected to `remote_port`, which must be unbound and allocated for the caller. */
export const PVIO_FID_EVTCHN_BIND_INTERDOMAIN = 0x21;
/** pvio_evtchn_send(port) -> delivered: Signals the peer; 1 if the port was connected, 0 if it is unbound (event dropped). */
export const PVIO_FID_EVTCHN_SEND = 0x22;
/** pvio_evtchn_close(port): Frees the port; a connected peer's port becomes unbound. */
export const PVIO_FID_EVTCHN_CLOSE = 0x23;
/** pvio_evtchn_mask(port): Stops interrupts for the port (pending bits are still set). */
export const PVIO_FID_EVTCHN_MASK = 0x24;
/** pvio_evtchn_unmask(port): Re-enables interrupts; raises one at once if the port is pending. */
export const PVIO_FID_EVTCHN_UNMASK = 0x25;
/** pvio_reg_read(path, path_len, buf, buf_len) -> length: Value of a node; see "Registry calls" for buffers. */
export const PVIO_FID_REG_READ = 0x30;
/** pvio_reg_write(path, path_len, value, value_len): Sets a node's value, creating missing ancestors. */
export const PVIO_FID_REG_WRITE = 0x31;
/** pvio_reg_mkdir(path, path_len): Creates an empty node (and ancestors) if missing. */
export const PVIO_FID_REG_MKDIR = 0x32;
/** pvio_reg_remove(path, path_len): Removes a node and its subtree. */
export const PVIO_FID_REG_REMOVE = 0x33;
/** pvio_reg_list(path, path_len, buf, buf_len) -> length: Names of the children, each followed by a NUL, in byte order. */
export const PVIO_FID_REG_LIST = 0x34;
/** pvio_reg_watch(path, path_len, token): Watches a path and everything below it. */
export const PVIO_FID_REG_WATCH = 0x35;
/** pvio_reg_unwatch(path, path_len, token): Removes a watch and its queued events. */
export const PVIO_FID_REG_UNWATCH = 0x36;
/** pvio_reg_read_watch(buf, buf_len) -> length: Takes the oldest watch event; 0 if the queue is empty. */
export const PVIO_FID_REG_READ_WATCH = 0x37;

/** One hypercall, for tracing and the debugger: arguments in a0.., and what a1 carries back. */
export interface SbiFunctionInfo {
  readonly extension: string;
  readonly eid: number;
  readonly name: string;
  /** null for legacy extensions, which have no function id. */
  readonly fid: number | null;
  readonly wrapper: string;
  readonly args: readonly string[];
  readonly returns: string | null;
}
export const SBI_FUNCTIONS: readonly SbiFunctionInfo[] = [
  { extension: 'SBI_EXT_LEGACY_CONSOLE_PUTCHAR', eid: SBI_EXT_LEGACY_CONSOLE_PUTCHAR, name: 'SBI_LEGACY_CONSOLE_PUTCHAR', fid: null, wrapper: 'sbi_console_putchar', args: ['ch'], returns: null },
  { extension: 'SBI_EXT_LEGACY_CONSOLE_GETCHAR', eid: SBI_EXT_LEGACY_CONSOLE_GETCHAR, name: 'SBI_LEGACY_CONSOLE_GETCHAR', fid: null, wrapper: 'sbi_console_getchar', args: [], returns: null },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_GET_SPEC_VERSION', fid: SBI_BASE_GET_SPEC_VERSION, wrapper: 'sbi_get_spec_version', args: [], returns: 'version' },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_GET_IMPL_ID', fid: SBI_BASE_GET_IMPL_ID, wrapper: 'sbi_get_impl_id', args: [], returns: 'impl_id' },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_GET_IMPL_VERSION', fid: SBI_BASE_GET_IMPL_VERSION, wrapper: 'sbi_get_impl_version', args: [], returns: 'impl_version' },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_PROBE_EXTENSION', fid: SBI_BASE_PROBE_EXTENSION, wrapper: 'sbi_probe_extension', args: ['eid'], returns: 'available' },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_GET_MVENDORID', fid: SBI_BASE_GET_MVENDORID, wrapper: 'sbi_get_mvendorid', args: [], returns: 'mvendorid' },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_GET_MARCHID', fid: SBI_BASE_GET_MARCHID, wrapper: 'sbi_get_marchid', args: [], returns: 'marchid' },
  { extension: 'SBI_EXT_BASE', eid: SBI_EXT_BASE, name: 'SBI_BASE_GET_MIMPID', fid: SBI_BASE_GET_MIMPID, wrapper: 'sbi_get_mimpid', args: [], returns: 'mimpid' },
  { extension: 'SBI_EXT_TIME', eid: SBI_EXT_TIME, name: 'SBI_TIME_SET_TIMER', fid: SBI_TIME_SET_TIMER, wrapper: 'sbi_set_timer', args: ['stime_lo', 'stime_hi'], returns: null },
  { extension: 'SBI_EXT_IPI', eid: SBI_EXT_IPI, name: 'SBI_IPI_SEND_IPI', fid: SBI_IPI_SEND_IPI, wrapper: 'sbi_send_ipi', args: ['hart_mask', 'hart_mask_base'], returns: null },
  { extension: 'SBI_EXT_RFENCE', eid: SBI_EXT_RFENCE, name: 'SBI_RFENCE_REMOTE_FENCE_I', fid: SBI_RFENCE_REMOTE_FENCE_I, wrapper: 'sbi_remote_fence_i', args: ['hart_mask', 'hart_mask_base'], returns: null },
  { extension: 'SBI_EXT_RFENCE', eid: SBI_EXT_RFENCE, name: 'SBI_RFENCE_REMOTE_SFENCE_VMA', fid: SBI_RFENCE_REMOTE_SFENCE_VMA, wrapper: 'sbi_remote_sfence_vma', args: ['hart_mask', 'hart_mask_base', 'start_addr', 'size'], returns: null },
  { extension: 'SBI_EXT_RFENCE', eid: SBI_EXT_RFENCE, name: 'SBI_RFENCE_REMOTE_SFENCE_VMA_ASID', fid: SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, wrapper: 'sbi_remote_sfence_vma_asid', args: ['hart_mask', 'hart_mask_base', 'start_addr', 'size', 'asid'], returns: null },
  { extension: 'SBI_EXT_HSM', eid: SBI_EXT_HSM, name: 'SBI_HSM_HART_START', fid: SBI_HSM_HART_START, wrapper: 'sbi_hart_start', args: ['hartid', 'start_addr', 'opaque'], returns: null },
  { extension: 'SBI_EXT_HSM', eid: SBI_EXT_HSM, name: 'SBI_HSM_HART_STOP', fid: SBI_HSM_HART_STOP, wrapper: 'sbi_hart_stop', args: [], returns: null },
  { extension: 'SBI_EXT_HSM', eid: SBI_EXT_HSM, name: 'SBI_HSM_HART_GET_STATUS', fid: SBI_HSM_HART_GET_STATUS, wrapper: 'sbi_hart_get_status', args: ['hartid'], returns: 'state' },
  { extension: 'SBI_EXT_HSM', eid: SBI_EXT_HSM, name: 'SBI_HSM_HART_SUSPEND', fid: SBI_HSM_HART_SUSPEND, wrapper: 'sbi_hart_suspend', args: ['suspend_type', 'resume_addr', 'opaque'], returns: null },
  { extension: 'SBI_EXT_SRST', eid: SBI_EXT_SRST, name: 'SBI_SRST_SYSTEM_RESET', fid: SBI_SRST_SYSTEM_RESET, wrapper: 'sbi_system_reset', args: ['reset_type', 'reset_reason'], returns: null },
  { extension: 'SBI_EXT_DBCN', eid: SBI_EXT_DBCN, name: 'SBI_DBCN_CONSOLE_WRITE', fid: SBI_DBCN_CONSOLE_WRITE, wrapper: 'sbi_debug_console_write', args: ['num_bytes', 'base_addr_lo', 'base_addr_hi'], returns: 'written' },
  { extension: 'SBI_EXT_DBCN', eid: SBI_EXT_DBCN, name: 'SBI_DBCN_CONSOLE_READ', fid: SBI_DBCN_CONSOLE_READ, wrapper: 'sbi_debug_console_read', args: ['num_bytes', 'base_addr_lo', 'base_addr_hi'], returns: 'read' },
  { extension: 'SBI_EXT_DBCN', eid: SBI_EXT_DBCN, name: 'SBI_DBCN_CONSOLE_WRITE_BYTE', fid: SBI_DBCN_CONSOLE_WRITE_BYTE, wrapper: 'sbi_debug_console_write_byte', args: ['byte'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_GET_INFO', fid: PVIO_FID_GET_INFO, wrapper: 'pvio_get_info', args: ['key'], returns: 'value' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_GRANT_ACCESS', fid: PVIO_FID_GRANT_ACCESS, wrapper: 'pvio_grant_access', args: ['domid', 'gfn', 'readonly'], returns: 'gref' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_GRANT_END', fid: PVIO_FID_GRANT_END, wrapper: 'pvio_grant_end', args: ['gref'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_GRANT_MAP', fid: PVIO_FID_GRANT_MAP, wrapper: 'pvio_grant_map', args: ['granter', 'gref', 'slot', 'writable'], returns: 'gpa' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_GRANT_UNMAP', fid: PVIO_FID_GRANT_UNMAP, wrapper: 'pvio_grant_unmap', args: ['slot'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_EVTCHN_ALLOC_UNBOUND', fid: PVIO_FID_EVTCHN_ALLOC_UNBOUND, wrapper: 'pvio_evtchn_alloc_unbound', args: ['remote_domid'], returns: 'port' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_EVTCHN_BIND_INTERDOMAIN', fid: PVIO_FID_EVTCHN_BIND_INTERDOMAIN, wrapper: 'pvio_evtchn_bind_interdomain', args: ['remote_domid', 'remote_port'], returns: 'port' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_EVTCHN_SEND', fid: PVIO_FID_EVTCHN_SEND, wrapper: 'pvio_evtchn_send', args: ['port'], returns: 'delivered' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_EVTCHN_CLOSE', fid: PVIO_FID_EVTCHN_CLOSE, wrapper: 'pvio_evtchn_close', args: ['port'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_EVTCHN_MASK', fid: PVIO_FID_EVTCHN_MASK, wrapper: 'pvio_evtchn_mask', args: ['port'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_EVTCHN_UNMASK', fid: PVIO_FID_EVTCHN_UNMASK, wrapper: 'pvio_evtchn_unmask', args: ['port'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_READ', fid: PVIO_FID_REG_READ, wrapper: 'pvio_reg_read', args: ['path', 'path_len', 'buf', 'buf_len'], returns: 'length' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_WRITE', fid: PVIO_FID_REG_WRITE, wrapper: 'pvio_reg_write', args: ['path', 'path_len', 'value', 'value_len'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_MKDIR', fid: PVIO_FID_REG_MKDIR, wrapper: 'pvio_reg_mkdir', args: ['path', 'path_len'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_REMOVE', fid: PVIO_FID_REG_REMOVE, wrapper: 'pvio_reg_remove', args: ['path', 'path_len'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_LIST', fid: PVIO_FID_REG_LIST, wrapper: 'pvio_reg_list', args: ['path', 'path_len', 'buf', 'buf_len'], returns: 'length' },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_WATCH', fid: PVIO_FID_REG_WATCH, wrapper: 'pvio_reg_watch', args: ['path', 'path_len', 'token'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_UNWATCH', fid: PVIO_FID_REG_UNWATCH, wrapper: 'pvio_reg_unwatch', args: ['path', 'path_len', 'token'], returns: null },
  { extension: 'SBI_EXT_PVIO', eid: SBI_EXT_PVIO, name: 'PVIO_FID_REG_READ_WATCH', fid: PVIO_FID_REG_READ_WATCH, wrapper: 'pvio_reg_read_watch', args: ['buf', 'buf_len'], returns: 'length' },
];

// ---- Registry layout: patterns with {domid}, {frontend}, {kind}, {idx} placeholders

/** Everything a VM publishes. Owner: the VM; readers: host. */
export const PVIO_REG_VM_DIR = '/vm/{domid}';
/** A frontend's view of one split device. Owner: frontend VM; readers: its backend VM. */
export const PVIO_REG_DEVICE_DIR = '/vm/{domid}/device/{kind}/{idx}';
/** A backend's view of the same device. Owner: backend VM; readers: its frontend VM. */
export const PVIO_REG_BACKEND_DIR = '/vm/{domid}/backend/{kind}/{frontend}/{idx}';

// ---- Shared-info page: byte offsets of little-endian u32 fields (word counts for arrays)

/** `PVIO_SHARED_INFO_MAGIC`. */
export const PVIO_SI_MAGIC = 0x000;
/** `PVIO_ABI_VERSION`. */
export const PVIO_SI_ABI_VERSION = 0x004;
/** This VM's domid. */
export const PVIO_SI_DOMID = 0x008;
/** Number of VMs in the system. */
export const PVIO_SI_NUM_VMS = 0x00c;
/** `PVIO_EVTCHN_MAX_PORTS`. */
export const PVIO_SI_EVTCHN_MAX_PORTS = 0x010;
/** Pending bitmap: bit *p % 32* of word *p / 32* is port *p*. The hypervisor sets bits; the guest clears them (use `amoand.w`/`amoswap.w`). */
export const PVIO_SI_EVTCHN_PENDING = 0x040;
export const PVIO_SI_EVTCHN_PENDING_WORDS = 4;
/** Mask bitmap, same indexing. Maintained by `PVIO_FID_EVTCHN_MASK`/`UNMASK`; the guest reads it. A guest that writes it directly changes the mask, but clearing a bit that way does not re-deliver an event that is already pending. */
export const PVIO_SI_EVTCHN_MASK = 0x080;
export const PVIO_SI_EVTCHN_MASK_WORDS = 4;
/** Bytes of the shared-info page that carry fields. */
export const PVIO_SI_SIZE = 0x090;
