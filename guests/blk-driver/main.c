/*
 * The block driver VM: owns the passed-through virtio-blk device and serves
 * every blk frontend the host connected to it (/vm/<me>/backend/blk/<fe>/<idx>).
 * It keeps no state worth saving: after a crash the hypervisor restarts it
 * from its initial image and the frontends reconnect and reissue.
 */
#include <pvk/kernel.h>
#include "blkback.h"

const char *pvk_name = "blkdrv";

void pvk_main(void)
{
	struct vblk *vb = vblk_probe();
	if (!vb) panic("no virtio-blk device passed through to this VM");
	kprintf("blkdrv: domid %u, virtio-blk at 0x%08x irq %u, %llu sectors, seg_max %u\n", boot_info.domid, vb->dev.base, vb->dev.irq,
		vb->capacity, vb->seg_max);
	char dir[64], fes[256], idxs[128];
	ksnprintf(dir, sizeof(dir), "backend/%s", PVIO_KIND_BLK);
	long n = reg_list(dir, fes, sizeof(fes));
	int count = 0;
	for (long i = 0; i < n; i += (long)strlen(fes + i) + 1) {
		u32 fe;
		if (parse_u32(fes + i, &fe)) continue;
		char sub[96];
		ksnprintf(sub, sizeof(sub), "%s/%u", dir, fe);
		long m = reg_list(sub, idxs, sizeof(idxs));
		for (long j = 0; j < m; j += (long)strlen(idxs + j) + 1) {
			u32 idx;
			if (parse_u32(idxs + j, &idx)) continue;
			blkback_create(vb, fe, idx);
			count++;
		}
	}
	if (!count) kprintf("blkdrv: no frontends to serve\n");
	pvk_run();
}
