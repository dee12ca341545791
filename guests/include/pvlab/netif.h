/*
 * pvlab network interface (netif): the rings between netfront (client VM)
 * and netback (network driver VM), one header for both sides
 * (docs/guests.md, "netif").
 *
 * Handshake as docs/abi.md; the frontend publishes `ring-ref` (the TX ring),
 * `rx-ring-ref` (the RX ring), `event-channel` (one port for both rings)
 * and `mac` (its Ethernet address, "02:50:..."), then Initialised.
 *
 * TX ring: the frontend sends a frame held in one granted page (read-only);
 * the backend copies it out, answers with the id, and puts it on the wire.
 * RX ring: the frontend posts empty pages (granted writable); for each frame
 * for this frontend the backend takes a posted request, copies the frame
 * into its page and answers with the id and the length (or an error).
 * Frames are whole Ethernet frames (14-byte header, no FCS), at most
 * NETIF_MAX_FRAME bytes. Responses carry a check word as in blkif.
 */
#ifndef PVLAB_NETIF_H
#define PVLAB_NETIF_H
#include <pvlab/pvring.h>

#define NETIF_SLOT_BYTES 64
#define NETIF_RING_SLOTS 32
#define NETIF_MAX_FRAME 1514
#define NETIF_KEY_RX_RING_REF "rx-ring-ref"
#define NETIF_KEY_MAC "mac"

#define NETIF_RSP_OKAY 0
#define NETIF_RSP_ERROR (-1)
#define NETIF_RSP_DROPPED (-2)

struct netif_tx_request {
	unsigned int id;
	unsigned short gref;
	unsigned short offset; /* of the frame in the page */
	unsigned short size;   /* frame bytes */
	unsigned short _reserved;
};

struct netif_tx_response {
	unsigned int id;
	short status;
	unsigned short _reserved;
	unsigned int check; /* netif_check(id, status, 0) */
};

struct netif_rx_request {
	unsigned int id;
	unsigned short gref; /* a page granted writable */
	unsigned short _reserved;
};

struct netif_rx_response {
	unsigned int id;
	short status;        /* frame length (> 0), or NETIF_RSP_* */
	unsigned short offset;
	unsigned int check;  /* netif_check(id, status, offset) */
};

union netif_tx_slot {
	struct netif_tx_request req;
	struct netif_tx_response rsp;
	unsigned char raw[NETIF_SLOT_BYTES];
};

union netif_rx_slot {
	struct netif_rx_request req;
	struct netif_rx_response rsp;
	unsigned char raw[NETIF_SLOT_BYTES];
};

struct netif_tx_sring {
	struct pvring_header h;
	union netif_tx_slot slot[NETIF_RING_SLOTS];
};

struct netif_rx_sring {
	struct pvring_header h;
	union netif_rx_slot slot[NETIF_RING_SLOTS];
};

_Static_assert(sizeof(union netif_tx_slot) == NETIF_SLOT_BYTES, "netif tx slot layout");
_Static_assert(sizeof(union netif_rx_slot) == NETIF_SLOT_BYTES, "netif rx slot layout");
_Static_assert(sizeof(struct netif_rx_sring) <= 4096, "netif ring fits a page");

static inline unsigned int netif_check(unsigned int id, int status, unsigned int offset)
{
	return (id * 0x85EBCA6Bu) ^ ((unsigned int)(status & 0xffff) << 16 | (offset & 0xffffu)) ^ 0x0E7F00Du;
}
#endif
