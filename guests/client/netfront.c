/*
 * netfront: the client half of netif (guests/include/pvlab/netif.h).
 *
 * TX: each frame is copied into one of the frontend's pages, granted
 * read-only for the time the request is outstanding. RX: every buffer page
 * is granted writable once per connection and posted; a received frame is
 * handed to the application and the page posted again.
 *
 * When the backend goes away the frontend ends every grant, closes its
 * port and reconnects as blkfront does. Frames in flight are dropped: the
 * network is unreliable and the applications retry.
 */
#include "client.h"
#include "pvfront.h"

struct txbuf {
	u8 *page;
	u32 gref, id;
	int in_use;
};

struct rxbuf {
	u8 *page;
	u32 gref, id;
	int posted;
};

struct netfront {
	struct netdev dev;
	struct pvfront pf;
	volatile struct netif_tx_sring *tx;
	volatile struct netif_rx_sring *rx;
	u32 tx_gref, rx_gref, port;
	u32 tx_prod, tx_cons, rx_prod, rx_cons, gen;
	struct txbuf txb[NETIF_RING_SLOTS];
	struct rxbuf rxb[NETIF_RING_SLOTS];
	u32 tx_in_flight, tx_cons_seen;
	int tx_dirty;
	struct ktimer progress;
	struct netfront_stats st;
};

/* Local teardown: every grant ended, the port closed, frames in flight dropped. */
static void teardown(void *arg, const char *why)
{
	struct netfront *f = arg;
	u32 leaked = 0, dropped = 0;
	for (u32 i = 0; i < NETIF_RING_SLOTS; i++) {
		if (f->txb[i].in_use) {
			if (gnttab_end(f->txb[i].gref)) leaked++;
			f->txb[i].in_use = 0;
			dropped++;
		}
		if (f->rxb[i].gref) {
			if (gnttab_end(f->rxb[i].gref)) leaked++;
			f->rxb[i].gref = 0;
		}
		f->rxb[i].posted = 0;
	}
	f->tx_in_flight = 0;
	if (f->tx_gref && gnttab_end(f->tx_gref)) leaked++;
	if (f->rx_gref && gnttab_end(f->rx_gref)) leaked++;
	f->tx_gref = f->rx_gref = 0;
	if (f->port) evtchn_close(f->port);
	f->port = 0;
	f->st.tx_dropped += dropped;
	f->st.grant_leaks += leaked;
	timer_cancel(&f->progress);
	kprintf("netfront: %s; %u frame(s) in flight dropped\n", why, dropped);
}

static void on_event(u32 port, void *arg)
{
	(void)port;
	(void)arg;
}

static void post_rx(struct netfront *f, u32 i)
{
	struct rxbuf *b = &f->rxb[i];
	volatile struct netif_rx_request *r = &f->rx->slot[f->rx_prod & (NETIF_RING_SLOTS - 1)].req;
	b->id = i | (++f->gen << 8);
	r->id = b->id;
	r->gref = (u16)b->gref;
	b->posted = 1;
	f->rx_prod++;
}

