/*
 * virtio-mmio (modern, Version 2) transport and split virtqueues for pvk
 * drivers, written from the virtio 1.2 specification. Buffers are given by
 * guest-physical address: RAM, or pages mapped in the grant window (the
 * IOMMU lets a passed-through device reach both; docs/virtio.md).
 */
#ifndef PVK_VIRTIO_H
#define PVK_VIRTIO_H
#include <pvk/kernel.h>

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLK 2

#define VIRTIO_F_VERSION_1_HI (1u << 0) /* feature bit 32 */

struct virtq_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2

struct virtq_used_elem {
	u32 id;
	u32 len;
};

/* One buffer of a request: device-readable, or device-writable when `write`. */
struct virtq_buf {
	u32 addr;
	u32 len;
	int write;
};

struct virtq {
	u32 index, num;
	volatile struct virtq_desc *desc;
	volatile u16 *avail; /* flags, idx, ring[num], used_event */
	volatile u16 *used;  /* flags, idx, then elements (u32 id, u32 len) */
	u16 free_head, num_free, last_used, avail_idx;
	void **cookie;
	u16 *chain_len;
	u32 added_since_kick;
};

struct virtio_dev {
	u32 base, irq;
	u32 device_id;
	const char *name;
};

/* Reads the slot's identity: the device id, 0 for an empty slot, -1 if it is not virtio-mmio v2. */
int virtio_probe(u32 base);
/* Reset, ACKNOWLEDGE, DRIVER, feature negotiation (VERSION_1 + wanted low bits). 0 or -1. */
int virtio_init(struct virtio_dev *d, u32 base, u32 irq, u32 want_features_lo, u32 *got_lo);
int virtq_setup(struct virtio_dev *d, struct virtq *q, u32 index, u32 max_num);
void virtio_driver_ok(struct virtio_dev *d);
void virtio_reset(struct virtio_dev *d);
u32 virtio_status(struct virtio_dev *d);
/* Acknowledges the interrupt; returns InterruptStatus (bit 0 used buffer, bit 1 config change). */
u32 virtio_ack(struct virtio_dev *d);
u32 virtio_config32(struct virtio_dev *d, u32 off);

/* Adds a chain; returns 0, or -1 when there are not enough free descriptors. */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, u32 n, void *cookie);
/* Publishes the added chains and notifies the device. */
void virtq_kick(struct virtio_dev *d, struct virtq *q);
/* Takes one used chain: its cookie (NULL when none), and the bytes the device wrote. */
void *virtq_get(struct virtq *q, u32 *len);
static inline u32 virtq_free(const struct virtq *q) { return q->num_free; }

#define VIRTIO_STATUS_FAILED 128
#define VIRTIO_STATUS_NEEDS_RESET 64
#endif
