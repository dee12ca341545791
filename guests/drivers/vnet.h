/* virtio-net driver: one receive and one transmit queue, frames copied through the driver's own buffers. */
#ifndef PVK_VNET_H
#define PVK_VNET_H
#include "virtio.h"

#define VNET_HDR 12
#define VNET_BUF 2048
#define VNET_RX_BUFS 32
#define VNET_TX_BUFS 32

struct vnet {
	struct virtio_dev dev;
	struct virtq rxq, txq;
	u8 mac[6];
	u8 *rxbuf[VNET_RX_BUFS];
	u8 *txbuf[VNET_TX_BUFS];
	u32 tx_free_mask;
	void (*rx)(struct vnet *vn, const u8 *frame, u32 len, void *arg);
	void *rx_arg;
	u32 tx_frames, rx_frames, tx_full;
};

struct vnet *vnet_probe(void);
/* Copies one frame to the transmit queue; 0, or -1 when no buffer is free. */
int vnet_send(struct vnet *vn, const void *frame, u32 len);
u32 vnet_tx_free(struct vnet *vn);
int vnet_poll(struct vnet *vn);
#endif
