/*
 * blkback: serves one blkif ring (guests/include/pvlab/blkif.h) of one
 * frontend with the passed-through virtio-blk device.
 *
 * Zero copy: each segment page the frontend granted is mapped into this
 * VM's grant window and handed to the device as a DMA buffer (the IOMMU
 * lets the device reach mapped grants, read-only ones for reading only).
 * After the device completes, the pages are unmapped and then the response
 * is published, so the frontend can end its grants as soon as it sees it.
 *
 * Handshake (docs/abi.md): InitWait at start; Connected once the frontend
 * is Initialised and its ring is mapped and its port bound. When the
 * frontend leaves (Closing, Closed, Initialising — a restart), requests
 * already given to the device are drained, everything is unmapped and
 * closed, and the backend waits in InitWait for the next connection.
 */
#include "blkback.h"

/* Set (e.g. by a test, through the debugger) to make the next write request a rogue DMA. */
volatile u32 blkback_rogue_dma;

struct pending {
	struct blkback *be;
	struct vblk_req *vr;
	u32 id;
	u8 op, nseg;
	void *map[BLKIF_MAX_SEGMENTS];
};

static void be_path(struct blkback *be, char *out, u32 len, const char *dir, const char *key)
{
	ksnprintf(out, len, "%s/%s", dir, key);
	(void)be;
}

static void set_state(struct blkback *be, u32 s)
{
	char p[160];
	be_path(be, p, sizeof(p), be->be_dir, PVIO_KEY_STATE);
	be->state = s;
	if (reg_write_u32(p, s)) panic("blkback: cannot write %s", p);
	kprintf("blkback[%u]: state %s\n", be->fe_domid, state_name(s));
}

static void respond(struct blkback *be, u32 id, u8 op, s16 status)
{
	volatile struct blkif_sring *r = be->ring;
	volatile struct blkif_response *rsp = &r->slot[be->rsp_prod_pvt & (BLKIF_RING_SLOTS - 1)].rsp;
	rsp->id = id;
	rsp->op = op;
	rsp->status = status;
	rsp->check = blkif_check(id, op, status);
	be->rsp_prod_pvt++;
	be->rsp_dirty = 1;
	if (status != BLKIF_RSP_OKAY) be->errors++;
}

static void unmap_all(struct pending *p)
{
	for (u32 i = 0; i < p->nseg; i++) {
		if (p->map[i]) gnttab_unmap(p->map[i]);
		p->map[i] = NULL;
	}
}

static void on_done(struct vblk *vb, struct vblk_req *vr)
{
	struct pending *p = vr->ctx;
	struct blkback *be = p->be;
	(void)vb;
	unmap_all(p);
	be->in_flight--;
	be->completed++;
	if (be->connected) respond(be, p->id, p->op, vr->status == VBLK_S_OK ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR);
	vblk_req_free(vr);
	kfree(p);
	be->poll_ring = 1; /* room in the device again */
	pvk_kick();
}

/* The bookkeeping of one request given to the device; the virtio request calls on_done when it completes. */
static struct pending *pending_new(struct blkback *be, const struct blkif_request *req)
{
	struct pending *p = kmalloc(sizeof(*p));
	struct vblk_req *vr = vblk_req_alloc();
	if (!p || !vr) panic("blkback: out of memory");
	p->be = be;
	p->vr = vr;
	p->id = req->id;
	p->op = req->op;
	vr->done = on_done;
	vr->ctx = p;
	return p;
}

