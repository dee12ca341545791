/*
 * A hostile guest: random hypercalls with random arguments (never SRST, HSM
 * stop or suspend, so it keeps going). Prints how many it made.
 */
#include "pvrt.h"

#ifndef CALLS
#define CALLS 20000
#endif

static u8 scratch[8192];
static u32 s = 0x2545f491;

static u32 rnd(void)
{
	s ^= s << 13;
	s ^= s >> 17;
	s ^= s << 5;
	return s;
}

static const u32 eids[] = {
	SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_DBCN, SBI_EXT_PVIO,
	SBI_EXT_LEGACY_CONSOLE_PUTCHAR, SBI_EXT_LEGACY_CONSOLE_GETCHAR, 0, 3, 8, 0x0A000000, 0x0AFFFFFF,
};

static u32 arg(void)
{
	switch (rnd() % 10) {
	case 0: return rnd();
	case 1: return rnd() % 300;
	case 2: return 1 + rnd() % 4;
	case 3: return (u32)scratch + rnd() % sizeof scratch;
	case 4: return (u32)scratch + sizeof scratch - rnd() % 16;
	case 5: return 0xffffffffu - rnd() % 8;
	case 6: return PVIO_GRANT_WINDOW_BASE + (rnd() % 300) * 4096;
	case 7: return 0x80400000u - rnd() % 64;
	case 8: return ((u32)scratch >> 12) + rnd() % 4;
	default: return rnd() % 64;
	}
}

void guest_main(void)
{
	s ^= time_now();
	u32 made = 0;
	for (u32 i = 0; i < CALLS; i++) {
		u32 eid = rnd() % 8 == 0 ? rnd() : eids[rnd() % (sizeof eids / sizeof eids[0])];
		static const u8 pvio_fids[] = { 0x00, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
						0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37 };
		u32 fid = rnd() % 8 == 0 ? rnd() : eid == SBI_EXT_PVIO ? pvio_fids[rnd() % sizeof pvio_fids] : rnd() % 8;
		if (eid == SBI_EXT_HSM && (fid == SBI_HSM_HART_STOP || fid == SBI_HSM_HART_SUSPEND)) continue;
		if (eid == SBI_EXT_SRST) continue;
		u32 a0 = arg(), a1 = arg(), a2 = arg(), a3 = arg(), a4 = arg(), a5 = arg();
		if (eid == SBI_EXT_DBCN && fid == SBI_DBCN_CONSOLE_WRITE) a0 &= 63; /* keep the console readable */
		pvlab_sbi_ecall(eid, fid, a0, a1, a2, a3, a4, a5);
		made++;
	}
	puts("\nhostile: made ");
	put_dec(made);
	puts(" calls\n");
	verdict(1, "hostile");
}
