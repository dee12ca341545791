/*
 * pvk — the pvlab paravirtualized kernel library (docs/guests.md).
 *
 * A small single-vCPU kernel for S-mode guests of the pvlab hypervisor. It
 * never does what cannot be virtualized: timer, console, reset, event
 * channels, grants and the registry all go through SBI / PVIO hypercalls
 * (docs/abi.md). Control flow is an event loop: interrupts (SSIP for event
 * channels, STIP for the timer, SEIP for passed-through devices) only wake
 * the vCPU from `wfi` (sstatus.SIE stays 0), and the loop dispatches them
 * to handlers that run to completion. Every exception is fatal: it ends in
 * an SRST SYSTEM_FAILURE report with a message, which the hypervisor turns
 * into a fault of this VM.
 */
#ifndef PVK_KERNEL_H
#define PVK_KERNEL_H
#include <pvlab/abi.h>
#include <pvk/types.h>

/* ---- boot information (from the DTB) ------------------------------------------------ */

#define PVK_MAX_VIRTIO 8

struct pvk_virtio_node {
	u32 base, size, irq;
};

struct pvk_boot_info {
	u32 hartid;
	u32 dtb;            /* guest-physical address of the DTB (end of usable RAM) */
	u32 ram_base, ram_size;
	u32 timebase_hz;
	u32 plic_base, plic_size, plic_ndev;
	u32 nvirtio;
	struct pvk_virtio_node virtio[PVK_MAX_VIRTIO];
	int have_pvbus;
	u32 domid;
	u32 grant_base, grant_size;
	u32 pvio_eid;
	u32 shared_info;
	char vm_name[33];
	char bootargs[256];
};
extern struct pvk_boot_info boot_info;

/* Parses the flattened device tree at `dtb` into boot_info; panics on a malformed tree. */
void fdt_parse(u32 dtb);

/* The program's entry, called by the kernel after initialisation. */
void pvk_main(void);
/* Name printed in front of kernel messages (the program sets it; default "pvk"). */
extern const char *pvk_name;

/* ---- parameters ------------------------------------------------------------------------
 * "key=value key2=value2 ..." from the DTB's /chosen/bootargs, else from the
 * image's parameter block `pvk_params` (a fixed-size, patchable string).  */
const char *param_str(const char *key, char *buf, u32 len);
u32 param_u32(const char *key, u32 def);

