/* virtio-net driver (see vnet.h), from the virtio 1.2 specification, section 5.1. */
#include "vnet.h"

#define VIRTIO_NET_F_MAC (1u << 5)
#define VIRTIO_NET_F_STATUS (1u << 16)

static void post_rx(struct vnet *vn, u32 i)
{
	struct virtq_buf b = { (u32)(uintptr_t)vn->rxbuf[i], VNET_BUF, 1 };
	if (virtq_add(&vn->rxq, &b, 1, (void *)(uintptr_t)(i + 1))) panic("virtio-net: receive queue full");
}

int vnet_poll(struct vnet *vn)
{
	int n = 0;
	void *c;
	u32 len;
	while ((c = virtq_get(&vn->txq, &len)) != NULL) {
		vn->tx_free_mask |= 1u << ((u32)(uintptr_t)c - 1);
		n++;
	}
	int posted = 0;
	while ((c = virtq_get(&vn->rxq, &len)) != NULL) {
		u32 i = (u32)(uintptr_t)c - 1;
		if (len > VNET_HDR && len <= VNET_BUF) {
			vn->rx_frames++;
			if (vn->rx) vn->rx(vn, vn->rxbuf[i] + VNET_HDR, len - VNET_HDR, vn->rx_arg);
		}
		post_rx(vn, i);
		posted++;
		n++;
	}
	if (posted) virtq_kick(&vn->dev, &vn->rxq);
	return n;
}

static void on_irq(void *arg)
{
	struct vnet *vn = arg;
	u32 s = virtio_ack(&vn->dev);
	if ((s & 2) && (virtio_status(&vn->dev) & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED)))
		panic("virtio-net at 0x%08x needs a reset (status 0x%x)", vn->dev.base, virtio_status(&vn->dev));
	vnet_poll(vn);
}

struct vnet *vnet_probe(void)
{
	for (u32 i = 0; i < boot_info.nvirtio; i++) {
		struct pvk_virtio_node *n = &boot_info.virtio[i];
		if (virtio_probe(n->base) != VIRTIO_ID_NET) continue;
		struct vnet *vn = kmalloc(sizeof(*vn));
		u32 feat = 0;
		if (!vn || virtio_init(&vn->dev, n->base, n->irq, VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS, &feat))
			panic("virtio-net at 0x%08x: feature negotiation failed", n->base);
		vn->dev.name = "virtio-net";
		if (feat & VIRTIO_NET_F_MAC) {
			u32 a = virtio_config32(&vn->dev, 0), b = virtio_config32(&vn->dev, 4);
			vn->mac[0] = (u8)a, vn->mac[1] = (u8)(a >> 8), vn->mac[2] = (u8)(a >> 16), vn->mac[3] = (u8)(a >> 24);
			vn->mac[4] = (u8)b, vn->mac[5] = (u8)(b >> 8);
		}
		if (virtq_setup(&vn->dev, &vn->rxq, 0, 64) || virtq_setup(&vn->dev, &vn->txq, 1, 64))
			panic("virtio-net at 0x%08x: queue setup failed", n->base);
		u8 *mem = page_alloc((VNET_RX_BUFS + VNET_TX_BUFS) * VNET_BUF / PAGE_SIZE);
		if (!mem) panic("virtio-net: out of memory for buffers");
		for (u32 k = 0; k < VNET_RX_BUFS; k++) vn->rxbuf[k] = mem + k * VNET_BUF;
		for (u32 k = 0; k < VNET_TX_BUFS; k++) vn->txbuf[k] = mem + (VNET_RX_BUFS + k) * VNET_BUF;
		vn->tx_free_mask = VNET_TX_BUFS == 32 ? 0xffffffffu : (1u << VNET_TX_BUFS) - 1;
		for (u32 k = 0; k < VNET_RX_BUFS; k++) post_rx(vn, k);
		plic_enable(n->irq, on_irq, vn);
		virtio_driver_ok(&vn->dev);
		virtq_kick(&vn->dev, &vn->rxq);
		return vn;
	}
	return NULL;
}

u32 vnet_tx_free(struct vnet *vn) { return (u32)__builtin_popcount(vn->tx_free_mask); }

int vnet_send(struct vnet *vn, const void *frame, u32 len)
{
	if (!vn->tx_free_mask || len > VNET_BUF - VNET_HDR) {
		vn->tx_full++;
		return -1;
	}
	u32 i = (u32)__builtin_ctz(vn->tx_free_mask);
	u8 *b = vn->txbuf[i];
	memset(b, 0, VNET_HDR);
	memcpy(b + VNET_HDR, frame, len);
	struct virtq_buf d = { (u32)(uintptr_t)b, VNET_HDR + len, 0 };
	if (virtq_add(&vn->txq, &d, 1, (void *)(uintptr_t)(i + 1))) {
		vn->tx_full++;
		return -1;
	}
	vn->tx_free_mask &= ~(1u << i);
	vn->tx_frames++;
	virtq_kick(&vn->dev, &vn->txq);
	return 0;
}
