/*
 * virtio-blk driver (one request queue). A request is a header, data
 * buffers (guest-physical: RAM or grant-window pages) and a status byte;
 * completions are delivered from the event loop through `done`.
 */
#ifndef PVK_VBLK_H
#define PVK_VBLK_H
#include "virtio.h"

#define VBLK_T_IN 0
#define VBLK_T_OUT 1
#define VBLK_T_FLUSH 4
#define VBLK_S_OK 0
#define VBLK_S_IOERR 1
#define VBLK_S_UNSUPP 2
/* Not a device status: the request was dropped by a device reset. */
#define VBLK_S_RESET 0xff
#define VBLK_MAX_BUFS 32

struct vblk;
struct vblk_req {
	/* Device-visible part: keep first (16-byte header, then the status byte). */
	struct {
		u32 type;
		u32 reserved;
		u64 sector;
	} hdr;
	u8 status;
	u8 _pad[3];
	/* Driver part. */
	void (*done)(struct vblk *vb, struct vblk_req *r);
	void *ctx;
	u32 bytes;
	struct vblk_req *next;
};

struct vblk {
	struct virtio_dev dev;
	struct virtq vq;
	u64 capacity; /* 512-byte sectors */
	u32 seg_max;
	u32 in_flight;
	u32 completed;
	int broken; /* device needs reset / failed */
};

/* Finds and initialises the first virtio-blk device of the DTB; NULL when there is none. */
struct vblk *vblk_probe(void);
/* A request object (DMA-safe memory); free with vblk_req_free. */
struct vblk_req *vblk_req_alloc(void);
void vblk_req_free(struct vblk_req *r);
/*
 * Queues a request of `type` at `sector` over `n` data buffers (addresses and
 * lengths; written by the device for VBLK_T_IN). Returns 0, or -1 when the
 * queue has no room (retry after a completion). Call vblk_kick afterwards.
 */
int vblk_submit(struct vblk *vb, struct vblk_req *r, u32 type, u64 sector, const struct virtq_buf *data, u32 n);
void vblk_kick(struct vblk *vb);
/* Reaps completions (also called from the interrupt handler); returns how many. */
int vblk_poll(struct vblk *vb);
#endif