/* ---- console and failure reports ------------------------------------------------------ */

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ksnprintf(char *buf, u32 len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void kputs(const char *s);
void console_flush(void);
/* Prints the message and reports SYSTEM_FAILURE through SBI SRST; never returns. */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Orderly shutdown of this VM through SBI SRST. */
void shutdown(void) __attribute__((noreturn));
#define BUG_ON(c) do { if (c) panic("BUG at %s:%d: %s", __FILE__, __LINE__, #c); } while (0)

/* ---- strings ------------------------------------------------------------------------------ */

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy0(char *d, const char *s, size_t n); /* always NUL-terminates */
int parse_u32(const char *s, u32 *out);           /* decimal (or 0x hex); 0 on success */

/* ---- memory --------------------------------------------------------------------------------- */

void mem_init(u32 heap_start, u32 heap_end);
/* Contiguous, page-aligned pages, zeroed; NULL when out of memory. */
void *page_alloc(u32 npages);
void page_free(void *p, u32 npages);
/* Small objects (any size; >2 KiB goes to whole pages), zeroed. */
void *kmalloc(size_t n);
void kfree(void *p);
u32 mem_free_pages(void);

/* ---- time ------------------------------------------------------------------------------------ */

/* The `time` CSR (boot_info.timebase_hz ticks per second). */
u64 time_now(void);
u64 ms_to_ticks(u32 ms);
u64 us_to_ticks(u32 us);
u32 ticks_to_us(u64 ticks);

struct ktimer {
	u64 deadline;
	void (*fn)(void *arg);
	void *arg;
	struct ktimer *next;
	int armed;
};
/* (Re)arms a one-shot timer at absolute time `deadline` (ticks). */
void timer_arm(struct ktimer *t, u64 deadline, void (*fn)(void *), void *arg);
void timer_cancel(struct ktimer *t);

/* ---- the event loop ----------------------------------------------------------------------- */

/* A poller runs on every loop iteration; it returns nonzero when it did something. */
typedef int (*pvk_poll_fn)(void *arg);
void pvk_add_poller(pvk_poll_fn fn, void *arg);
/* Asks the loop not to sleep on its next iteration (there is more work). */
void pvk_kick(void);
/* One iteration: dispatch events, device interrupts, timers, watches and pollers; sleeps (wfi) if nothing happened. */
void pvk_run_once(void);
/* Runs the loop forever. */
void pvk_run(void) __attribute__((noreturn));

/* ---- event channels ------------------------------------------------------------------------ */

typedef void (*evtchn_handler_t)(u32 port, void *arg);
void evtchn_init(void);
/* New unbound port for `remote`; negative SBI error on failure. */
long evtchn_alloc_unbound(u32 remote);
long evtchn_bind(u32 remote, u32 remote_port);
void evtchn_close(u32 port);
/* Signals the peer of `port`. */
void evtchn_notify(u32 port);
void evtchn_set_handler(u32 port, evtchn_handler_t fn, void *arg);
/* Takes the pending bits from the shared-info page and runs the handlers; returns how many ports fired. */
int evtchn_dispatch(void);

/* ---- grants ------------------------------------------------------------------------------------ */

/* Grants `domid` access to the page at `page` (guest-physical); the gref, or a negative SBI error. */
long gnttab_grant(u32 domid, const void *page, int readonly);
/* Ends a grant; 0 or a negative SBI error (SBI_ERR_DENIED while the grantee maps it). */
long gnttab_end(u32 gref);
/* Maps grant `gref` of VM `granter` into a free window slot; returns its address or NULL (*err set). */
void *gnttab_map(u32 granter, u32 gref, int writable, long *err);
/* Unmaps the slot holding `addr` (an address returned by gnttab_map). */
long gnttab_unmap(void *addr);
u32 gnttab_slots_in_use(void);

/* ---- registry ----------------------------------------------------------------------------------- */

/* Reads a node into buf (NUL-terminated); its length or a negative SBI error. */
long reg_read(const char *path, char *buf, u32 len);
/* Reads a decimal node; 0 or a negative SBI error. */
long reg_read_u32(const char *path, u32 *out);
/* Reads a handshake state (PVIO_STATE_UNKNOWN when missing or unparsable). */
u32 reg_read_state(const char *path);
long reg_write(const char *path, const char *value);
long reg_write_u32(const char *path, u32 v);
long reg_remove(const char *path);
/* Names of the children, NUL-separated; total length or a negative SBI error. */
long reg_list(const char *path, char *buf, u32 len);
/* Calls `fn` for each split device of `kind` this VM serves (backend/<kind>/<frontend>/<idx>); returns how many. */
typedef void (*reg_backend_fn)(u32 frontend, u32 idx, void *arg);
int reg_for_each_backend(const char *kind, reg_backend_fn fn, void *arg);
typedef void (*reg_watch_fn)(const char *path, void *arg);
/* Watches `path` (and below); `fn` runs from the loop for each event. Returns a handle >= 0 or a negative error. */
long reg_watch(const char *path, reg_watch_fn fn, void *arg);
void reg_unwatch(long handle);
/* Drains the watch queue (port PVIO_EVTCHN_PORT_WATCH); returns how many events ran. */
int reg_dispatch_watches(void);
const char *state_name(u32 s);

/* ---- PLIC (devices passed through to this VM) ------------------------------------------------- */

typedef void (*irq_handler_t)(void *arg);
void plic_init(void);
void plic_enable(u32 source, irq_handler_t fn, void *arg);
/* Claims and handles pending device interrupts; returns how many. */
int plic_dispatch(void);

/* ---- statistics for reports --------------------------------------------------------------------- */

struct pvk_stats {
	u32 loops, sleeps, events, irqs, timers, watches;
};
extern struct pvk_stats pvk_stats;

/* A small PRNG (xorshift32) for workloads. */
static inline u32 xorshift32(u32 *s)
{
	u32 x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

#endif
