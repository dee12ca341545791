/*
 * Campaign test client: writes checksummed 512-byte records through the
 * record-store driver VM and reads earlier ones back, forever. Console
 * protocol read by the campaign engine (docs/campaigns.md):
 *   WRITE <lba> <sum>  a write is about to be issued (hex; FNV-1a of the sector)
 *   ACK <lba> <sum>    the write is acknowledged: the driver answered "done"
 *                      and reading the record back gave the same checksum
 *   READ <lba> <sum>   a record read back, with the checksum of what came back
 *   REPAIR <lba> <sum> a record read back differs (a write the failing driver
 *                      answered but did not do, or a record it damaged, found by
 *                      the scrub after a restart); it is written again
 *   RETRY <lba>        a request failed cleanly (error status, corrupt response,
 *                      backend gone) and is reissued
 * While a request waits, the client notifies the backend again every 0.5 ms
 * (so a hung backend has a pending event and the watchdog catches it).
 * One request is in flight at a time; its shadow copy is reissued after the
 * backend reconnects (blkfront's resume path).
 */
#include "recring.h"

static struct rr_ring ring_page __attribute__((aligned(4096)));
static u8 data[RR_SECTOR * 8] __attribute__((aligned(4096)));
static volatile struct rr_ring *const ring = &ring_page;
static u32 acked_sum[RR_RECORDS];
static u8 acked[RR_RECORDS];
static char be_state[64];
static u8 shadow[RR_RECORDS][RR_SECTOR]; /* what was acknowledged, for the scrub */
static u32 be, ring_gref, data_gref, port, connected, state, seq, nacked, connections, resync;
static u32 rng = 12345;
#define KICK_TICKS 5000 /* 0.5 ms */

