/* SBI BASE, TIME, IPI, HSM, DBCN, legacy console, PVIO info and the shared-info page, from a guest. */
#include "pvrt.h"

static int failures;
static volatile u32 secondary_ran;

static void check(int ok, const char *what)
{
	if (ok) return;
	failures++;
	puts("check failed: ");
	puts(what);
	putc('\n');
}

void secondary_main(u32 hartid, u32 opaque)
{
	secondary_ran = hartid * 0x100 + opaque;
}

static u32 be32(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }

void guest_main(u32 hartid, u32 dtb)
{
	pvrt_init();
	puts("sbi: hello from hart ");
	put_dec(hartid);
	putc('\n');
	check(hartid == 0, "boot hart is 0");
	check(be32((const u8 *)dtb) == 0xd00dfeed, "a1 points to a DTB");
	check((dtb & 7) == 0, "DTB is 8-byte aligned");

	/* BASE */
	struct sbiret r = sbi_get_spec_version();
	check(r.error == 0 && r.value == SBI_SPEC_VERSION, "spec version 2.0");
	check(sbi_get_impl_id().value == (long)SBI_IMPL_ID_PVLAB, "impl id");
	check(sbi_probe_extension(SBI_EXT_TIME).value == 1, "probe TIME");
	check(sbi_probe_extension(SBI_EXT_PVIO).value == 1, "probe PVIO");
	check(sbi_probe_extension(0x12345678).value == 0, "probe unknown");
	check(pvlab_sbi_ecall(SBI_EXT_BASE, 99, 0, 0, 0, 0, 0, 0).error == SBI_ERR_NOT_SUPPORTED, "unknown FID");
	check(pvlab_sbi_ecall(0x7fff0000, 0, 0, 0, 0, 0, 0, 0).error == SBI_ERR_NOT_SUPPORTED, "unknown EID");
	check(sbi_get_mvendorid().value == 0, "mvendorid");

	/* TIME: a deadline 1000 ticks (100 us) ahead raises STIP; a far one clears it. */
	u32 t0 = time_now();
	sbi_set_timer(t0 + 1000, 0);
	check((csr_read(sip) & SIP_STIP) == 0, "no STIP before the deadline");
	while (!(csr_read(sip) & SIP_STIP)) __asm__ __volatile__("wfi");
	u32 t1 = time_now();
	check(t1 - t0 >= 1000, "STIP not before the deadline");
	check(t1 - t0 < 1000 + 2000, "STIP soon after the deadline");
	sbi_set_timer(0xffffffffu, 0xffffffffu);
	check((csr_read(sip) & SIP_STIP) == 0, "set_timer clears STIP");

	/* IPI to self */
	check(sbi_send_ipi(1, 0).error == 0, "send_ipi");
	check((csr_read(sip) & SIP_SSIP) != 0, "IPI sets SSIP");
	csr_clear(sip, SIP_SSIP);
	check(sbi_send_ipi(1, 5).error == SBI_ERR_INVALID_PARAM, "IPI to a missing hart");
	check(sbi_remote_fence_i(1, 0).error == 0, "remote fence.i");
	check(sbi_remote_sfence_vma(0, (unsigned long)-1, 0, 4096).error == 0, "remote sfence.vma to all");

	/* HSM */
	check(sbi_hart_get_status(0).value == SBI_HSM_STATE_STARTED, "hart 0 started");
	check(sbi_hart_get_status(1).value == SBI_HSM_STATE_STOPPED, "hart 1 stopped");
	extern char secondary_entry[];
	check(sbi_hart_start(1, (unsigned long)secondary_entry, 7).error == 0, "hart_start");
	check(sbi_hart_start(1, (unsigned long)secondary_entry, 7).error == SBI_ERR_ALREADY_STARTED, "second hart_start refused");
	for (int i = 0; i < 100000 && secondary_ran == 0; i++) __asm__ __volatile__("nop");
	check(secondary_ran == 0x107, "secondary ran with a0 = 1, a1 = opaque");
	for (int i = 0; i < 100000 && sbi_hart_get_status(1).value != SBI_HSM_STATE_STOPPED; i++) __asm__ __volatile__("nop");
	check(sbi_hart_get_status(1).value == SBI_HSM_STATE_STOPPED, "hart 1 stopped again");
	check(sbi_hart_get_status(9).error == SBI_ERR_INVALID_PARAM, "status of a missing hart");

	/* DBCN and the legacy console */
	static const char msg[] = "sbi: dbcn write\n";
	r = sbi_debug_console_write(sizeof msg - 1, (unsigned long)msg, 0);
	check(r.error == 0 && r.value == sizeof msg - 1, "dbcn write returns the length");
	check(sbi_debug_console_write(4, 0x10000000, 0).error == SBI_ERR_INVALID_ADDRESS, "dbcn write outside RAM");
	check(sbi_debug_console_write(4, (unsigned long)msg, 1).error == SBI_ERR_INVALID_ADDRESS, "dbcn write above 4 GiB");
	sbi_console_putchar('L');
	sbi_console_putchar('\n');
	check(sbi_console_getchar() == -1, "no console input");

	/* PVIO self-information and the shared-info page */
	check(pvio_get_info(PVIO_INFO_DOMID).value == 1, "domid 1");
	check(pvio_get_info(PVIO_INFO_ABI_VERSION).value == PVIO_ABI_VERSION, "ABI version");
	check(pvio_get_info(PVIO_INFO_GRANT_WINDOW_BASE).value == PVIO_GRANT_WINDOW_BASE, "grant window base");
	check(pvio_get_info(999).error == SBI_ERR_INVALID_PARAM, "unknown info key");
	check(SI->magic == PVIO_SHARED_INFO_MAGIC, "shared-info magic");
	check(SI->domid == 1, "shared-info domid");
	check(SI->num_vms == pvio_get_info(PVIO_INFO_NUM_VMS).value, "shared-info num_vms");
	volatile u32 *scratch = (volatile u32 *)(PVIO_SHARED_INFO_GPA + 0x200);
	*scratch = 40;
	u32 old = __atomic_fetch_add((u32 *)scratch, 2u, __ATOMIC_SEQ_CST);
	check(old == 40 && *scratch == 42, "AMO on the shared-info page");

	verdict(failures == 0, "sbi-basic");
}
