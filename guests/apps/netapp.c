/*
 * The network workload: request/response over Ethernet frames with retries.
 * Each request carries a sequence number, an attempt number, a payload and
 * a checksum; the peer (the device's host-side "echo" peer) sends the frame
 * back with the addresses swapped. A request unanswered within the timeout
 * is sent again, up to `retries` times; one that never gets an answer is
 * counted as lost. One request is outstanding at a time.
 */
#include "apps.h"

#define ETHERTYPE 0x88b5 /* IEEE local experimental */
#define MAGIC 0x514e5650u /* "PVNQ" */
#define HDR 14

static struct {
	struct netdev *dev;
	struct net_cfg cfg;
	struct net_result r;
	u32 seq, attempt;
	u64 sent_at;
	int waiting;
	struct ktimer timer;
	u8 frame[NETAPP_MAX_FRAME];
} na;

static const u8 peer_mac[6] = { 0x02, 0x50, 0x56, 0x00, 0x00, 0xfe };

void net_config(struct net_cfg *c)
{
	c->requests = param_u32("net.requests", 64);
	c->size = param_u32("net.size", 256);
	c->timeout_ms = param_u32("net.timeout_ms", 10);
	c->retries = param_u32("net.retries", 20);
}

static u32 sum(const u8 *p, u32 n)
{
	u32 a = 0x811c9dc5u;
	for (u32 i = 0; i < n; i++) a = (a ^ p[i]) * 0x01000193u;
	return a;
}

static void put32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

static u32 get32(const u8 *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((u32)p[3] << 24); }

static void send_current(void);

static void on_timeout(void *arg)
{
	(void)arg;
	if (!na.waiting) return;
	if (na.attempt > na.cfg.retries) {
		kprintf("netapp: request %u LOST after %u attempts\n", na.seq, na.attempt);
		na.r.lost++;
		na.waiting = 0;
		na.seq++;
		pvk_kick();
		return;
	}
	na.r.retries++;
	send_current();
}

static void send_current(void)
{
	u8 *f = na.frame;
	u32 len = HDR + 16 + na.cfg.size + 4;
	memcpy(f, peer_mac, 6);
	memcpy(f + 6, na.dev->mac, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	put32(f + HDR, MAGIC);
	put32(f + HDR + 4, na.seq);
	put32(f + HDR + 8, na.attempt);
	put32(f + HDR + 12, na.cfg.size);
	u32 x = na.seq * 2654435761u + 1;
	for (u32 i = 0; i < na.cfg.size; i++) f[HDR + 16 + i] = (u8)xorshift32(&x);
	put32(f + len - 4, sum(f + HDR, 16 + na.cfg.size));
	na.attempt++;
	na.waiting = 1;
	na.sent_at = time_now();
	if (na.dev->send(na.dev, f, len) == 0) na.r.sent++;
	timer_arm(&na.timer, na.sent_at + ms_to_ticks(na.cfg.timeout_ms), on_timeout, NULL);
}

static void on_rx(struct netdev *d, const u8 *f, u32 len, void *arg)
{
	(void)d;
	(void)arg;
	if (len < HDR + 20 || f[12] != (ETHERTYPE >> 8) || f[13] != (ETHERTYPE & 0xff)) return;
	if (memcmp(f, na.dev->mac, 6) != 0) return;
	u32 size = get32(f + HDR + 12);
	if (get32(f + HDR) != MAGIC || size != na.cfg.size || HDR + 16 + size + 4 != len || get32(f + len - 4) != sum(f + HDR, 16 + size)) {
		na.r.bad++;
		return;
	}
	u32 seq = get32(f + HDR + 4);
	if (!na.waiting || seq != na.seq) {
		na.r.duplicates++;
		return;
	}
	na.r.answered++;
	na.r.rtt_total += time_now() - na.sent_at;
	na.waiting = 0;
	timer_cancel(&na.timer);
	na.seq++;
	pvk_kick();
}

static int netapp_poll(void *arg)
{
	(void)arg;
	if (na.r.done || na.waiting) return 0;
	if (na.seq >= na.cfg.requests) {
		na.r.done = 1;
		na.r.finished = time_now();
		return 1;
	}
	na.attempt = 0;
	send_current();
	return 1;
}

void netapp_start(struct netdev *d, const struct net_cfg *cfg)
{
	na.dev = d;
	na.cfg = *cfg;
	if (HDR + 16 + na.cfg.size + 4 > NETAPP_MAX_FRAME) na.cfg.size = NETAPP_MAX_FRAME - HDR - 20;
	d->rx = on_rx;
	d->rx_arg = NULL;
	na.r.started = time_now();
	kprintf("netapp: %u requests of %u bytes, timeout %u ms, %u retries\n", na.cfg.requests, na.cfg.size, na.cfg.timeout_ms, na.cfg.retries);
	pvk_add_poller(netapp_poll, NULL);
}

const struct net_result *netapp_result(void) { return &na.r; }
