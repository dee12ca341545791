/*
 * Campaign test driver VM: serves the record-store ring (recring.h) with the
 * virtio-blk device passed through to it (virtio-mmio v2 slot 0, polled).
 * A WRITE is checked against the client's checksum, written, read back and
 * checked again before it is acknowledged; any mismatch answers "failed" and
 * the client reissues it. Three failed requests in a row: the driver reports
 * itself broken (SRST system failure), so the hypervisor restarts it.
 */
#include "recring.h"

#define VIO 0x10001000u
#define R(off) (*(volatile u32 *)(VIO + (off)))
#define QN 8

struct vdesc { u32 addr_lo, addr_hi, len; unsigned short flags, next; };
static struct vdesc desc[QN] __attribute__((aligned(4096)));
static volatile unsigned short avail[2 + QN + 1] __attribute__((aligned(64)));
static volatile u32 used[1 + 2 * QN + 1] __attribute__((aligned(64)));
static struct { u32 type, reserved, sector_lo, sector_hi; } hdr __attribute__((aligned(16)));
static u8 check_buf[RR_SECTOR] __attribute__((aligned(512)));
#ifdef LIAR
static u8 zeros[RR_SECTOR];
#endif
static volatile u8 vstatus;
static u32 failures_in_a_row;

static char fe_state[96], my_state[96], buf[96];
static u32 fe, my_port, connected;
static volatile struct rr_ring *ring;
static volatile u8 *page;
static void clear_pending(u32 bits);

#define PLIC(off) (*(volatile u32 *)(0x0c000000u + (off)))
#define SIP_SEIP 0x200u

static void vio_init(void)
{
	PLIC(4) = 1;            /* source 1 priority */
	PLIC(0x2000) = 1u << 1; /* enabled for context 0 */
	PLIC(0x200000) = 0;     /* threshold */
	csr_set(sie, SIP_SEIP);
	if (R(0x000) != 0x74726976u || R(0x004) != 2 || R(0x008) != 2) panic("drv: no virtio-blk");
	R(0x070) = 0;
	R(0x070) = 1;
	R(0x070) = 1 | 2;
	R(0x024) = 1;
	R(0x020) = 1; /* VIRTIO_F_VERSION_1 */
	R(0x024) = 0;
	R(0x020) = 0;
	R(0x070) = 1 | 2 | 8;
	if (!(R(0x070) & 8)) panic("drv: features refused");
	R(0x030) = 0;
	if (R(0x034) < QN) panic("drv: queue too small");
	R(0x038) = QN;
	R(0x080) = (u32)desc; R(0x084) = 0;
	R(0x090) = (u32)avail; R(0x094) = 0;
	R(0x0a0) = (u32)used; R(0x0a4) = 0;
	R(0x044) = 1;
	R(0x070) = 1 | 2 | 4 | 8;
}

/* One synchronous request: 0 ok. */
static int vio_rw(int write, u32 lba, u8 *buf512)
{
	hdr.type = write ? 1 : 0;
	hdr.reserved = 0;
	hdr.sector_lo = lba;
	hdr.sector_hi = 0;
	vstatus = 0xff;
	desc[0] = (struct vdesc){ (u32)&hdr, 0, 16, 1, 1 };
	desc[1] = (struct vdesc){ (u32)buf512, 0, RR_SECTOR, (unsigned short)(1 | (write ? 0 : 2)), 2 };
	desc[2] = (struct vdesc){ (u32)&vstatus, 0, 1, 2, 0 };
	unsigned short idx = avail[1];
	avail[2 + idx % QN] = 0;
	__sync_synchronize();
	avail[1] = (unsigned short)(idx + 1);
	__sync_synchronize();
	R(0x050) = 0;
	/* Sleep until the device interrupt (PLIC source 1, S-mode context 0): virtual time jumps.
	 * Done when the device has used every chain made available (no separate count to go stale). */
	unsigned short want = (unsigned short)(idx + 1);
	while ((unsigned short)(used[0] >> 16) != want) {
		if (!(csr_read(sip) & SIP_SEIP)) __asm__ __volatile__("wfi");
		u32 claim = PLIC(0x200004);
		R(0x064) = R(0x060);
		if (claim) PLIC(0x200004) = claim;
	}
	return vstatus == 0 ? 0 : -1;
}

/* The device moves the data straight from/to the granted page (the IOMMU maps it). */
static u32 serve_one(volatile struct rr_slot *sl)
{
	u32 op = sl->op, lba = sl->lba, sum = sl->sum;
	if (lba >= RR_RECORDS) return 1;
	if (op == RR_OP_WRITE) {
		if (vio_rw(1, lba, (u8 *)page)) return 1;
		if (vio_rw(0, lba, check_buf) || rr_sum(check_buf) != sum) return 1;
#ifdef LIAR
		/* Negative control for the checker: every other write also overwrites the record written before it. */
		static u32 writes, prev = 0xffffffffu;
		if (++writes % 2 == 0 && prev != lba && prev < RR_RECORDS) vio_rw(1, prev, zeros);
		prev = lba;
#endif
		return 0;
	}
	if (op == RR_OP_READ) return vio_rw(0, lba, (u8 *)page) ? 1 : 0;
	return 1;
}

