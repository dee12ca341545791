/* blkback: the backend half of blkif, on top of the virtio-blk driver. */
#ifndef BLKBACK_H
#define BLKBACK_H
#include <pvk/kernel.h>
#include <pvlab/blkif.h>
#include "vblk.h"

struct blkback {
	struct vblk *vb;
	u32 fe_domid, idx;
	char be_dir[96], fe_dir[96];
	u32 state;
	int connected, closing, rsp_dirty, poll_ring;
	volatile struct blkif_sring *ring;
	u32 ring_ref, port;
	u32 req_cons, rsp_prod_pvt;
	u32 in_flight;
	/* statistics */
	u32 requests, completed, segments, errors, notifies;
};

struct blkback *blkback_create(struct vblk *vb, u32 fe_domid, u32 idx);
#endif
