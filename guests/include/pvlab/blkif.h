/*
 * pvlab block interface (blkif): the ring protocol between blkfront (client
 * VM) and blkback (block driver VM), one header for both sides
 * (docs/guests.md, "blkif").
 *
 * Handshake: docs/abi.md ("Handshake states"); the frontend publishes
 * `ring-ref` (gref of the ring page) and `event-channel` in its device dir,
 * the backend `sectors` and `sector-size` in its backend dir.
 *
 * Ring: one page, pvring header, BLKIF_RING_SLOTS slots of 128 bytes. A
 * request names up to BLKIF_MAX_SEGMENTS segments; each segment is a page
 * the frontend granted to the backend (read-only for writes to the disk,
 * writable for reads) and a range of 512-byte sectors in it. The id is
 * opaque to the backend and echoed in the response with the operation, the
 * status and a check word over the three (a response the frontend cannot
 * verify is treated as a misbehaving backend, never acknowledged).
 */
#ifndef PVLAB_BLKIF_H
#define PVLAB_BLKIF_H
#include <pvlab/pvring.h>

#define BLKIF_SLOT_BYTES 128
#define BLKIF_RING_SLOTS 16
#define BLKIF_MAX_SEGMENTS 28
#define BLKIF_SECTOR_SIZE 512
#define BLKIF_SECTORS_PER_PAGE 8

#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_OP_FLUSH 2

#define BLKIF_RSP_OKAY 0
#define BLKIF_RSP_ERROR (-1)
#define BLKIF_RSP_EOPNOTSUPP (-2)

struct blkif_segment {
	unsigned short gref;      /* grant of the frontend's page */
	unsigned char first_sect; /* first and last 512-byte sector used in that page (0..7) */
	unsigned char last_sect;
};

struct blkif_request {
	unsigned int id;
	unsigned char op;
	unsigned char nr_segments;
	unsigned short _reserved;
	unsigned int sector_lo; /* first disk sector (512 bytes) */
	unsigned int sector_hi;
	struct blkif_segment seg[BLKIF_MAX_SEGMENTS];
};

struct blkif_response {
	unsigned int id;
	unsigned char op;
	unsigned char _reserved;
	short status;
	unsigned int check; /* blkif_check(id, op, status) */
};

union blkif_slot {
	struct blkif_request req;
	struct blkif_response rsp;
	unsigned char raw[BLKIF_SLOT_BYTES];
};

struct blkif_sring {
	struct pvring_header h;
	union blkif_slot slot[BLKIF_RING_SLOTS];
};

_Static_assert(sizeof(struct blkif_request) == BLKIF_SLOT_BYTES, "blkif request layout");
_Static_assert(sizeof(union blkif_slot) == BLKIF_SLOT_BYTES, "blkif slot layout");
_Static_assert(sizeof(struct blkif_sring) <= 4096, "blkif ring fits a page");
_Static_assert((BLKIF_RING_SLOTS & (BLKIF_RING_SLOTS - 1)) == 0, "power-of-two slots");

static inline unsigned int blkif_check(unsigned int id, unsigned int op, int status)
{
	return (id * 0x9E3779B1u) ^ ((op & 0xffu) << 16 | (status & 0xffffu)) ^ 0xB10C5EEDu;
}
#endif
