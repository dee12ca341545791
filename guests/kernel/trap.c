/*
 * Trap handling. pvk runs with sstatus.SIE = 0, so interrupts never trap
 * (they wake `wfi`, and the event loop dispatches them). Every exception is
 * therefore unexpected: it is reported with its cause, pc and stval through
 * SBI SRST SYSTEM_FAILURE, which the hypervisor handles as a fault of this
 * VM (restart policy). A trap while reporting one goes straight to SRST.
 */
#include <pvk/kernel.h>

struct trap_frame {
	u32 x[32]; /* x[0] unused; x[2] = the interrupted sp */
	u32 sepc;
	u32 pad;
};

static volatile u32 trap_depth;

static const char *cause_name(u32 c)
{
	static const char *const names[] = {
		"instruction address misaligned", "instruction access fault", "illegal instruction", "breakpoint",
		"load address misaligned", "load access fault", "store address misaligned", "store access fault",
		"environment call from U-mode", "environment call from S-mode", "reserved", "environment call from M-mode",
		"instruction page fault", "load page fault", "reserved", "store page fault",
	};
	return c < ARRAY_SIZE(names) ? names[c] : "unknown exception";
}

void trap_handler(struct trap_frame *f)
{
	u32 scause = csr_read(scause);
	u32 stval = csr_read(stval);
	if (scause & 0x80000000u) {
		/* Cannot happen with SIE = 0; if it does, stop that source and carry on. */
		csr_clear(sie, 1u << (scause & 31));
		return;
	}
	if (++trap_depth > 1) {
		/* A trap while reporting a trap: report without touching anything else. */
		sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSTEM_FAILURE);
		for (;;) __asm__ __volatile__("wfi");
	}
	panic("unexpected trap: %s (scause %u) at pc 0x%08x, stval 0x%08x, ra 0x%08x, sp 0x%08x",
	      cause_name(scause), scause, f->sepc, stval, f->x[1], f->x[2]);
}
