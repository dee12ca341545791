/*
 * blkfront: the client half of blkif (guests/include/pvlab/blkif.h).
 *
 * Every request on the ring has a shadow entry holding the caller's I/O and
 * the grants of its pages. A request is acknowledged (io->done) only when a
 * verified response says OKAY, i.e. after the device has completed it.
 *
 * When the backend goes away (its state leaves Connected: the hypervisor
 * set it Closed, or it restarted and is Initialising/InitWait again), or
 * when it misbehaves (a response that fails its check, a request that takes
 * far too long, in which case the frontend asks for an orderly Closing and
 * waits until the backend released the ring), the frontend ends the grants
 * of the ring and of every shadowed request, closes its port, goes back to
 * Initialising and, when the backend is InitWait again, sets up a fresh ring
 * and reissues the shadowed requests first, in their original order,
 * granting their pages anew. No acknowledged write can be lost: it was
 * completed by the device before its response was written.
 */
#include "client.h"
#include "pvfront.h"

#define REQUEST_TIMEOUT_MS 1000
#define PROGRESS_CHECK_MS 10

struct shadow {
	struct blk_io *io;
	u32 id;
	u32 ngrefs;
	u16 grefs[BLKIF_MAX_SEGMENTS];
	u64 issued;
	int in_use;
};

struct blkfront {
	struct blkdev dev;
	struct pvfront pf;
	volatile struct blkif_sring *ring;
	u32 ring_gref, port;
	u32 req_prod_pvt, rsp_cons, rsp_seen;
	u32 next_id;
	struct shadow shadow[BLKIF_RING_SLOTS];
	u32 in_flight;
	struct blk_io *reissue, *queue, **queue_tail;
	struct ktimer watchdog;
	struct blkfront_stats st;
};

static struct blkfront *fronts[4];
static u32 nfronts;

/* Puts an I/O on a list ordered by its sequence number. */
static void insert_ordered(struct blk_io **list, struct blk_io *io)
{
	while (*list && (*list)->seq < io->seq) list = &(*list)->next;
	io->next = *list;
	*list = io;
}

/* Ends the grants of a shadow entry; returns how many could not be ended. */
static u32 end_grants(struct shadow *s)
{
	u32 leaked = 0;
	for (u32 i = 0; i < s->ngrefs; i++)
		if (gnttab_end(s->grefs[i])) leaked++;
	s->ngrefs = 0;
	return leaked;
}

/* Local teardown: everything in flight goes back to the reissue list; grants ended, port closed. */
static void teardown(void *arg, const char *why)
{
	struct blkfront *f = arg;
	u32 moved = 0, leaked = 0;
	for (u32 i = 0; i < BLKIF_RING_SLOTS; i++) {
		struct shadow *s = &f->shadow[i];
		if (!s->in_use) continue;
		leaked += end_grants(s);
		insert_ordered(&f->reissue, s->io);
		s->in_use = 0;
		s->io = NULL;
		moved++;
	}
	f->in_flight = 0;
	if (f->ring_gref && gnttab_end(f->ring_gref)) leaked++;
	f->ring_gref = 0;
	if (f->port) evtchn_close(f->port);
	f->port = 0;
	timer_cancel(&f->watchdog);
	f->st.grant_leaks += leaked;
	kprintf("blkfront: %s; %u request(s) kept for reissue%s\n", why, moved, leaked ? " (some grants could not be ended)" : "");
}

static void on_event(u32 port, void *arg)
{
	(void)port;
	(void)arg;
}

/* Backend is InitWait: new ring, new port, publish them. */
static void setup(void *arg)
{
	struct blkfront *f = arg;
	if (!f->ring) {
		f->ring = page_alloc(1);
		if (!f->ring) panic("blkfront: out of memory for the ring");
	}
	memset((void *)f->ring, 0, PAGE_SIZE);
	pvring_init(&f->ring->h);
	f->req_prod_pvt = 0;
	f->rsp_cons = 0;
	long g = gnttab_grant(f->pf.be_domid, (const void *)f->ring, 0);
	if (g < 0) panic("blkfront: cannot grant the ring (error %ld)", g);
	f->ring_gref = (u32)g;
	long port = evtchn_alloc_unbound(f->pf.be_domid);
	if (port < 0) panic("blkfront: cannot allocate a port (error %ld)", port);
	f->port = (u32)port;
	evtchn_set_handler(f->port, on_event, f);
	pvfront_write_u32(&f->pf, PVIO_KEY_RING_REF, f->ring_gref);
	pvfront_write_u32(&f->pf, PVIO_KEY_EVENT_CHANNEL, f->port);
}

