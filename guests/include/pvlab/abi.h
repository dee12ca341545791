/* Generated from docs/abi.md by scripts/gen-abi.ts; do not edit. */
/* The guest side of the paravirtual ABI: constants, the shared-info page and hypercall wrappers. */
#ifndef PVLAB_ABI_H
#define PVLAB_ABI_H

/* Unsigned literals that assembler sources can still use. */
#ifdef __ASSEMBLER__
#define PVLAB_U(x) x
#else
#define PVLAB_U(x) x##u
#endif

/* ---- Constants */
#define PVIO_ABI_VERSION 1 /* Version of this document's ABI; `PVIO_INFO_ABI_VERSION` returns it. */
#define PVIO_PAGE_SIZE 4096 /* Size of a page, a grant and a grant-window slot. */
#define PVIO_DOMID_HOST 0 /* The hypervisor's own domid (owner of the registry root). */
#define PVIO_DOMID_FIRST_VM 1 /* Domid of the first VM in the system file. */
#define PVIO_MAX_VMS 16 /* Most VMs one system may hold (domids 1..16). */
#define PVIO_SHARED_INFO_GPA 0x30000000 /* Guest-physical address of the shared-info page. */
#define PVIO_SHARED_INFO_MAGIC 0x49535650 /* First word of the shared-info page ("PVSI" in memory order). */
#define PVIO_GRANT_WINDOW_BASE 0x30400000 /* Guest-physical address of grant-window slot 0. */
#define PVIO_GRANT_WINDOW_SLOTS 256 /* Number of slots in the grant window. */
#define SBI_SPEC_VERSION 0x02000000 /* Returned by `sbi_get_spec_version`: major 2 (bits 30:24), minor 0. */
#define SBI_IMPL_ID_PVLAB 0x50564C42 /* Returned by `sbi_get_impl_id`. Not registered with RISC-V International; chosen far above the assigned ids. */
#define SBI_IMPL_VERSION_PVLAB 1 /* Returned by `sbi_get_impl_version`. */
#define SBI_HSM_STATE_STARTED 0 /* HSM hart state. */
#define SBI_HSM_STATE_STOPPED 1 /* HSM hart state. */
#define SBI_HSM_STATE_START_PENDING 2 /* HSM hart state. */
#define SBI_HSM_STATE_STOP_PENDING 3 /* HSM hart state. */
#define SBI_HSM_STATE_SUSPENDED 4 /* HSM hart state. */
#define SBI_HSM_STATE_SUSPEND_PENDING 5 /* HSM hart state. */
#define SBI_HSM_STATE_RESUME_PENDING 6 /* HSM hart state. */
#define SBI_HSM_SUSPEND_RET_DEFAULT 0 /* Retentive suspend (behaves like `wfi`). */
#define SBI_HSM_SUSPEND_NON_RET_DEFAULT PVLAB_U(0x80000000) /* Non-retentive suspend (resumes at `resume_addr`). */
#define SBI_SRST_TYPE_SHUTDOWN 0 /* Stop the calling VM. */
#define SBI_SRST_TYPE_COLD_REBOOT 1 /* Restart the calling VM from its initial snapshot. */
#define SBI_SRST_TYPE_WARM_REBOOT 2 /* Same as cold reboot in pvlab. */
#define SBI_SRST_REASON_NONE 0 /* Orderly reset. */
#define SBI_SRST_REASON_SYSTEM_FAILURE 1 /* The guest reports a failure (panic): a fault of that VM, handled by the restart policy. */
#define PVIO_GRANT_MAX_REFS 256 /* Size of each VM's grant table (grefs 1..255 usable). */
#define PVIO_GRANT_REF_INVALID 0 /* Never a valid gref. */
#define PVIO_EVTCHN_MAX_PORTS 128 /* Ports per VM (0..127). */
#define PVIO_EVTCHN_FIRST_DYNAMIC 4 /* First port `alloc_unbound`/`bind_interdomain` hand out; 0..3 are reserved. */
#define PVIO_EVTCHN_PORT_WATCH 0 /* Reserved port: set pending when a registry watch event is queued for the VM. */
#define PVIO_EVTCHN_IRQ 1 /* Interrupt code (`scause` without the interrupt bit) used to signal events: supervisor software interrupt. */
#define PVIO_EVTCHN_SIP_MASK 0x2 /* The `sip`/`sie` bit of that interrupt (SSIP). */
#define PVIO_REG_MAX_PATH 256 /* Longest absolute path, in bytes. */
#define PVIO_REG_MAX_VALUE 256 /* Longest value, in bytes. */
#define PVIO_REG_MAX_NODES_PER_VM 256 /* Nodes one VM may create. */
#define PVIO_REG_MAX_WATCHES_PER_VM 32 /* Watches one VM may hold. */
#define PVIO_REG_WATCH_QUEUE_LEN 64 /* Watch events queued per VM. */
#define PVIO_REG_WATCH_TOKEN_OVERFLOW PVLAB_U(0xFFFFFFFF) /* Token of the overflow event. */

