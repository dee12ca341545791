/*
 * Isolation from inside a VM. With a trap handler: loads and stores outside
 * the VM's memory are access faults the guest catches. Built with
 * NO_TRAP_HANDLER: the first such store is an unhandled trap (a VM fault).
 */
#include "pvrt.h"

static volatile u32 last_cause, last_tval, traps;

static int on_trap(struct trap_frame *f, u32 cause, u32 stval)
{
	(void)f;
	last_cause = cause;
	last_tval = stval;
	traps++;
	return 1;
}

static int failures;

static void expect_fault(u32 cause, u32 addr, const char *what)
{
	if (last_cause == cause && last_tval == addr && traps) {
		traps = 0;
		return;
	}
	failures++;
	puts("iso: no fault for ");
	puts(what);
	putc('\n');
}

void guest_main(void)
{
#ifdef NO_TRAP_HANDLER
	puts("iso: storing outside my RAM\n");
	*(volatile u32 *)0x80800000 = 1;
	puts("iso: still alive?\n");
	verdict(0, "iso-crash");
#else
	trap_hook = on_trap;
	u32 v = *(volatile u32 *)0x10000000; /* the UART is not passed through */
	(void)v;
	expect_fault(5, 0x10000000, "load from an unowned device");
	*(volatile u32 *)0x80800000 = 1;       /* beyond this VM's 4 MiB: where a neighbour's RAM would be */
	expect_fault(7, 0x80800000, "store beyond RAM");
	v = *(volatile u32 *)(PVIO_GRANT_WINDOW_BASE + 5 * PVIO_PAGE_SIZE);
	expect_fault(5, PVIO_GRANT_WINDOW_BASE + 5 * PVIO_PAGE_SIZE, "load from an empty grant slot");
	__atomic_fetch_add((u32 *)PVIO_GRANT_WINDOW_BASE, 1u, __ATOMIC_SEQ_CST);
	expect_fault(7, PVIO_GRANT_WINDOW_BASE, "AMO on an empty grant slot");
	*(volatile u32 *)0x02000000 = 1;       /* no CLINT in a VM */
	expect_fault(7, 0x02000000, "store to the (absent) CLINT");
	(void)*(volatile u32 *)0x0c000004;      /* its own PLIC is there */
	if (traps) failures++, puts("iso: own PLIC faulted\n");
	verdict(failures == 0, "iso-caught");
#endif
}
