/* virtio-mmio transport and split virtqueues (see virtio.h). */
#include "virtio.h"

#define R_MAGIC 0x000
#define R_VERSION 0x004
#define R_DEVICE_ID 0x008
#define R_DEVICE_FEATURES 0x010
#define R_DEVICE_FEATURES_SEL 0x014
#define R_DRIVER_FEATURES 0x020
#define R_DRIVER_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_INTERRUPT_STATUS 0x060
#define R_INTERRUPT_ACK 0x064
#define R_STATUS 0x070
#define R_QUEUE_DESC_LO 0x080
#define R_QUEUE_DESC_HI 0x084
#define R_QUEUE_DRIVER_LO 0x090
#define R_QUEUE_DRIVER_HI 0x094
#define R_QUEUE_DEVICE_LO 0x0a0
#define R_QUEUE_DEVICE_HI 0x0a4
#define R_CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8

static u32 rd(struct virtio_dev *d, u32 off) { return rd32(d->base + off); }
static void wr(struct virtio_dev *d, u32 off, u32 v) { wr32(d->base + off, v); }

int virtio_probe(u32 base)
{
	if (rd32(base + R_MAGIC) != 0x74726976u || rd32(base + R_VERSION) != 2) return -1;
	return (int)rd32(base + R_DEVICE_ID);
}

void virtio_reset(struct virtio_dev *d)
{
	wr(d, R_STATUS, 0);
	while (rd(d, R_STATUS) != 0) {
	}
}

u32 virtio_status(struct virtio_dev *d) { return rd(d, R_STATUS); }

int virtio_init(struct virtio_dev *d, u32 base, u32 irq, u32 want_lo, u32 *got_lo)
{
	d->base = base;
	d->irq = irq;
	d->device_id = rd(d, R_DEVICE_ID);
	virtio_reset(d);
	wr(d, R_STATUS, S_ACKNOWLEDGE);
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(d, R_DEVICE_FEATURES_SEL, 0);
	u32 lo = rd(d, R_DEVICE_FEATURES) & want_lo;
	wr(d, R_DEVICE_FEATURES_SEL, 1);
	u32 hi = rd(d, R_DEVICE_FEATURES);
	if (!(hi & VIRTIO_F_VERSION_1_HI)) return -1;
	wr(d, R_DRIVER_FEATURES_SEL, 0);
	wr(d, R_DRIVER_FEATURES, lo);
	wr(d, R_DRIVER_FEATURES_SEL, 1);
	wr(d, R_DRIVER_FEATURES, VIRTIO_F_VERSION_1_HI);
	wr(d, R_STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
	if (!(rd(d, R_STATUS) & S_FEATURES_OK)) return -1;
	if (got_lo) *got_lo = lo;
	return 0;
}

int virtq_setup(struct virtio_dev *d, struct virtq *q, u32 index, u32 max_num)
{
	wr(d, R_QUEUE_SEL, index);
	if (rd(d, R_QUEUE_READY)) return -1;
	u32 num = rd(d, R_QUEUE_NUM_MAX);
	if (!num) return -1;
	if (num > max_num) num = max_num;
	u32 desc_bytes = 16 * num, avail_bytes = 6 + 2 * num, used_bytes = 6 + 8 * num;
	u32 total = ALIGN_UP(desc_bytes + avail_bytes, 4) + used_bytes;
	u8 *mem = page_alloc((total + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!mem) return -1;
	q->index = index;
	q->num = num;
	q->desc = (volatile struct virtq_desc *)mem;
	q->avail = (volatile u16 *)(mem + desc_bytes);
	q->used = (volatile u16 *)(mem + ALIGN_UP(desc_bytes + avail_bytes, 4));
	q->cookie = kmalloc(sizeof(void *) * num);
	q->chain_len = kmalloc(sizeof(u16) * num);
	if (!q->cookie || !q->chain_len) return -1;
	for (u32 i = 0; i < num; i++) q->desc[i].next = (u16)(i + 1);
	q->free_head = 0;
	q->num_free = (u16)num;
	q->last_used = 0;
	q->avail_idx = 0;
	wr(d, R_QUEUE_NUM, num);
	wr(d, R_QUEUE_DESC_LO, (u32)(uintptr_t)q->desc);
	wr(d, R_QUEUE_DESC_HI, 0);
	wr(d, R_QUEUE_DRIVER_LO, (u32)(uintptr_t)q->avail);
	wr(d, R_QUEUE_DRIVER_HI, 0);
	wr(d, R_QUEUE_DEVICE_LO, (u32)(uintptr_t)q->used);
	wr(d, R_QUEUE_DEVICE_HI, 0);
	wr(d, R_QUEUE_READY, 1);
	return rd(d, R_QUEUE_READY) ? 0 : -1;
}

void virtio_driver_ok(struct virtio_dev *d) { wr(d, R_STATUS, rd(d, R_STATUS) | S_DRIVER_OK); }

u32 virtio_ack(struct virtio_dev *d)
{
	u32 s = rd(d, R_INTERRUPT_STATUS);
	if (s) wr(d, R_INTERRUPT_ACK, s);
	return s;
}

u32 virtio_config32(struct virtio_dev *d, u32 off) { return rd(d, R_CONFIG + off); }

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, u32 n, void *cookie)
{
	if (n == 0 || n > q->num_free) return -1;
	u16 head = q->free_head, i = head, last = head;
	for (u32 k = 0; k < n; k++) {
		volatile struct virtq_desc *dsc = &q->desc[i];
		dsc->addr = bufs[k].addr;
		dsc->len = bufs[k].len;
		dsc->flags = (u16)((bufs[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		last = i;
		i = dsc->next;
	}
	(void)last;
	q->free_head = i;
	q->num_free = (u16)(q->num_free - n);
	q->cookie[head] = cookie;
	q->chain_len[head] = (u16)n;
	q->avail[2 + (q->avail_idx & (q->num - 1))] = head;
	q->avail_idx++;
	q->added_since_kick++;
	return 0;
}

void virtq_kick(struct virtio_dev *d, struct virtq *q)
{
	if (!q->added_since_kick) return;
	wmb();
	q->avail[1] = q->avail_idx;
	mb();
	q->added_since_kick = 0;
	wr(d, R_QUEUE_NOTIFY, q->index);
}

void *virtq_get(struct virtq *q, u32 *len)
{
	if (q->last_used == q->used[1]) return NULL;
	rmb();
	volatile struct virtq_used_elem *e = (volatile struct virtq_used_elem *)(q->used + 2) + (q->last_used & (q->num - 1));
	u32 head = e->id, l = e->len;
	q->last_used++;
	if (head >= q->num || !q->chain_len[head]) panic("virtqueue %u: device returned descriptor %u, which is not in use", q->index, head);
	/* Return the chain to the free list. */
	u16 n = q->chain_len[head], i = (u16)head;
	for (u16 k = 1; k < n; k++) i = q->desc[i].next;
	q->desc[i].next = q->free_head;
	q->free_head = (u16)head;
	q->num_free = (u16)(q->num_free + n);
	q->chain_len[head] = 0;
	void *c = q->cookie[head];
	q->cookie[head] = NULL;
	if (len) *len = l;
	return c;
}