/* Backend Connected: its capacity, then the shadowed requests go first. */
static void connected(void *arg)
{
	struct blkfront *f = arg;
	char p[160], v[24];
	pvfront_path(&f->pf, 1, PVIO_KEY_SECTORS, p);
	u64 sectors = 0;
	if (reg_read(p, v, sizeof(v)) > 0)
		for (const char *c = v; *c >= '0' && *c <= '9'; c++) sectors = sectors * 10 + (u64)(*c - '0');
	f->dev.sectors = sectors;
	u32 n = 0;
	for (struct blk_io *io = f->reissue; io; io = io->next) n++;
	kprintf("blkfront: connected to domain %u (%llu sectors)%s", f->pf.be_domid, sectors, n ? "" : "\n");
	if (n) kprintf(", reissuing %u request(s)\n", n);
	pvk_kick();
}

/* Puts one I/O on the ring; 0 when there is no room (slot or grants). */
static int issue(struct blkfront *f, struct blk_io *io)
{
	if (f->in_flight >= BLKIF_RING_SLOTS) return 0;
	u32 slot_i = 0;
	while (f->shadow[slot_i].in_use) slot_i++;
	struct shadow *s = &f->shadow[slot_i];
	volatile struct blkif_request *req = &f->ring->slot[f->req_prod_pvt & (BLKIF_RING_SLOTS - 1)].req;
	u32 addr = (u32)(uintptr_t)io->buf, left = io->nsect, nseg = 0;
	s->ngrefs = 0;
	while (left) {
		u32 first = (addr & (PAGE_SIZE - 1)) / BLKIF_SECTOR_SIZE;
		u32 n = MIN(left, BLKIF_SECTORS_PER_PAGE - first);
		if (nseg == BLKIF_MAX_SEGMENTS) panic("blkfront: request of %u sectors needs too many segments", io->nsect);
		long g = gnttab_grant(f->pf.be_domid, (const void *)(uintptr_t)ALIGN_DOWN(addr, PAGE_SIZE), io->op == BLK_OP_WRITE);
		if (g < 0) {
			end_grants(s);
			return 0; /* grant table full: retry when requests complete */
		}
		s->grefs[s->ngrefs++] = (u16)g;
		req->seg[nseg].gref = (u16)g;
		req->seg[nseg].first_sect = (u8)first;
		req->seg[nseg].last_sect = (u8)(first + n - 1);
		nseg++;
		addr += n * BLKIF_SECTOR_SIZE;
		left -= n;
	}
	f->next_id += BLKIF_RING_SLOTS;
	s->id = slot_i | (f->next_id & ~(BLKIF_RING_SLOTS - 1));
	s->io = io;
	s->in_use = 1;
	s->issued = time_now();
	io->slot = (int)slot_i;
	req->id = s->id;
	req->op = io->op == BLK_OP_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ;
	req->nr_segments = (u8)nseg;
	req->sector_lo = (u32)io->sector;
	req->sector_hi = (u32)(io->sector >> 32);
	f->req_prod_pvt++;
	f->in_flight++;
	f->st.issued++;
	return 1;
}

/*
 * While requests are outstanding: if no response came for a while, notify
 * the backend anyway. A live backend ignores the spurious event; for a hung
 * one, the pending event is what the hypervisor's watchdog looks at
 * (docs/guests.md, "Hangs"). A request that takes far too long makes the
 * frontend close the connection and reissue.
 */
static void check_progress(void *arg)
{
	struct blkfront *f = arg;
	if (!pvfront_connected(&f->pf) || !f->in_flight) return;
	u64 now = time_now(), limit = ms_to_ticks(REQUEST_TIMEOUT_MS);
	for (u32 i = 0; i < BLKIF_RING_SLOTS; i++) {
		if (f->shadow[i].in_use && now - f->shadow[i].issued > limit) {
			f->st.timeouts++;
			pvfront_request_close(&f->pf, "a request timed out");
			return;
		}
	}
	if (f->rsp_cons == f->rsp_seen) {
		evtchn_notify(f->port);
		f->st.kicks++;
	}
	f->rsp_seen = f->rsp_cons;
	timer_arm(&f->watchdog, now + ms_to_ticks(PROGRESS_CHECK_MS), check_progress, f);
}

