/*
 * netback: serves the netif rings (guests/include/pvlab/netif.h) of every
 * net frontend connected to this driver VM, and moves frames between them
 * and the passed-through virtio-net device (whose host side is its peer:
 * loopback, echo, or another device).
 *
 * TX (frontend -> wire): map the granted page read-only, copy the frame to
 * a device buffer, unmap, answer. RX (wire -> frontend): frames are sent to
 * the frontend whose MAC is the destination (broadcast: all); each takes
 * one posted RX request, whose page is mapped, filled and unmapped before
 * the answer. A frame for a frontend with no posted buffer is dropped (the
 * network is unreliable; the applications retry).
 *
 * Handshake and teardown as blkback (docs/abi.md); the frontend publishes
 * ring-ref (TX), rx-ring-ref, event-channel and mac.
 */
#include "netback.h"

#define MAX_BACKS 8

static struct netback *backs[MAX_BACKS];
static u32 nbacks;

static void be_path(char *out, const char *dir, const char *key) { ksnprintf(out, 160, "%s/%s", dir, key); }

static void set_state(struct netback *nb, u32 s)
{
	char p[160];
	be_path(p, nb->be_dir, PVIO_KEY_STATE);
	nb->state = s;
	if (reg_write_u32(p, s)) panic("netback: cannot write %s", p);
	kprintf("netback[%u]: state %s\n", nb->fe_domid, state_name(s));
}

static void tx_respond(struct netback *nb, u32 id, s16 status)
{
	volatile struct netif_tx_response *r = &nb->tx->slot[nb->tx_rsp_prod_pvt & (NETIF_RING_SLOTS - 1)].rsp;
	r->id = id;
	r->status = status;
	r->check = netif_check(id, status, 0);
	nb->tx_rsp_prod_pvt++;
	nb->dirty = 1;
}

static void rx_respond(struct netback *nb, u32 id, s16 status)
{
	volatile struct netif_rx_response *r = &nb->rx->slot[nb->rx_rsp_prod_pvt & (NETIF_RING_SLOTS - 1)].rsp;
	r->id = id;
	r->status = status;
	r->offset = 0;
	r->check = netif_check(id, status, 0);
	nb->rx_rsp_prod_pvt++;
	nb->dirty = 1;
}

/* Delivers one frame from the wire to one frontend. */
static void deliver(struct netback *nb, const u8 *frame, u32 len)
{
	if (!nb->connected || nb->closing) return;
	u32 n = pvring_requests(&nb->rx->h, nb->rx_req_cons);
	if (n == 0 || n > NETIF_RING_SLOTS) {
		nb->rx_dropped++;
		return;
	}
	struct netif_rx_request req;
	memcpy(&req, (const void *)&nb->rx->slot[nb->rx_req_cons & (NETIF_RING_SLOTS - 1)].req, sizeof(req));
	nb->rx_req_cons++;
	long err;
	u8 *page = gnttab_map(nb->fe_domid, req.gref, 1, &err);
	if (!page) {
		rx_respond(nb, req.id, NETIF_RSP_ERROR);
		return;
	}
	memcpy(page, frame, len);
	gnttab_unmap(page);
	rx_respond(nb, req.id, (s16)len);
	nb->rx_frames++;
	pvk_kick();
}

static void on_wire_rx(struct vnet *vn, const u8 *frame, u32 len, void *arg)
{
	(void)vn;
	(void)arg;
	if (len < 14 || len > NETIF_MAX_FRAME) return;
	int bcast = frame[0] & 1;
	for (u32 i = 0; i < nbacks; i++)
		if (bcast || memcmp(frame, backs[i]->mac, 6) == 0) deliver(backs[i], frame, len);
}

