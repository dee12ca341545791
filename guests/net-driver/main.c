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

static void serve_frontend(u32 frontend, u32 idx, void *dev)
{
	netback_create(dev, frontend, idx);
}

void pvk_main(void)
{
	struct vnet *vn = vnet_probe();
	if (!vn) panic("no virtio-net device passed through to this VM");
	kprintf("netdrv: domid %u, virtio-net at 0x%08x irq %u, mac %02x:%02x:%02x:%02x:%02x:%02x\n", boot_info.domid, vn->dev.base,
		vn->dev.irq, vn->mac[0], vn->mac[1], vn->mac[2], vn->mac[3], vn->mac[4], vn->mac[5]);
	pvk_add_poller(poll_device, vn);
	if (!reg_for_each_backend(PVIO_KIND_NET, serve_frontend, vn)) kprintf("netdrv: no frontends to serve\n");
	pvk_run();
}
