/*
 * The network driver VM: owns the passed-through virtio-net device and
 * bridges it to every net frontend the host connected to it. Stateless
 * across restarts, like the block driver VM.
 */
#include <pvk/kernel.h>
#include "netback.h"

const char *pvk_name = "netdrv";

static int poll_device(void *arg)
{
	return vnet_poll(arg);
}

void pvk_main(void)
{
	struct vnet *vn = vnet_probe();
	if (!vn) panic("no virtio-net device passed through to this VM");
	kprintf("netdrv: domid %u, virtio-net at 0x%08x irq %u, mac %02x:%02x:%02x:%02x:%02x:%02x\n", boot_info.domid, vn->dev.base,
		vn->dev.irq, vn->mac[0], vn->mac[1], vn->mac[2], vn->mac[3], vn->mac[4], vn->mac[5]);
	pvk_add_poller(poll_device, vn);
	char dir[64], fes[256], idxs[128];
	ksnprintf(dir, sizeof(dir), "backend/%s", PVIO_KIND_NET);
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
			netback_create(vn, fe, idx);
			count++;
		}
	}
	if (!count) kprintf("netdrv: no frontends to serve\n");
	pvk_run();
}
