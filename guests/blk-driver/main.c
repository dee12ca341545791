/*
 * The block driver VM: owns the passed-through virtio-blk device and serves
 * every blk frontend the host connected to it (/vm/<me>/backend/blk/<fe>/<idx>).
 * It keeps no state worth saving: after a crash the hypervisor restarts it
 * from its initial image and the frontends reconnect and reissue.
 */
#include <pvk/kernel.h>
#include "blkback.h"

const char *pvk_name = "blkdrv";

static void serve_frontend(u32 frontend, u32 idx, void *dev)
{
	blkback_create(dev, frontend, idx);
}

void pvk_main(void)
{
	struct vblk *vb = vblk_probe();
	if (!vb) panic("no virtio-blk device passed through to this VM");
	kprintf("blkdrv: domid %u, virtio-blk at 0x%08x irq %u, %llu sectors, seg_max %u\n", boot_info.domid, vb->dev.base, vb->dev.irq,
		vb->capacity, vb->seg_max);
	if (!reg_for_each_backend(PVIO_KIND_BLK, serve_frontend, vb)) kprintf("blkdrv: no frontends to serve\n");
	pvk_run();
}