static void serve(void)
{
	u32 prod = ring->req_prod, cons = ring->rsp_prod;
	__sync_synchronize();
	while (cons != prod) {
		volatile struct rr_slot *sl = &ring->slots[cons % RR_SLOTS];
		u32 status = serve_one(sl);
		/* A driver that keeps failing is broken (a damaged register, a wild pointer): report it, so the hypervisor restarts it. */
		failures_in_a_row = status ? failures_in_a_row + 1 : 0;
		if (failures_in_a_row >= 3) panic("drv: every request fails");
		sl->op = status;
		cons++;
		__sync_synchronize();
		ring->rsp_prod = cons;
	}
	pvio_evtchn_send(my_port);
}

static void disconnect(void)
{
	pvio_grant_unmap(0);
	pvio_grant_unmap(1);
	pvio_evtchn_close(my_port);
	clear_pending(1u << my_port);
	connected = 0;
	reg_write_u32(my_state, PVIO_STATE_INITWAIT);
}

static void handshake(void)
{
	long fs = reg_read_u32(fe_state);
	if (connected && fs == PVIO_STATE_INITIALISED) disconnect();
	if (!connected && fs == PVIO_STATE_INITIALISED) {
		char p[64];
		cat3(p, "/vm/", u32_to_str(buf + 60, fe), "/device/blk/0/");
		long ref = reg_read_u32(cat3(buf, p, "ring-ref", ""));
		long port = reg_read_u32(cat3(buf, p, "event-channel", ""));
		long dref = reg_read_u32(cat3(buf, p, "data-ref", ""));
		struct sbiret m = pvio_grant_map(fe, (u32)ref, 0, 1);
		struct sbiret d = pvio_grant_map(fe, (u32)dref, 1, 1);
		struct sbiret b = pvio_evtchn_bind_interdomain(fe, (u32)port);
		if (m.error || d.error || b.error) panic("drv: cannot connect");
		ring = (volatile struct rr_ring *)m.value;
		page = (volatile u8 *)d.value;
		my_port = (u32)b.value;
		connected = 1;
		reg_write_u32(my_state, PVIO_STATE_CONNECTED);
	} else if (connected && (fs == PVIO_STATE_CLOSED || fs == PVIO_STATE_INITIALISING || fs < 0)) {
		disconnect();
	}
}

/*
 * Waits for pending event bits without taking them: a port's bit is cleared
 * only when it has been handled (the ring served), so a driver that stops
 * serving -- a damaged port number or state -- leaves the bit pending and the
 * hypervisor's watchdog catches it.
 */
static u32 wait_pending(void)
{
	for (;;) {
		csr_clear(sip, SIP_SSIP);
		u32 pend = SI->evtchn_pending[0];
		if (pend) return pend;
		__asm__ __volatile__("wfi");
	}
}

static void clear_pending(u32 bits)
{
	__atomic_fetch_and((u32 *)&SI->evtchn_pending[0], ~bits, __ATOMIC_SEQ_CST);
}

void guest_main(void)
{
	pvrt_init();
	vio_init();
	char names[32];
	struct sbiret l = pvio_reg_list((unsigned long)"backend/blk", 11, (unsigned long)names, sizeof names);
	if (l.error || l.value == 0) panic("drv: no frontend");
	fe = 0;
	for (char *p = names; *p; p++) fe = fe * 10 + (u32)(*p - '0');
	char fe_dir[48];
	cat3(my_state, "backend/blk/", u32_to_str(buf, fe), "/0/state");
	reg_read_str(cat3(buf, "backend/blk/", u32_to_str(buf + 80, fe), "/0/frontend"), fe_dir, sizeof fe_dir);
	cat3(fe_state, fe_dir, "/state", "");
	if (reg_write_u32(my_state, PVIO_STATE_INITWAIT)) panic("drv: cannot write state");
	if (reg_watch(fe_state, 2)) panic("drv: cannot watch");
	for (;;) {
		u32 pend = wait_pending();
		if (pend & (1u << PVIO_EVTCHN_PORT_WATCH)) {
			clear_pending(1u << PVIO_EVTCHN_PORT_WATCH);
			drain_watches();
			handshake();
		}
		if (connected && (pend & (1u << my_port))) {
			clear_pending(1u << my_port);
			serve();
		}
		/* Any other bit stays pending: if it is ours, a damaged state hides it, and the watchdog will notice. */
	}
}