static u32 rnd(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

static void hexline(const char *tag, u32 a, u32 b)
{
	puts(tag);
	put_hex(a);
	putc(' ');
	put_hex(b);
	putc('\n');
}

static void set_state(u32 s) { state = s; reg_write_u32("device/blk/0/state", s); }

static void backend_gone(void)
{
	connected = 0;
	pvio_grant_end(ring_gref);
	pvio_grant_end(data_gref);
	pvio_evtchn_close(port);
	set_state(PVIO_STATE_INITIALISING);
}

static void handshake(void)
{
	long bs = reg_read_u32(be_state);
	if (bs == PVIO_STATE_INITWAIT && state == PVIO_STATE_CONNECTED) backend_gone();
	if (bs == PVIO_STATE_INITWAIT && (state == PVIO_STATE_INITIALISING || state == 0)) {
		memset((void *)ring, 0, sizeof ring_page);
		struct sbiret g = pvio_grant_access(be, (u32)&ring_page >> 12, 0);
		struct sbiret d = pvio_grant_access(be, (u32)data >> 12, 0);
		struct sbiret p = pvio_evtchn_alloc_unbound(be);
		if (g.error || d.error || p.error) panic("client: cannot set up the ring");
		ring_gref = (u32)g.value;
		data_gref = (u32)d.value;
		port = (u32)p.value;
		reg_write_u32("device/blk/0/ring-ref", ring_gref);
		reg_write_u32("device/blk/0/data-ref", data_gref);
		reg_write_u32("device/blk/0/event-channel", port);
		set_state(PVIO_STATE_INITIALISED);
	} else if (bs == PVIO_STATE_CONNECTED && state == PVIO_STATE_INITIALISED) {
		set_state(PVIO_STATE_CONNECTED);
		connected = 1;
		if (++connections > 1) resync = 1;
	} else if ((bs == PVIO_STATE_CLOSED || bs == PVIO_STATE_INITIALISING || bs < 0) && state >= PVIO_STATE_INITIALISED) {
		backend_gone();
	}
}

static void wait_connected(void)
{
	while (!connected) {
		u32 pend = wait_events();
		if (pend & (1u << PVIO_EVTCHN_PORT_WATCH)) {
			drain_watches();
			handshake();
		}
	}
}

/* Issues one request until it completes: 0 ok. Reissued after errors and reconnections. */
static void scrub(void);
static u8 wbuf[RR_SECTOR];
static u32 in_scrub;

/* `src`: a WRITE's data, kept private and copied into the granted page before every (re)issue, so whatever a failing driver did to that page cannot reach the disk. */
static void request(u32 op, u32 lba, u32 sum, const u8 *src)
{
	for (;;) {
		wait_connected();
		if (resync && !in_scrub) {
			/* Scrub before the reissue (it reuses the data page; src still holds this request's data). */
			resync = 0;
			in_scrub = 1;
			puts("SCRUB BEGIN\n");
			scrub();
			puts("SCRUB END\n");
			in_scrub = 0;
			continue;
		}
		if (op == RR_OP_WRITE) memcpy(data, src, RR_SECTOR);
		u32 id = ++seq;
		volatile struct rr_slot *sl = &ring->slots[ring->req_prod % RR_SLOTS];
		sl->id = id;
		sl->op = op;
		sl->lba = lba;
		sl->gref = data_gref;
		sl->sum = sum;
		__sync_synchronize();
		ring->req_prod++;
		pvio_evtchn_send(port);
		int gone = 0;
		sbi_set_timer(time_now() + KICK_TICKS, 0);
		while (ring->rsp_prod != ring->req_prod) {
			u32 pend = wait_events();
			/* Still waiting: notify again, so a hung backend has an event pending (the watchdog's cue). */
			if ((pend & WAIT_TIMER) && connected) {
				pvio_evtchn_send(port);
				sbi_set_timer(time_now() + KICK_TICKS, 0);
			}
			if (pend & (1u << PVIO_EVTCHN_PORT_WATCH)) {
				drain_watches();
				handshake();
				if (!connected) { gone = 1; break; }
			}
		}
		if (!gone) {
			__sync_synchronize();
			if (sl->id == id && sl->op == 0) return;
		}
		puts("RETRY ");
		put_hex(lba);
		putc('\n');
	}
}

static void fill(u32 lba, u32 gen)
{
	u32 *w = (u32 *)wbuf;
	w[0] = 0x5245434fu; /* "RECO" */
	w[1] = lba;
	w[2] = gen;
	for (int i = 3; i < RR_SECTOR / 4; i++) w[i] = rnd();
}

/*
 * Writes a record and reads it back before calling it acknowledged: a driver
 * whose control flow a fault damaged may answer "done" for a write it never
 * did; the end-to-end check catches that and writes again (REPAIR).
 */
static void commit(u32 lba, u32 sum, const u8 *src)
{
	hexline("WRITE ", lba, sum);
	for (;;) {
		request(RR_OP_WRITE, lba, sum, src);
		memset(data, 0, RR_SECTOR);
		request(RR_OP_READ, lba, 0, 0);
		if (rr_sum(data) == sum) break;
		hexline("REPAIR ", lba, rr_sum(data));
	}
	hexline("ACK ", lba, sum);
}

/*
 * After the backend came back: a failing driver may have written where it
 * should not have before it was caught. Read every acknowledged record and
 * rewrite the ones that differ from the shadow copy.
 */
static void scrub(void)
{
	for (u32 lba = 0; lba < RR_RECORDS; lba++) {
		if (!acked[lba]) continue;
		request(RR_OP_READ, lba, 0, 0);
		if (rr_sum(data) == acked_sum[lba]) continue;
		hexline("REPAIR ", lba, rr_sum(data));
		commit(lba, acked_sum[lba], shadow[lba]);
	}
}

void guest_main(void)
{
	pvrt_init();
	be = (u32)reg_read_u32("device/blk/0/backend-id");
	char dir[48];
	if (reg_read_str("device/blk/0/backend", dir, sizeof dir) <= 0) panic("client: no backend dir");
	cat3(be_state, dir, "/state", "");
	state = PVIO_STATE_INITIALISING;
	if (reg_watch(be_state, 1)) panic("client: cannot watch");
	for (u32 gen = 1;; gen++) {
		u32 lba = rnd() % RR_RECORDS;
		fill(lba, gen);
		u32 sum = rr_sum(wbuf);
		commit(lba, sum, wbuf);
		acked_sum[lba] = sum;
		memcpy(shadow[lba], wbuf, RR_SECTOR);
		if (!acked[lba]) nacked++;
		acked[lba] = 1;
		/* Read back one acknowledged record. */
		u32 r = rnd() % RR_RECORDS;
		while (!acked[r]) r = (r + 1) % RR_RECORDS;
		memset(data, 0, RR_SECTOR);
		request(RR_OP_READ, r, 0, 0);
		u32 got = rr_sum(data);
		hexline("READ ", r, got);
		if (got != acked_sum[r]) puts("client: acknowledged record lost\n");
	}
}