/* Takes one request from the ring; returns 0 when the device has no room (nothing taken). */
static int take_request(struct blkback *be)
{
	volatile struct blkif_sring *r = be->ring;
	volatile struct blkif_request *slot = &r->slot[be->req_cons & (BLKIF_RING_SLOTS - 1)].req;
	u32 nseg = slot->nr_segments;
	if (nseg > BLKIF_MAX_SEGMENTS) nseg = BLKIF_MAX_SEGMENTS + 1; /* rejected below */
	if (virtq_free(&be->vb->vq) < (nseg > BLKIF_MAX_SEGMENTS ? 2 : nseg + 2)) return 0;
	/* Copy the request out of the shared page before looking at it (the frontend may change it). */
	struct blkif_request req;
	/* Only the header and the segments in use (the slot is in the grant window: each load is costly). */
	memcpy(&req, (const void *)slot, 16 + 4 * (nseg > BLKIF_MAX_SEGMENTS ? 0 : nseg));
	if (req.nr_segments != nseg) req.nr_segments = BLKIF_MAX_SEGMENTS + 1; /* changed under our feet: rejected below */
	be->req_cons++;
	be->requests++;
	u64 sector = req.sector_lo | ((u64)req.sector_hi << 32);
	if (req.op == BLKIF_OP_FLUSH) {
		struct pending *p = pending_new(be, &req);
		if (vblk_submit(be->vb, p->vr, VBLK_T_FLUSH, 0, NULL, 0)) panic("blkback: queue full after the check");
		be->in_flight++;
		return 1;
	}
	if ((req.op != BLKIF_OP_READ && req.op != BLKIF_OP_WRITE) || req.nr_segments == 0 || req.nr_segments > BLKIF_MAX_SEGMENTS) {
		respond(be, req.id, req.op, BLKIF_RSP_EOPNOTSUPP);
		return 1;
	}
	struct pending *p = pending_new(be, &req);
	struct vblk_req *vr = p->vr;
	p->nseg = req.nr_segments;
	struct virtq_buf bufs[BLKIF_MAX_SEGMENTS];
	u64 nsect = 0;
	int bad = 0;
	for (u32 i = 0; i < req.nr_segments; i++) {
		struct blkif_segment s = req.seg[i];
		if (s.first_sect > s.last_sect || s.last_sect >= BLKIF_SECTORS_PER_PAGE) {
			bad = 1;
			break;
		}
		long err;
		/* Reads from the disk write into the frontend's page: map it writable. */
		p->map[i] = gnttab_map(be->fe_domid, s.gref, req.op == BLKIF_OP_READ, &err);
		if (!p->map[i]) {
			kprintf("blkback[%u]: cannot map grant %u (error %ld)\n", be->fe_domid, s.gref, err);
			bad = 1;
			break;
		}
		bufs[i].addr = (u32)(uintptr_t)p->map[i] + s.first_sect * BLKIF_SECTOR_SIZE;
		bufs[i].len = (u32)(s.last_sect - s.first_sect + 1) * BLKIF_SECTOR_SIZE;
		bufs[i].write = 0;
		nsect += s.last_sect - s.first_sect + 1u;
	}
	if (!bad && sector + nsect > be->vb->capacity) bad = 1;
	if (bad) {
		unmap_all(p);
		vblk_req_free(vr);
		kfree(p);
		respond(be, req.id, req.op, BLKIF_RSP_ERROR);
		return 1;
	}
	u32 type = req.op == BLKIF_OP_READ ? VBLK_T_IN : VBLK_T_OUT;
	if (blkback_rogue_dma && req.op == BLKIF_OP_WRITE) {
		/* A misbehaving driver: ask the device to write into the frontend's read-only pages. */
		kprintf("blkback[%u]: ROGUE: programming a device write into read-only grant pages at 0x%08x\n", be->fe_domid, bufs[0].addr);
		blkback_rogue_dma = 0;
		type = VBLK_T_IN;
	}
	if (vblk_submit(be->vb, vr, type, sector, bufs, req.nr_segments)) panic("blkback: queue full after the check");
	be->in_flight++;
	be->segments += req.nr_segments;
	return 1;
}

static void on_frontend_state(const char *path, void *arg);

static void teardown(struct blkback *be)
{
	if (be->ring) gnttab_unmap((void *)be->ring);
	be->ring = NULL;
	if (be->port) evtchn_close(be->port);
	be->port = 0;
	be->connected = 0;
	be->closing = 0;
	kprintf("blkback[%u]: disconnected (%u requests served)\n", be->fe_domid, be->completed);
	set_state(be, PVIO_STATE_INITWAIT);
	/* The frontend may have published a new ring while we drained: look again. */
	on_frontend_state(NULL, be);
}

static int blkback_poll(void *arg)
{
	struct blkback *be = arg;
	int work = 0;
	if (be->closing) {
		if (be->in_flight) return 0;
		if (be->rsp_dirty) pvring_push_responses(&be->ring->h, be->rsp_prod_pvt);
		be->rsp_dirty = 0;
		teardown(be);
		return 1;
	}
	if (!be->connected) return 0;
	volatile struct pvring_header *h = &be->ring->h;
	/* The ring is read only after an event or a completion (it lives in the grant window, slow to reach). */
	int poll = be->poll_ring;
	be->poll_ring = 0;
	for (; poll;) {
		u32 n = pvring_requests(h, be->req_cons);
		if (n > BLKIF_RING_SLOTS) {
			kprintf("blkback[%u]: frontend published %u requests on a %u-slot ring; disconnecting\n", be->fe_domid, n, BLKIF_RING_SLOTS);
			be->closing = 1;
			return 1;
		}
		if (n == 0 && !pvring_final_check_requests(h, be->req_cons)) break;
		if (n == 0) continue;
		if (!take_request(be)) break; /* the device is full: a completion wakes us */
		work++;
	}
	if (work) vblk_kick(be->vb);
	if (be->rsp_dirty) {
		be->rsp_dirty = 0;
		if (pvring_push_responses(h, be->rsp_prod_pvt)) {
			evtchn_notify(be->port);
			be->notifies++;
		}
		work++;
	}
	return work;
}