/* ---- SBI error codes (a0 on return) */
#define SBI_SUCCESS 0 /* Completed. */
#define SBI_ERR_FAILED (-1) /* Failed; in PVIO: a table or quota is full (grants, ports, registry nodes, watches). */
#define SBI_ERR_NOT_SUPPORTED (-2) /* Unknown extension or function. */
#define SBI_ERR_INVALID_PARAM (-3) /* Malformed argument, or a handle (domid, gref, port, slot, registry path) that names nothing. */
#define SBI_ERR_DENIED (-4) /* Not permitted: not the grantee, read-only grant, registry permission, reserved port, grant still mapped. */
#define SBI_ERR_INVALID_ADDRESS (-5) /* A guest-physical buffer or page is not inside the caller's RAM. */
#define SBI_ERR_ALREADY_AVAILABLE (-6) /* The thing to create exists already: grant-window slot in use, watch registered. */
#define SBI_ERR_ALREADY_STARTED (-7) /* HSM: hart already started. */
#define SBI_ERR_ALREADY_STOPPED (-8) /* HSM: hart already stopped. */
#define SBI_ERR_NO_SHMEM (-9) /* Shared memory not available (SBI v2.0 code; pvlab does not return it). */

/* ---- Keys of PVIO_FID_GET_INFO */
#define PVIO_INFO_ABI_VERSION 0 /* `PVIO_ABI_VERSION`. */
#define PVIO_INFO_DOMID 1 /* The caller's domid. */
#define PVIO_INFO_NUM_VMS 2 /* Number of VMs (domids 1..n). */
#define PVIO_INFO_SHARED_INFO_GPA 3 /* `PVIO_SHARED_INFO_GPA`. */
#define PVIO_INFO_GRANT_WINDOW_BASE 4 /* `PVIO_GRANT_WINDOW_BASE`. */
#define PVIO_INFO_GRANT_WINDOW_SLOTS 5 /* `PVIO_GRANT_WINDOW_SLOTS`. */
#define PVIO_INFO_GRANT_MAX_REFS 6 /* `PVIO_GRANT_MAX_REFS`. */
#define PVIO_INFO_EVTCHN_MAX_PORTS 7 /* `PVIO_EVTCHN_MAX_PORTS`. */

/* ---- Registry key names */
#define PVIO_KEY_STATE "state" /* In both directories: that side's handshake state, written by that side. */
#define PVIO_KEY_BACKEND "backend" /* Device dir, written by the host: absolute path of the backend dir. */
#define PVIO_KEY_BACKEND_ID "backend-id" /* Device dir, written by the host: backend domid. */
#define PVIO_KEY_FRONTEND "frontend" /* Backend dir, written by the host: absolute path of the device dir. */
#define PVIO_KEY_FRONTEND_ID "frontend-id" /* Backend dir, written by the host: frontend domid. */
#define PVIO_KEY_RING_REF "ring-ref" /* Device dir, written by the frontend: gref of the shared ring page. */
#define PVIO_KEY_EVENT_CHANNEL "event-channel" /* Device dir, written by the frontend: its unbound port for the backend. */
#define PVIO_KEY_SECTORS "sectors" /* Backend dir of a `blk` device, written by the backend: capacity in 512-byte sectors. */
#define PVIO_KEY_SECTOR_SIZE "sector-size" /* Backend dir of a `blk` device, written by the backend: bytes per sector. */

/* ---- Split-device kinds */
#define PVIO_KIND_BLK "blk" /* Block device (blkif-style ring). */
#define PVIO_KIND_NET "net" /* Network device (netif-style rings). */

