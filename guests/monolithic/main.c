/*
 * The monolithic baseline: the same applications as the client VM, with the
 * virtio-blk and virtio-net drivers inside this kernel and both devices
 * passed through to this VM. No driver VMs, no rings, no grants: the
 * configuration against which the cost of isolation is measured.
 */
#include <pvk/kernel.h>
#include "apps.h"
#include "vblk.h"
#include "vnet.h"

const char *pvk_name = "mono";

/* ---- blkdev over virtio-blk ------------------------------------------------------------------ */

struct direct_blk {
	struct blkdev dev;
	struct vblk *vb;
	struct blk_io *queue, **tail;
};

static void blk_done(struct vblk *vb, struct vblk_req *r)
{
	struct blk_io *io = r->ctx;
	(void)vb;
	int ok = r->status == VBLK_S_OK;
	vblk_req_free(r);
	io->done(io, ok ? BLK_OK : BLK_ERROR);
}

static int blk_poll(void *arg)
{
	struct direct_blk *d = arg;
	int n = 0;
	while (d->queue) {
		struct blk_io *io = d->queue;
		struct virtq_buf bufs[VBLK_MAX_BUFS];
		u32 nb = 0, addr = (u32)(uintptr_t)io->buf, left = io->nsect * 512;
		/* One buffer per page, as the split path has one segment per page. */
		while (left) {
			u32 chunk = MIN(left, PAGE_SIZE - (addr & (PAGE_SIZE - 1)));
			bufs[nb].addr = addr;
			bufs[nb].len = chunk;
			bufs[nb].write = 0;
			nb++;
			addr += chunk;
			left -= chunk;
		}
		if (virtq_free(&d->vb->vq) < nb + 2) break;
		struct vblk_req *r = vblk_req_alloc();
		if (!r) panic("mono: out of memory");
		r->done = blk_done;
		r->ctx = io;
		if (vblk_submit(d->vb, r, io->op == BLK_OP_WRITE ? VBLK_T_OUT : VBLK_T_IN, io->sector, bufs, nb)) panic("mono: queue full after the check");
		d->queue = io->next;
		if (!d->queue) d->tail = &d->queue;
		n++;
	}
	if (n) vblk_kick(d->vb);
	return n;
}

static void blk_submit(struct blkdev *dev, struct blk_io *io)
{
	struct direct_blk *d = dev->priv;
	io->next = NULL;
	*d->tail = io;
	d->tail = &io->next;
	pvk_kick();
}

static int blk_ready(struct blkdev *dev) { return dev->priv != NULL; }

/* ---- netdev over virtio-net -------------------------------------------------------------------- */

static struct netdev ndev;

static void net_rx(struct vnet *vn, const u8 *frame, u32 len, void *arg)
{
	(void)vn;
	(void)arg;
	if (ndev.rx) ndev.rx(&ndev, frame, len, ndev.rx_arg);
}

static int net_send(struct netdev *d, const void *frame, u32 len) { return vnet_send(d->priv, frame, len); }
static int net_ready(struct netdev *d) { return d->priv != NULL; }
static int net_poll(void *arg) { return vnet_poll(arg); }

void pvk_main(void)
{
	static struct direct_blk db;
	struct vblk *vb = param_u32("app.storage", 1) ? vblk_probe() : NULL;
	struct vnet *vn = param_u32("app.net", 1) ? vnet_probe() : NULL;
	kprintf("mono: domid %u, virtio-blk %s, virtio-net %s\n", boot_info.domid, vb ? "yes" : "no", vn ? "yes" : "no");
	if (vb) {
		db.vb = vb;
		db.tail = &db.queue;
		db.dev.name = "virtio-blk";
		db.dev.sectors = vb->capacity;
		db.dev.max_sectors = MIN(vb->seg_max, VBLK_MAX_BUFS) * 8 - 8;
		db.dev.submit = blk_submit;
		db.dev.ready = blk_ready;
		db.dev.priv = &db;
		pvk_add_poller(blk_poll, &db);
		struct storage_cfg c;
		storage_config(&c);
		if (c.first_sector + (u64)c.records * (c.size / 512) > vb->capacity) panic("storage: the records do not fit the disk");
		storage_start(&db.dev, &c);
	}
	if (vn) {
		memcpy(ndev.mac, vn->mac, 6);
		ndev.name = "virtio-net";
		ndev.send = net_send;
		ndev.ready = net_ready;
		ndev.priv = vn;
		vn->rx = net_rx;
		pvk_add_poller(net_poll, vn);
		struct net_cfg c;
		net_config(&c);
		netapp_start(&ndev, &c);
	}
	while ((vb && !storage_result()->done) || (vn && !netapp_result()->done)) pvk_run_once();
	int ok = apps_report(NULL, NULL);
	kprintf("VERDICT %s client workload finished, client alive\n", ok ? "PASS" : "FAIL");
	pvk_run();
}