/* Backend is InitWait: new rings, receive buffers granted and posted, new port, publish them. */
static void setup(void *arg)
{
	struct netfront *f = arg;
	char v[24];
	if (!f->tx) {
		f->tx = page_alloc(1);
		f->rx = page_alloc(1);
		if (!f->tx || !f->rx) panic("netfront: out of memory");
	}
	memset((void *)f->tx, 0, PAGE_SIZE);
	memset((void *)f->rx, 0, PAGE_SIZE);
	pvring_init(&f->tx->h);
	pvring_init(&f->rx->h);
	f->tx_prod = f->tx_cons = f->rx_prod = f->rx_cons = 0;
	long a = gnttab_grant(f->pf.be_domid, (const void *)f->tx, 0), b = gnttab_grant(f->pf.be_domid, (const void *)f->rx, 0);
	if (a < 0 || b < 0) panic("netfront: cannot grant the rings");
	f->tx_gref = (u32)a;
	f->rx_gref = (u32)b;
	for (u32 i = 0; i < NETIF_RING_SLOTS; i++) {
		long g = gnttab_grant(f->pf.be_domid, f->rxb[i].page, 0);
		if (g < 0) panic("netfront: cannot grant receive buffers (error %ld)", g);
		f->rxb[i].gref = (u32)g;
		post_rx(f, i);
	}
	pvring_push_requests(&f->rx->h, f->rx_prod);
	long port = evtchn_alloc_unbound(f->pf.be_domid);
	if (port < 0) panic("netfront: cannot allocate a port (error %ld)", port);
	f->port = (u32)port;
	evtchn_set_handler(f->port, on_event, f);
	pvfront_write_u32(&f->pf, PVIO_KEY_RING_REF, f->tx_gref);
	pvfront_write_u32(&f->pf, NETIF_KEY_RX_RING_REF, f->rx_gref);
	pvfront_write_u32(&f->pf, PVIO_KEY_EVENT_CHANNEL, f->port);
	const u8 *m = f->dev.mac;
	ksnprintf(v, sizeof(v), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	pvfront_write(&f->pf, NETIF_KEY_MAC, v);
}

static void connected(void *arg)
{
	struct netfront *f = arg;
	kprintf("netfront: connected to domain %u\n", f->pf.be_domid);
	pvk_kick();
}

static int netfront_poll(void *arg)
{
	struct netfront *f = arg;
	if (!pvfront_connected(&f->pf)) return 0;
	int work = 0, reposted = 0;
	/* TX responses: the backend copied the frame; end the grant. */
	for (;;) {
		u32 n = pvring_responses(&f->tx->h, f->tx_cons);
		if (n == 0 && !pvring_final_check_responses(&f->tx->h, f->tx_cons)) break;
		if (n == 0) continue;
		struct netif_tx_response r;
		memcpy(&r, (const void *)&f->tx->slot[f->tx_cons & (NETIF_RING_SLOTS - 1)].rsp, sizeof(r));
		f->tx_cons++;
		work++;
		struct txbuf *b = &f->txb[r.id & (NETIF_RING_SLOTS - 1)];
		if (r.check != netif_check(r.id, r.status, 0) || !b->in_use || b->id != r.id) {
			f->st.bad_responses++;
			pvfront_request_close(&f->pf, "backend sent a TX response that fails its check");
			return 1;
		}
		if (gnttab_end(b->gref)) f->st.grant_leaks++;
		b->in_use = 0;
		f->tx_in_flight--;
		if (r.status != NETIF_RSP_OKAY) f->st.tx_dropped++;
	}
	/* RX responses: hand the frame over, post the page again. */
	for (;;) {
		u32 n = pvring_responses(&f->rx->h, f->rx_cons);
		if (n == 0 && !pvring_final_check_responses(&f->rx->h, f->rx_cons)) break;
		if (n == 0) continue;
		struct netif_rx_response r;
		memcpy(&r, (const void *)&f->rx->slot[f->rx_cons & (NETIF_RING_SLOTS - 1)].rsp, sizeof(r));
		f->rx_cons++;
		work++;
		u32 i = r.id & (NETIF_RING_SLOTS - 1);
		struct rxbuf *b = &f->rxb[i];
		if (r.check != netif_check(r.id, r.status, r.offset) || !b->posted || b->id != r.id) {
			f->st.bad_responses++;
			pvfront_request_close(&f->pf, "backend sent an RX response that fails its check");
			return 1;
		}
		b->posted = 0;
		if (r.status > 0 && (u32)r.status + r.offset <= PAGE_SIZE) {
			f->st.rx++;
			if (f->dev.rx) f->dev.rx(&f->dev, b->page + r.offset, (u32)r.status, f->dev.rx_arg);
			if (!pvfront_connected(&f->pf)) return 1;
		} else {
			f->st.rx_bad++;
		}
		post_rx(f, i);
		reposted++;
	}
	if (reposted && pvring_push_requests(&f->rx->h, f->rx_prod)) {
		evtchn_notify(f->port);
		f->st.notifies++;
	}
	if (f->tx_dirty) {
		f->tx_dirty = 0;
		if (pvring_push_requests(&f->tx->h, f->tx_prod)) {
			evtchn_notify(f->port);
			f->st.notifies++;
		}
		work++;
	}
	return work;
}

/* As blkfront: frames unanswered for a while make the frontend notify anyway (a hung backend's watchdog sees it). */
static void check_progress(void *arg)
{
	struct netfront *f = arg;
	if (!pvfront_connected(&f->pf) || !f->tx_in_flight) return;
	if (f->tx_cons == f->tx_cons_seen) {
		evtchn_notify(f->port);
		f->st.kicks++;
	}
	f->tx_cons_seen = f->tx_cons;
	timer_arm(&f->progress, time_now() + ms_to_ticks(10), check_progress, f);
}

static int netfront_send(struct netdev *d, const void *frame, u32 len)
{
	struct netfront *f = d->priv;
	if (!pvfront_connected(&f->pf) || len > NETIF_MAX_FRAME || f->tx_in_flight == NETIF_RING_SLOTS) {
		f->st.tx_dropped++;
		return -1;
	}
	u32 i = 0;
	while (f->txb[i].in_use) i++;
	struct txbuf *b = &f->txb[i];
	memcpy(b->page, frame, len);
	long g = gnttab_grant(f->pf.be_domid, b->page, 1);
	if (g < 0) {
		f->st.tx_dropped++;
		return -1;
	}
	b->gref = (u32)g;
	b->id = i | (++f->gen << 8);
	b->in_use = 1;
	volatile struct netif_tx_request *r = &f->tx->slot[f->tx_prod & (NETIF_RING_SLOTS - 1)].req;
	r->id = b->id;
	r->gref = (u16)b->gref;
	r->offset = 0;
	r->size = (u16)len;
	f->tx_prod++;
	f->tx_in_flight++;
	f->tx_dirty = 1;
	f->st.tx++;
	if (!f->progress.armed) {
		f->tx_cons_seen = f->tx_cons;
		timer_arm(&f->progress, time_now() + ms_to_ticks(10), check_progress, f);
	}
	pvk_kick();
	return 0;
}

static int netfront_ready(struct netdev *d) { return pvfront_connected(&((struct netfront *)d->priv)->pf); }

struct netdev *netfront_create(u32 idx)
{
	struct netfront *f = kmalloc(sizeof(*f));
	if (!f) panic("netfront: out of memory");
	u8 mac[6] = { 0x02, 0x50, 0x56, 0x00, (u8)boot_info.domid, (u8)idx };
	memcpy(f->dev.mac, mac, 6);
	f->dev.name = "netfront";
	f->dev.send = netfront_send;
	f->dev.ready = netfront_ready;
	f->dev.priv = f;
	for (u32 i = 0; i < NETIF_RING_SLOTS; i++) {
		f->txb[i].page = page_alloc(1);
		f->rxb[i].page = page_alloc(1);
		if (!f->txb[i].page || !f->rxb[i].page) panic("netfront: out of memory for buffers");
	}
	f->pf = (struct pvfront){ .name = "netfront", .st = &f->st.link, .owner = f, .setup = setup, .connected = connected, .teardown = teardown };
	pvk_add_poller(netfront_poll, f);
	pvfront_start(&f->pf, PVIO_KIND_NET, idx);
	return &f->dev;
}

const struct netfront_stats *netfront_stats(struct netdev *d) { return &((struct netfront *)d->priv)->st; }