/* ---- Split-driver handshake states (registry "state" values) */
#define PVIO_STATE_UNKNOWN 0 /* Not a state; what a missing or unparsable `state` reads as. */
#define PVIO_STATE_INITIALISING 1 /* Provisioned by the host; the driver has not started. */
#define PVIO_STATE_INITWAIT 2 /* Backend: ready, waiting for the frontend's ring details. */
#define PVIO_STATE_INITIALISED 3 /* Frontend: `ring-ref` and `event-channel` written. */
#define PVIO_STATE_CONNECTED 4 /* Ring in use. */
#define PVIO_STATE_CLOSING 5 /* Orderly shutdown in progress. */
#define PVIO_STATE_CLOSED 6 /* This side is gone (also set by the host when a VM fails). */

/* ---- SBI extensions */
#define SBI_EXT_LEGACY_CONSOLE_PUTCHAR 0x01 /* Legacy console output (Linux 6.1's SBI console uses it). */
#define SBI_EXT_LEGACY_CONSOLE_GETCHAR 0x02 /* Legacy console input. */
#define SBI_EXT_BASE 0x10 /* Base extension; reports SBI v2.0. */
#define SBI_EXT_TIME 0x54494D45 /* Timer ("TIME"). */
#define SBI_EXT_IPI 0x735049 /* Inter-processor interrupts between vCPUs of one VM ("sPI"). */
#define SBI_EXT_RFENCE 0x52464E43 /* Remote fences ("RFNC"). */
#define SBI_EXT_HSM 0x48534D /* Hart state management for vCPUs ("HSM"). */
#define SBI_EXT_SRST 0x53525354 /* System reset of the calling VM ("SRST"). */
#define SBI_EXT_DBCN 0x4442434E /* Debug console ("DBCN"). */
#define SBI_EXT_PVIO 0x0A505649 /* pvlab paravirtual I/O: self-information, grant table, event channels, registry. Firmware-specific range 0x0A000000–0x0AFFFFFF. */

/* ---- Function ids */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6
#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI 0
#define SBI_RFENCE_REMOTE_FENCE_I 0
#define SBI_RFENCE_REMOTE_SFENCE_VMA 1
#define SBI_RFENCE_REMOTE_SFENCE_VMA_ASID 2
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3
#define SBI_SRST_SYSTEM_RESET 0
#define SBI_DBCN_CONSOLE_WRITE 0
#define SBI_DBCN_CONSOLE_READ 1
#define SBI_DBCN_CONSOLE_WRITE_BYTE 2
#define PVIO_FID_GET_INFO 0x00
#define PVIO_FID_GRANT_ACCESS 0x10
#define PVIO_FID_GRANT_END 0x11
#define PVIO_FID_GRANT_MAP 0x12
#define PVIO_FID_GRANT_UNMAP 0x13
#define PVIO_FID_EVTCHN_ALLOC_UNBOUND 0x20
#define PVIO_FID_EVTCHN_BIND_INTERDOMAIN 0x21
#define PVIO_FID_EVTCHN_SEND 0x22
#define PVIO_FID_EVTCHN_CLOSE 0x23
#define PVIO_FID_EVTCHN_MASK 0x24
#define PVIO_FID_EVTCHN_UNMASK 0x25
#define PVIO_FID_REG_READ 0x30
#define PVIO_FID_REG_WRITE 0x31
#define PVIO_FID_REG_MKDIR 0x32
#define PVIO_FID_REG_REMOVE 0x33
#define PVIO_FID_REG_LIST 0x34
#define PVIO_FID_REG_WATCH 0x35
#define PVIO_FID_REG_UNWATCH 0x36
#define PVIO_FID_REG_READ_WATCH 0x37

/* ---- Registry layout (printf formats) */
#define PVIO_REG_VM_DIR_FMT "/vm/%u" /* /vm/{domid} */
#define PVIO_REG_DEVICE_DIR_FMT "/vm/%u/device/%s/%u" /* /vm/{domid}/device/{kind}/{idx} */
#define PVIO_REG_BACKEND_DIR_FMT "/vm/%u/backend/%s/%u/%u" /* /vm/{domid}/backend/{kind}/{frontend}/{idx} */

/* ---- Shared-info page offsets */
#define PVIO_SI_MAGIC 0x000
#define PVIO_SI_ABI_VERSION 0x004
#define PVIO_SI_DOMID 0x008
#define PVIO_SI_NUM_VMS 0x00c
#define PVIO_SI_EVTCHN_MAX_PORTS 0x010
#define PVIO_SI_EVTCHN_PENDING 0x040
#define PVIO_SI_EVTCHN_PENDING_WORDS 4
#define PVIO_SI_EVTCHN_MASK 0x080
#define PVIO_SI_EVTCHN_MASK_WORDS 4
#define PVIO_SI_SIZE 0x090 /* bytes that carry fields */