static int tx_poll(struct netback *nb)
{
	int work = 0;
	volatile struct pvring_header *h = &nb->tx->h;
	for (;;) {
		u32 n = pvring_requests(h, nb->tx_req_cons);
		if (n > NETIF_RING_SLOTS) {
			kprintf("netback[%u]: frontend published %u TX requests; disconnecting\n", nb->fe_domid, n);
			nb->closing = 1;
			return 1;
		}
		if (n == 0 && !pvring_final_check_requests(h, nb->tx_req_cons)) break;
		if (n == 0) continue;
		if (!vnet_tx_free(nb->vn)) break; /* a transmit completion wakes us */
		struct netif_tx_request req;
		memcpy(&req, (const void *)&nb->tx->slot[nb->tx_req_cons & (NETIF_RING_SLOTS - 1)].req, sizeof(req));
		nb->tx_req_cons++;
		work++;
		if (req.size < 14 || req.size > NETIF_MAX_FRAME || (u32)req.offset + req.size > PAGE_SIZE) {
			tx_respond(nb, req.id, NETIF_RSP_ERROR);
			continue;
		}
		long err;
		u8 *page = gnttab_map(nb->fe_domid, req.gref, 0, &err);
		if (!page) {
			tx_respond(nb, req.id, NETIF_RSP_ERROR);
			continue;
		}
		int r = vnet_send(nb->vn, page + req.offset, req.size);
		gnttab_unmap(page);
		tx_respond(nb, req.id, r ? NETIF_RSP_DROPPED : NETIF_RSP_OKAY);
		if (!r) nb->tx_frames++;
	}
	return work;
}

static void on_frontend_state(const char *path, void *arg);

static void teardown(struct netback *nb)
{
	if (nb->tx) gnttab_unmap((void *)nb->tx);
	if (nb->rx) gnttab_unmap((void *)nb->rx);
	nb->tx = NULL;
	nb->rx = NULL;
	if (nb->port) evtchn_close(nb->port);
	nb->port = 0;
	nb->connected = 0;
	nb->closing = 0;
	kprintf("netback[%u]: disconnected (%u frames out, %u in)\n", nb->fe_domid, nb->tx_frames, nb->rx_frames);
	set_state(nb, PVIO_STATE_INITWAIT);
	/* The frontend may have published a new ring while we drained: look again. */
	on_frontend_state(NULL, nb);
}

static int netback_poll(void *arg)
{
	struct netback *nb = arg;
	if (nb->closing) {
		teardown(nb);
		return 1;
	}
	if (!nb->connected) return 0;
	/* The TX ring is read only after an event or a transmit completion (grant window: slow to reach). */
	int work = 0;
	if (nb->poll_tx || vnet_tx_free(nb->vn) != nb->tx_free_seen) {
		nb->poll_tx = 0;
		nb->tx_free_seen = vnet_tx_free(nb->vn);
		work = tx_poll(nb);
	}
	if (nb->closing) return 1;
	if (nb->dirty) {
		nb->dirty = 0;
		int a = pvring_push_responses(&nb->tx->h, nb->tx_rsp_prod_pvt);
		int b = pvring_push_responses(&nb->rx->h, nb->rx_rsp_prod_pvt);
		if (a || b) {
			evtchn_notify(nb->port);
			nb->notifies++;
		}
		work++;
	}
	return work;
}

static void on_event(u32 port, void *arg)
{
	struct netback *nb = arg;
	(void)port;
	nb->poll_tx = 1;
}

static int parse_mac(const char *s, u8 *mac)
{
	for (int i = 0; i < 6; i++) {
		u32 v = 0;
		for (int k = 0; k < 2; k++, s++) {
			char c = *s;
			u32 d = c >= '0' && c <= '9' ? (u32)(c - '0') : c >= 'a' && c <= 'f' ? (u32)(c - 'a' + 10) : c >= 'A' && c <= 'F' ? (u32)(c - 'A' + 10) : 99;
			if (d > 15) return -1;
			v = v * 16 + d;
		}
		mac[i] = (u8)v;
		if (i < 5 && *s++ != ':') return -1;
	}
	return 0;
}

