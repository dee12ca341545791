/*
 * A hostile driver VM (domid 3) beside the record-store system: it tries to
 * reach the client (domid 1) and the real driver (domid 2) in every way the
 * isolation tests list, counts what was refused, and prints one line per
 * attack: "HOSTILE <attack> refused <n>/<tries>". Its last attack, a DMA
 * outside its memory, is an IOMMU fault of this VM.
 */
#include "pvrt.h"

static volatile u32 access_faults;
static u32 tries, refused;
static char buf[64];

static int on_trap(struct trap_frame *f, u32 cause, u32 stval)
{
	(void)stval;
	(void)f;
	if (cause == 5 || cause == 7 || cause == 13 || cause == 15) { /* load/store access or page fault: the runtime skips the access */
		access_faults++;
		return 1;
	}
	return 0;
}

static void count(int was_refused) { tries++; refused += was_refused ? 1 : 0; }

static void report(const char *what)
{
	puts("HOSTILE ");
	puts(what);
	puts(" refused ");
	put_dec(refused);
	putc('/');
	put_dec(tries);
	putc('\n');
	tries = refused = 0;
}

static u32 vio;
#define R(off) (*(volatile u32 *)(vio + (off)))

/* Its virtio-blk device: the first virtio-mmio slot that answers (slots it lacks are access faults). */
static u32 find_blk(void)
{
	for (u32 base = 0x10001000u; base < 0x10009000u; base += 0x1000) {
		u32 before = access_faults;
		u32 magic = *(volatile u32 *)base, id = *(volatile u32 *)(base + 8);
		if (access_faults == before && magic == 0x74726976u && id == 2) return base;
	}
	return 0;
}

void guest_main(void)
{
	pvrt_init();
	trap_hook = on_trap;

	/* 1. Memory outside its own: other VMs' RAM is simply not in its address space; nothing is granted to it. */
	static const u32 addrs[] = { 0x80400000u, 0x80800000u, 0x7ffff000u, 0x90000000u, PVIO_GRANT_WINDOW_BASE, PVIO_GRANT_WINDOW_BASE + 4096 * 3, 0x00001000u };
	for (u32 i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
		u32 before = access_faults;
		(void)*(volatile u32 *)addrs[i];
		count(access_faults == before + 1);
		before = access_faults;
		*(volatile u32 *)addrs[i] = 0xbad0bad0u;
		count(access_faults == before + 1);
	}
	report("memory");

	/* 2. Grants it was not given: every gref the client or the driver could have issued. */
	for (u32 dom = 0; dom < 4; dom++)
		for (u32 gref = 0; gref < 16; gref++) {
			struct sbiret m = pvio_grant_map(dom, gref, 0, 1);
			count(m.error != 0);
			if (!m.error) pvio_grant_unmap(0);
		}
	report("grant-map");

	/* 3. Others' event channels: send on / close ports it does not have, bind to ports allocated for someone else. */
	for (u32 port = 1; port < 64; port++) {
		count(pvio_evtchn_send(port).error != 0);
		count(pvio_evtchn_close(port).error != 0);
		for (u32 dom = 1; dom < 3; dom++) count(pvio_evtchn_bind_interdomain(dom, port).error != 0);
	}
	report("evtchn");

	/* 4. Registry keys it does not own. */
	static const char *const keys[] = {
		"/vm/1/device/blk/0/state", "/vm/1/device/blk/0/ring-ref", "/vm/1/device/blk/0/event-channel", "/vm/1/device/blk/0/data-ref",
		"/vm/2/backend/blk/1/0/state", "/vm/2/name", "/vm/1/name", "/vm/1/newkey", "/vm/2/newkey", "/", "/vm", "/vm/4/x", "/host",
	};
	for (u32 i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		count(reg_write_str(keys[i], "6") != 0);
		count(pvio_reg_remove((unsigned long)keys[i], strlen(keys[i])).error != 0);
	}
	report("registry");

	/* 5. A hypercall flood: refused calls as fast as it can. */
	for (u32 i = 0; i < 20000; i++) count(pvio_evtchn_send(60).error != 0);
	report("flood");

	/* 6. DMA outside its memory: its own virtio-blk device, a request whose buffer is in no window of its IOMMU. */
	static struct { u32 addr_lo, addr_hi, len; unsigned short flags, next; } desc[4] __attribute__((aligned(4096)));
	static volatile unsigned short avail[8] __attribute__((aligned(64)));
	static volatile u32 used[8] __attribute__((aligned(64)));
	static struct { u32 type, reserved, lo, hi; } hdr = { 0, 0, 0, 0 };
	static volatile u8 status;
	vio = find_blk();
	if (!vio) panic("hostile: no virtio-blk device");
	R(0x070) = 0; R(0x070) = 3; R(0x024) = 1; R(0x020) = 1; R(0x024) = 0; R(0x020) = 0; R(0x070) = 11;
	R(0x030) = 0; R(0x038) = 4;
	R(0x080) = (u32)desc; R(0x084) = 0; R(0x090) = (u32)avail; R(0x094) = 0; R(0x0a0) = (u32)used; R(0x0a4) = 0;
	R(0x044) = 1; R(0x070) = 15;
	desc[0].addr_lo = (u32)&hdr; desc[0].len = 16; desc[0].flags = 1; desc[0].next = 1;
	desc[1].addr_lo = 0x80400000u; desc[1].len = 512; desc[1].flags = 1 | 2; desc[1].next = 2; /* the device would write past its RAM */
	desc[2].addr_lo = (u32)&status; desc[2].len = 1; desc[2].flags = 2;
	avail[2] = 0;
	__sync_synchronize();
	avail[1] = 1;
	puts("HOSTILE dma issued\n");
	R(0x050) = 0;
	for (;;) __asm__ __volatile__("wfi");
	(void)buf;
}