#ifndef __ASSEMBLER__

typedef __UINT32_TYPE__ pvio_u32;

struct pvio_shared_info {
	pvio_u32 magic; /* `PVIO_SHARED_INFO_MAGIC`. */
	pvio_u32 abi_version; /* `PVIO_ABI_VERSION`. */
	pvio_u32 domid; /* This VM's domid. */
	pvio_u32 num_vms; /* Number of VMs in the system. */
	pvio_u32 evtchn_max_ports; /* `PVIO_EVTCHN_MAX_PORTS`. */
	pvio_u32 _reserved_014[11];
	pvio_u32 evtchn_pending[4]; /* Pending bitmap: bit *p % 32* of word *p / 32* is port *p*. The hypervisor sets bits; the guest clears them (use `amoand.w`/`amoswap.w`). */
	pvio_u32 _reserved_050[12];
	pvio_u32 evtchn_mask[4]; /* Mask bitmap, same indexing. Maintained by `PVIO_FID_EVTCHN_MASK`/`UNMASK`; the guest reads it. A guest that writes it directly changes the mask, but clearing a bit that way does not re-deliver an event that is already pending. */
};
_Static_assert(__builtin_offsetof(struct pvio_shared_info, magic) == PVIO_SI_MAGIC, "shared-info layout");
_Static_assert(__builtin_offsetof(struct pvio_shared_info, abi_version) == PVIO_SI_ABI_VERSION, "shared-info layout");
_Static_assert(__builtin_offsetof(struct pvio_shared_info, domid) == PVIO_SI_DOMID, "shared-info layout");
_Static_assert(__builtin_offsetof(struct pvio_shared_info, num_vms) == PVIO_SI_NUM_VMS, "shared-info layout");
_Static_assert(__builtin_offsetof(struct pvio_shared_info, evtchn_max_ports) == PVIO_SI_EVTCHN_MAX_PORTS, "shared-info layout");
_Static_assert(__builtin_offsetof(struct pvio_shared_info, evtchn_pending) == PVIO_SI_EVTCHN_PENDING, "shared-info layout");
_Static_assert(__builtin_offsetof(struct pvio_shared_info, evtchn_mask) == PVIO_SI_EVTCHN_MASK, "shared-info layout");

/* SBI return pair: a0 = error (SBI_SUCCESS or SBI_ERR_*), a1 = value. */
struct sbiret {
	long error;
	long value;
};

/* One hypercall: a7 = EID, a6 = FID, a0..a5 = arguments. Arguments are guest-physical where they are addresses. */
static inline struct sbiret pvlab_sbi_ecall(unsigned long eid, unsigned long fid,
					      unsigned long arg0, unsigned long arg1, unsigned long arg2,
					      unsigned long arg3, unsigned long arg4, unsigned long arg5)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a3 __asm__("a3") = arg3;
	register unsigned long a4 __asm__("a4") = arg4;
	register unsigned long a5 __asm__("a5") = arg5;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = eid;
	__asm__ __volatile__("ecall"
			     : "+r"(a0), "+r"(a1)
			     : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
			     : "memory");
	struct sbiret ret = { (long)a0, (long)a1 };
	return ret;
}

/* A legacy call: a7 = EID, a0 = argument; the result comes back in a0 (a1 is treated as clobbered, to be safe). */
static inline long pvlab_sbi_legacy_ecall(unsigned long eid, unsigned long arg0)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a7 __asm__("a7") = eid;
	__asm__ __volatile__("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");
	return (long)a0;
}

/* Writes one byte; `a0` = 0. */
static inline long sbi_console_putchar(unsigned long ch)
{
	return pvlab_sbi_legacy_ecall(SBI_EXT_LEGACY_CONSOLE_PUTCHAR, ch);
}

/* `a0` = next input byte, or -1 if none. */
static inline long sbi_console_getchar(void)
{
	return pvlab_sbi_legacy_ecall(SBI_EXT_LEGACY_CONSOLE_GETCHAR, 0);
}

/* `SBI_SPEC_VERSION`. Value: version. */
static inline struct sbiret sbi_get_spec_version(void)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0);
}

/* `SBI_IMPL_ID_PVLAB`. Value: impl_id. */
static inline struct sbiret sbi_get_impl_id(void)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0);
}

/* `SBI_IMPL_VERSION_PVLAB`. Value: impl_version. */
static inline struct sbiret sbi_get_impl_version(void)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, 0, 0, 0);
}

