/* netback: the backend half of netif, on top of the virtio-net driver. */
#ifndef NETBACK_H
#define NETBACK_H
#include <pvk/kernel.h>
#include <pvlab/netif.h>
#include "vnet.h"

struct netback {
	struct vnet *vn;
	u32 fe_domid, idx;
	char be_dir[96], fe_dir[96];
	u32 state;
	int connected, closing, dirty, poll_tx;
	u32 tx_free_seen;
	u8 mac[6];
	volatile struct netif_tx_sring *tx;
	volatile struct netif_rx_sring *rx;
	u32 tx_ref, port;
	u32 tx_req_cons, tx_rsp_prod_pvt, rx_req_cons, rx_rsp_prod_pvt;
	u32 tx_frames, rx_frames, rx_dropped, notifies;
};

struct netback *netback_create(struct vnet *vn, u32 fe_domid, u32 idx);
#endif