static void on_event(u32 port, void *arg)
{
	struct blkback *be = arg;
	(void)port;
	be->poll_ring = 1; /* the poller does the work */
}

static void connect(struct blkback *be)
{
	char p[160];
	u32 ref, port;
	be_path(be, p, sizeof(p), be->fe_dir, PVIO_KEY_RING_REF);
	if (reg_read_u32(p, &ref)) {
		kprintf("blkback[%u]: frontend Initialised without a ring-ref\n", be->fe_domid);
		return;
	}
	be_path(be, p, sizeof(p), be->fe_dir, PVIO_KEY_EVENT_CHANNEL);
	if (reg_read_u32(p, &port)) {
		kprintf("blkback[%u]: frontend Initialised without an event-channel\n", be->fe_domid);
		return;
	}
	long err;
	be->ring = gnttab_map(be->fe_domid, ref, 1, &err);
	if (!be->ring) {
		kprintf("blkback[%u]: cannot map ring grant %u (error %ld)\n", be->fe_domid, ref, err);
		return;
	}
	long lp = evtchn_bind(be->fe_domid, port);
	if (lp < 0) {
		kprintf("blkback[%u]: cannot bind port %u (error %ld)\n", be->fe_domid, port, lp);
		gnttab_unmap((void *)be->ring);
		be->ring = NULL;
		return;
	}
	be->port = (u32)lp;
	be->ring_ref = ref;
	evtchn_set_handler(be->port, on_event, be);
	be->req_cons = be->ring->h.rsp_prod;
	be->rsp_prod_pvt = be->ring->h.rsp_prod;
	be->rsp_dirty = 0;
	be->poll_ring = 1;
	be->connected = 1;
	be_path(be, p, sizeof(p), be->be_dir, PVIO_KEY_SECTORS);
	char v[24];
	ksnprintf(v, sizeof(v), "%llu", be->vb->capacity);
	reg_write(p, v);
	be_path(be, p, sizeof(p), be->be_dir, PVIO_KEY_SECTOR_SIZE);
	reg_write_u32(p, BLKIF_SECTOR_SIZE);
	kprintf("blkback[%u]: ring %u mapped, port %u bound\n", be->fe_domid, ref, be->port);
	set_state(be, PVIO_STATE_CONNECTED);
	pvk_kick();
}

static void on_frontend_state(const char *path, void *arg)
{
	struct blkback *be = arg;
	char p[160];
	(void)path;
	be_path(be, p, sizeof(p), be->fe_dir, PVIO_KEY_STATE);
	u32 fs = reg_read_state(p);
	if (be->connected && !be->closing) {
		u32 ref = 0;
		char rp[160];
		be_path(be, rp, sizeof(rp), be->fe_dir, PVIO_KEY_RING_REF);
		int new_ring = fs == PVIO_STATE_INITIALISED && (reg_read_u32(rp, &ref) || ref != be->ring_ref);
		if ((fs != PVIO_STATE_CONNECTED && fs != PVIO_STATE_INITIALISED) || new_ring) {
			kprintf("blkback[%u]: frontend %s: draining %u request(s)\n", be->fe_domid, state_name(fs), be->in_flight);
			be->closing = 1;
			if (be->state == PVIO_STATE_CONNECTED) set_state(be, PVIO_STATE_CLOSING);
			pvk_kick();
		}
		return;
	}
	if (!be->connected && !be->closing && fs == PVIO_STATE_INITIALISED) connect(be);
}

struct blkback *blkback_create(struct vblk *vb, u32 fe_domid, u32 idx)
{
	struct blkback *be = kmalloc(sizeof(*be));
	if (!be) panic("blkback: out of memory");
	be->vb = vb;
	be->fe_domid = fe_domid;
	be->idx = idx;
	ksnprintf(be->be_dir, sizeof(be->be_dir), PVIO_REG_BACKEND_DIR_FMT, boot_info.domid, PVIO_KIND_BLK, fe_domid, idx);
	char p[160];
	be_path(be, p, sizeof(p), be->be_dir, PVIO_KEY_FRONTEND);
	if (reg_read(p, be->fe_dir, sizeof(be->fe_dir)) <= 0) panic("blkback: no frontend path in %s", be->be_dir);
	pvk_add_poller(blkback_poll, be);
	set_state(be, PVIO_STATE_INITWAIT);
	be_path(be, p, sizeof(p), be->fe_dir, PVIO_KEY_STATE);
	if (reg_watch(p, on_frontend_state, be) < 0) panic("blkback: cannot watch %s", p);
	return be;
}