/* 1 if the extension is served, else 0. Value: available. */
static inline struct sbiret sbi_probe_extension(unsigned long eid)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid, 0, 0, 0, 0, 0);
}

/* 0. Value: mvendorid. */
static inline struct sbiret sbi_get_mvendorid(void)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID, 0, 0, 0, 0, 0, 0);
}

/* 0. Value: marchid. */
static inline struct sbiret sbi_get_marchid(void)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_MARCHID, 0, 0, 0, 0, 0, 0);
}

/* 0. Value: mimpid. */
static inline struct sbiret sbi_get_mimpid(void)
{
	return pvlab_sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_MIMPID, 0, 0, 0, 0, 0, 0);
}

/* Raises STIP when `time` ≥ the 64-bit value; clears a pending STIP. */
static inline struct sbiret sbi_set_timer(unsigned long stime_lo, unsigned long stime_hi)
{
	return pvlab_sbi_ecall(SBI_EXT_TIME, SBI_TIME_SET_TIMER, stime_lo, stime_hi, 0, 0, 0, 0);
}

/* Sets SSIP on the selected vCPUs of the calling VM. */
static inline struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return pvlab_sbi_ecall(SBI_EXT_IPI, SBI_IPI_SEND_IPI, hart_mask, hart_mask_base, 0, 0, 0, 0);
}

/* `fence.i` on the selected vCPUs. */
static inline struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return pvlab_sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_FENCE_I, hart_mask, hart_mask_base, 0, 0, 0, 0);
}

/* `sfence.vma` over the range on the selected vCPUs. */
static inline struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base, unsigned long start_addr, unsigned long size)
{
	return pvlab_sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA, hart_mask, hart_mask_base, start_addr, size, 0, 0);
}

/* Same, for one ASID. */
static inline struct sbiret sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long hart_mask_base, unsigned long start_addr, unsigned long size, unsigned long asid)
{
	return pvlab_sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_REMOTE_SFENCE_VMA_ASID, hart_mask, hart_mask_base, start_addr, size, asid, 0);
}

/* Starts a stopped vCPU in S-mode at `start_addr` with `a0` = hartid, `a1` = opaque. */
static inline struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque)
{
	return pvlab_sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_addr, opaque, 0, 0, 0);
}

/* Stops the calling vCPU; does not return on success. */
static inline struct sbiret sbi_hart_stop(void)
{
	return pvlab_sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0, 0, 0, 0);
}

/* One of `SBI_HSM_STATE_*`. Value: state. */
static inline struct sbiret sbi_hart_get_status(unsigned long hartid)
{
	return pvlab_sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0, 0, 0, 0);
}

/* `SBI_HSM_SUSPEND_*`. */
static inline struct sbiret sbi_hart_suspend(unsigned long suspend_type, unsigned long resume_addr, unsigned long opaque)
{
	return pvlab_sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, suspend_type, resume_addr, opaque, 0, 0, 0);
}

/* Resets the calling VM; does not return on success. */
static inline struct sbiret sbi_system_reset(unsigned long reset_type, unsigned long reset_reason)
{
	return pvlab_sbi_ecall(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, reset_type, reset_reason, 0, 0, 0, 0);
}

/* Writes bytes from guest-physical memory. Value: written. */
static inline struct sbiret sbi_debug_console_write(unsigned long num_bytes, unsigned long base_addr_lo, unsigned long base_addr_hi)
{
	return pvlab_sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, num_bytes, base_addr_lo, base_addr_hi, 0, 0, 0);
}

/* Reads up to `num_bytes` input bytes. Value: read. */
static inline struct sbiret sbi_debug_console_read(unsigned long num_bytes, unsigned long base_addr_lo, unsigned long base_addr_hi)
{
	return pvlab_sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, num_bytes, base_addr_lo, base_addr_hi, 0, 0, 0);
}

/* Writes one byte. */
static inline struct sbiret sbi_debug_console_write_byte(unsigned long byte)
{
	return pvlab_sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, byte, 0, 0, 0, 0, 0);
}

/* One `PVIO_INFO_*` value; an unknown key gives `SBI_ERR_INVALID_PARAM`. Value: value. */
static inline struct sbiret pvio_get_info(unsigned long key)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_GET_INFO, key, 0, 0, 0, 0, 0);
}

/* Lets VM `domid` map the caller's page `gfn` (guest-physical address >> 12, inside the caller's RAM), read-only if `readonly` ≠ 0. Value: gref. */
static inline struct sbiret pvio_grant_access(unsigned long domid, unsigned long gfn, unsigned long readonly)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_GRANT_ACCESS, domid, gfn, readonly, 0, 0, 0);
}