/* Takes responses; returns how many were consumed. */
static int take_responses(struct blkfront *f)
{
	int n = 0;
	volatile struct pvring_header *h = &f->ring->h;
	for (;;) {
		u32 avail = pvring_responses(h, f->rsp_cons);
		if (avail == 0) {
			if (!pvring_final_check_responses(h, f->rsp_cons)) break;
			continue;
		}
		if (avail > f->req_prod_pvt - f->rsp_cons) {
			f->st.bad_responses++;
			pvfront_request_close(&f->pf, "backend published responses to requests never made");
			return n;
		}
		struct blkif_response rsp;
		memcpy(&rsp, (const void *)&f->ring->slot[f->rsp_cons & (BLKIF_RING_SLOTS - 1)].rsp, sizeof(rsp));
		f->rsp_cons++;
		n++;
		u32 i = rsp.id & (BLKIF_RING_SLOTS - 1);
		struct shadow *s = &f->shadow[i];
		if (rsp.check != blkif_check(rsp.id, rsp.op, rsp.status) || !s->in_use || s->id != rsp.id ||
		    rsp.op != (s->io->op == BLK_OP_WRITE ? BLKIF_OP_WRITE : BLKIF_OP_READ)) {
			f->st.bad_responses++;
			kprintf("blkfront: bad response (id 0x%x op %u status %d check 0x%08x)\n", rsp.id, rsp.op, rsp.status, rsp.check);
			pvfront_request_close(&f->pf, "backend sent a response that fails its check");
			return n;
		}
		struct blk_io *io = s->io;
		if (end_grants(s)) f->st.grant_leaks++;
		s->in_use = 0;
		s->io = NULL;
		f->in_flight--;
		f->st.completed++;
		if (rsp.status != BLKIF_RSP_OKAY) f->st.errors++;
		io->done(io, rsp.status == BLKIF_RSP_OKAY ? BLK_OK : BLK_ERROR);
	}
	return n;
}

static int blkfront_poll(void *arg)
{
	struct blkfront *f = arg;
	if (!pvfront_connected(&f->pf)) return 0;
	int work = take_responses(f);
	if (!pvfront_connected(&f->pf)) return 1;
	int issued = 0;
	while (f->reissue) {
		struct blk_io *io = f->reissue;
		if (!issue(f, io)) break;
		f->reissue = io->next;
		f->st.reissued++;
		issued++;
	}
	while (!f->reissue && f->queue) {
		struct blk_io *io = f->queue;
		if (!issue(f, io)) break;
		f->queue = io->next;
		if (!f->queue) f->queue_tail = &f->queue;
		issued++;
	}
	if (issued) {
		if (pvring_push_requests(&f->ring->h, f->req_prod_pvt)) {
			evtchn_notify(f->port);
			f->st.notifies++;
		}
		if (!f->watchdog.armed) {
			f->rsp_seen = f->rsp_cons;
			timer_arm(&f->watchdog, time_now() + ms_to_ticks(PROGRESS_CHECK_MS), check_progress, f);
		}
	}
	return work + issued;
}

static void blkfront_submit(struct blkdev *d, struct blk_io *io)
{
	struct blkfront *f = d->priv;
	io->seq = ++f->st.submitted;
	io->next = NULL;
	*f->queue_tail = io;
	f->queue_tail = &io->next;
	pvk_kick();
}

static int blkfront_ready(struct blkdev *d)
{
	struct blkfront *f = d->priv;
	return pvfront_connected(&f->pf);
}

struct blkdev *blkfront_create(u32 idx)
{
	struct blkfront *f = kmalloc(sizeof(*f));
	if (!f || nfronts == ARRAY_SIZE(fronts)) panic("blkfront: out of memory");
	fronts[nfronts++] = f;
	f->queue_tail = &f->queue;
	f->dev.name = "blkfront";
	f->dev.max_sectors = (BLKIF_MAX_SEGMENTS - 1) * BLKIF_SECTORS_PER_PAGE; /* any buffer of this size fits the segments */
	f->dev.submit = blkfront_submit;
	f->dev.ready = blkfront_ready;
	f->dev.priv = f;
	f->pf = (struct pvfront){ .name = "blkfront", .st = &f->st.link, .owner = f, .setup = setup, .connected = connected, .teardown = teardown };
	pvk_add_poller(blkfront_poll, f);
	pvfront_start(&f->pf, PVIO_KIND_BLK, idx);
	return &f->dev;
}

const struct blkfront_stats *blkfront_stats(struct blkdev *d) { return &((struct blkfront *)d->priv)->st; }
