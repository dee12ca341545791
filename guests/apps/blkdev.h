/*
 * The block and network device interfaces the applications use. The client
 * VM implements them with blkfront/netfront (split drivers to driver VMs);
 * the monolithic baseline with the virtio drivers in its own kernel.
 */
#ifndef APPS_BLKDEV_H
#define APPS_BLKDEV_H
#include <pvk/kernel.h>

#define BLK_OP_READ 0
#define BLK_OP_WRITE 1
#define BLK_OK 0
#define BLK_ERROR (-1)

/* One I/O request. `buf` is page-aligned and covers nsect * 512 bytes; it stays untouched until `done`. */
struct blk_io {
	u32 op;
	u64 sector;
	u32 nsect;
	void *buf;
	void (*done)(struct blk_io *io, int status);
	void *ctx;
	/* device-private */
	struct blk_io *next;
	u32 seq;
	int slot;
};

struct blkdev {
	const char *name;
	u64 sectors;
	u32 max_sectors; /* per request */
	/* Queues an I/O; it completes through io->done from the event loop (never from inside submit). */
	void (*submit)(struct blkdev *d, struct blk_io *io);
	/* Nonzero when the device is usable (connected). */
	int (*ready)(struct blkdev *d);
	void *priv;
};

struct netdev {
	const char *name;
	u8 mac[6];
	/* Sends one Ethernet frame (copied); 0, or -1 when it cannot be queued now. */
	int (*send)(struct netdev *d, const void *frame, u32 len);
	int (*ready)(struct netdev *d);
	/* Set by the application: called from the event loop for each received frame. */
	void (*rx)(struct netdev *d, const u8 *frame, u32 len, void *arg);
	void *rx_arg;
	void *priv;
};

/* Outage bookkeeping common to the frontends: how long the device was unusable. */
struct outage {
	u32 count;
	u64 since;   /* 0 when up */
	u64 total;   /* ticks */
	u64 longest;
};
static inline void outage_begin(struct outage *o)
{
	if (!o->since) {
		o->since = time_now();
		o->count++;
	}
}
static inline void outage_end(struct outage *o)
{
	if (o->since) {
		u64 d = time_now() - o->since;
		o->total += d;
		if (d > o->longest) o->longest = d;
		o->since = 0;
	}
}
#endif