static void connect(struct netback *nb)
{
	char p[160], v[32];
	u32 txref, rxref, port;
	be_path(p, nb->fe_dir, PVIO_KEY_RING_REF);
	if (reg_read_u32(p, &txref)) return;
	be_path(p, nb->fe_dir, NETIF_KEY_RX_RING_REF);
	if (reg_read_u32(p, &rxref)) return;
	be_path(p, nb->fe_dir, PVIO_KEY_EVENT_CHANNEL);
	if (reg_read_u32(p, &port)) return;
	be_path(p, nb->fe_dir, NETIF_KEY_MAC);
	if (reg_read(p, v, sizeof(v)) < 0 || parse_mac(v, nb->mac)) {
		kprintf("netback[%u]: frontend has no valid mac\n", nb->fe_domid);
		return;
	}
	long err;
	nb->tx = gnttab_map(nb->fe_domid, txref, 1, &err);
	nb->rx = nb->tx ? gnttab_map(nb->fe_domid, rxref, 1, &err) : NULL;
	long lp = nb->rx ? evtchn_bind(nb->fe_domid, port) : -1;
	if (lp < 0) {
		kprintf("netback[%u]: cannot attach to the frontend's rings (error %ld)\n", nb->fe_domid, lp < 0 && nb->rx ? lp : err);
		if (nb->tx) gnttab_unmap((void *)nb->tx);
		if (nb->rx) gnttab_unmap((void *)nb->rx);
		nb->tx = NULL;
		nb->rx = NULL;
		return;
	}
	nb->port = (u32)lp;
	nb->tx_ref = txref;
	evtchn_set_handler(nb->port, on_event, nb);
	nb->tx_req_cons = nb->tx_rsp_prod_pvt = nb->tx->h.rsp_prod;
	nb->rx_req_cons = nb->rx_rsp_prod_pvt = nb->rx->h.rsp_prod;
	nb->dirty = 0;
	nb->poll_tx = 1;
	nb->connected = 1;
	kprintf("netback[%u]: rings %u/%u mapped, port %u, mac %s\n", nb->fe_domid, txref, rxref, nb->port, v);
	set_state(nb, PVIO_STATE_CONNECTED);
	pvk_kick();
}

static void on_frontend_state(const char *path, void *arg)
{
	struct netback *nb = arg;
	char p[160];
	(void)path;
	be_path(p, nb->fe_dir, PVIO_KEY_STATE);
	u32 fs = reg_read_state(p);
	if (nb->connected && !nb->closing) {
		u32 ref = 0;
		char rp[160];
		be_path(rp, nb->fe_dir, PVIO_KEY_RING_REF);
		int new_ring = fs == PVIO_STATE_INITIALISED && (reg_read_u32(rp, &ref) || ref != nb->tx_ref);
		if ((fs != PVIO_STATE_CONNECTED && fs != PVIO_STATE_INITIALISED) || new_ring) {
			kprintf("netback[%u]: frontend %s\n", nb->fe_domid, state_name(fs));
			nb->closing = 1;
			pvk_kick();
		}
		return;
	}
	if (!nb->connected && !nb->closing && fs == PVIO_STATE_INITIALISED) connect(nb);
}

struct netback *netback_create(struct vnet *vn, u32 fe_domid, u32 idx)
{
	struct netback *nb = kmalloc(sizeof(*nb));
	if (!nb || nbacks == MAX_BACKS) panic("netback: out of memory");
	backs[nbacks++] = nb;
	nb->vn = vn;
	nb->fe_domid = fe_domid;
	nb->idx = idx;
	vn->rx = on_wire_rx;
	ksnprintf(nb->be_dir, sizeof(nb->be_dir), PVIO_REG_BACKEND_DIR_FMT, boot_info.domid, PVIO_KIND_NET, fe_domid, idx);
	char p[160];
	be_path(p, nb->be_dir, PVIO_KEY_FRONTEND);
	if (reg_read(p, nb->fe_dir, sizeof(nb->fe_dir)) <= 0) panic("netback: no frontend path in %s", nb->be_dir);
	pvk_add_poller(netback_poll, nb);
	set_state(nb, PVIO_STATE_INITWAIT);
	be_path(p, nb->fe_dir, PVIO_KEY_STATE);
	if (reg_watch(p, on_frontend_state, nb) < 0) panic("netback: cannot watch %s", p);
	return nb;
}
