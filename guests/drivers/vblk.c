/* virtio-blk driver (see vblk.h), from the virtio 1.2 specification, section 5.2. */
#include "vblk.h"

#define VIRTIO_BLK_F_SEG_MAX (1u << 2)
#define VIRTIO_BLK_F_BLK_SIZE (1u << 6)
#define VIRTIO_BLK_F_FLUSH (1u << 9)
#define QUEUE_SIZE 128

static struct vblk_req *free_reqs;

struct vblk_req *vblk_req_alloc(void)
{
	struct vblk_req *r = free_reqs;
	if (r) {
		free_reqs = r->next;
		memset(r, 0, sizeof(*r));
		return r;
	}
	return kmalloc(sizeof(*r));
}

void vblk_req_free(struct vblk_req *r)
{
	r->next = free_reqs;
	free_reqs = r;
}

static void on_irq(void *arg)
{
	struct vblk *vb = arg;
	u32 s = virtio_ack(&vb->dev);
	if (s & 2) {
		u32 st = virtio_status(&vb->dev);
		if (st & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)) {
			vb->broken = 1;
			panic("virtio-blk at 0x%08x needs a reset (status 0x%x)", vb->dev.base, st);
		}
	}
	vblk_poll(vb);
}

struct vblk *vblk_probe(void)
{
	for (u32 i = 0; i < boot_info.nvirtio; i++) {
		struct pvk_virtio_node *n = &boot_info.virtio[i];
		if (virtio_probe(n->base) != VIRTIO_ID_BLK) continue;
		struct vblk *vb = kmalloc(sizeof(*vb));
		u32 feat = 0;
		if (!vb || virtio_init(&vb->dev, n->base, n->irq, VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH, &feat))
			panic("virtio-blk at 0x%08x: feature negotiation failed", n->base);
		vb->dev.name = "virtio-blk";
		vb->capacity = virtio_config32(&vb->dev, 0) | ((u64)virtio_config32(&vb->dev, 4) << 32);
		vb->seg_max = (feat & VIRTIO_BLK_F_SEG_MAX) ? virtio_config32(&vb->dev, 12) : 1;
		if (virtq_setup(&vb->dev, &vb->vq, 0, QUEUE_SIZE)) panic("virtio-blk at 0x%08x: queue setup failed", n->base);
		plic_enable(n->irq, on_irq, vb);
		virtio_driver_ok(&vb->dev);
		return vb;
	}
	return NULL;
}

int vblk_submit(struct vblk *vb, struct vblk_req *r, u32 type, u64 sector, const struct virtq_buf *data, u32 n)
{
	struct virtq_buf b[VBLK_MAX_BUFS + 2];
	if (n > VBLK_MAX_BUFS || n > vb->seg_max) panic("virtio-blk request with %u buffers", n);
	r->hdr.type = type;
	r->hdr.reserved = 0;
	r->hdr.sector = sector;
	r->status = 0xee;
	r->bytes = 0;
	b[0].addr = (u32)(uintptr_t)&r->hdr;
	b[0].len = 16;
	b[0].write = 0;
	for (u32 i = 0; i < n; i++) {
		b[1 + i] = data[i];
		b[1 + i].write = type == VBLK_T_IN;
		r->bytes += data[i].len;
	}
	b[1 + n].addr = (u32)(uintptr_t)&r->status;
	b[1 + n].len = 1;
	b[1 + n].write = 1;
	if (virtq_add(&vb->vq, b, n + 2, r)) return -1;
	vb->in_flight++;
	return 0;
}

void vblk_kick(struct vblk *vb) { virtq_kick(&vb->dev, &vb->vq); }

int vblk_poll(struct vblk *vb)
{
	int n = 0;
	struct vblk_req *r;
	u32 len;
	while ((r = virtq_get(&vb->vq, &len)) != NULL) {
		vb->in_flight--;
		vb->completed++;
		n++;
		if (r->done) r->done(vb, r);
	}
	return n;
}