/* Withdraws a grant. `SBI_ERR_DENIED` while the grantee still maps it. */
static inline struct sbiret pvio_grant_end(unsigned long gref)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_GRANT_END, gref, 0, 0, 0, 0, 0);
}

/* Maps grant `gref` of VM `granter` into the caller's window slot `slot`; returns the slot's guest-physical address. Value: gpa. */
static inline struct sbiret pvio_grant_map(unsigned long granter, unsigned long gref, unsigned long slot, unsigned long writable)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_GRANT_MAP, granter, gref, slot, writable, 0, 0);
}

/* Empties a window slot. */
static inline struct sbiret pvio_grant_unmap(unsigned long slot)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_GRANT_UNMAP, slot, 0, 0, 0, 0, 0);
}

/* New local port that VM `remote_domid` may bind to. Value: port. */
static inline struct sbiret pvio_evtchn_alloc_unbound(unsigned long remote_domid)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_EVTCHN_ALLOC_UNBOUND, remote_domid, 0, 0, 0, 0, 0);
}

/* New local port connected to `remote_port`, which must be unbound and allocated for the caller. Value: port. */
static inline struct sbiret pvio_evtchn_bind_interdomain(unsigned long remote_domid, unsigned long remote_port)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_EVTCHN_BIND_INTERDOMAIN, remote_domid, remote_port, 0, 0, 0, 0);
}

/* Signals the peer; 1 if the port was connected, 0 if it is unbound (event dropped). Value: delivered. */
static inline struct sbiret pvio_evtchn_send(unsigned long port)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_EVTCHN_SEND, port, 0, 0, 0, 0, 0);
}

/* Frees the port; a connected peer's port becomes unbound. */
static inline struct sbiret pvio_evtchn_close(unsigned long port)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_EVTCHN_CLOSE, port, 0, 0, 0, 0, 0);
}

/* Stops interrupts for the port (pending bits are still set). */
static inline struct sbiret pvio_evtchn_mask(unsigned long port)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_EVTCHN_MASK, port, 0, 0, 0, 0, 0);
}

/* Re-enables interrupts; raises one at once if the port is pending. */
static inline struct sbiret pvio_evtchn_unmask(unsigned long port)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_EVTCHN_UNMASK, port, 0, 0, 0, 0, 0);
}

/* Value of a node; see "Registry calls" for buffers. Value: length. */
static inline struct sbiret pvio_reg_read(unsigned long path, unsigned long path_len, unsigned long buf, unsigned long buf_len)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_READ, path, path_len, buf, buf_len, 0, 0);
}

/* Sets a node's value, creating missing ancestors. */
static inline struct sbiret pvio_reg_write(unsigned long path, unsigned long path_len, unsigned long value, unsigned long value_len)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_WRITE, path, path_len, value, value_len, 0, 0);
}

/* Creates an empty node (and ancestors) if missing. */
static inline struct sbiret pvio_reg_mkdir(unsigned long path, unsigned long path_len)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_MKDIR, path, path_len, 0, 0, 0, 0);
}

/* Removes a node and its subtree. */
static inline struct sbiret pvio_reg_remove(unsigned long path, unsigned long path_len)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_REMOVE, path, path_len, 0, 0, 0, 0);
}

/* Names of the children, each followed by a NUL, in byte order. Value: length. */
static inline struct sbiret pvio_reg_list(unsigned long path, unsigned long path_len, unsigned long buf, unsigned long buf_len)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_LIST, path, path_len, buf, buf_len, 0, 0);
}

/* Watches a path and everything below it. */
static inline struct sbiret pvio_reg_watch(unsigned long path, unsigned long path_len, unsigned long token)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_WATCH, path, path_len, token, 0, 0, 0);
}

/* Removes a watch and its queued events. */
static inline struct sbiret pvio_reg_unwatch(unsigned long path, unsigned long path_len, unsigned long token)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_UNWATCH, path, path_len, token, 0, 0, 0);
}

/* Takes the oldest watch event; 0 if the queue is empty. Value: length. */
static inline struct sbiret pvio_reg_read_watch(unsigned long buf, unsigned long buf_len)
{
	return pvlab_sbi_ecall(SBI_EXT_PVIO, PVIO_FID_REG_READ_WATCH, buf, buf_len, 0, 0, 0, 0);
}

#endif /* !__ASSEMBLER__ */

#endif /* PVLAB_ABI_H */
