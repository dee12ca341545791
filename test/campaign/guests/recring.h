/*
 * The campaign test protocol: a record store. The client grants one shared
 * ring page (64-byte header as in docs/abi.md: req_prod @0, req_event @4,
 * rsp_prod @8, rsp_event @12; 16 slots of 128 bytes, the blk slot size) and
 * one data page per request. WRITE stores the 512-byte record in the data
 * page at sector `lba` of the driver VM's virtio-blk disk; READ reads it back
 * into the (writable) data page. Responses reuse the slot: op = status
 * (0 ok, 1 failed), id echoed.
 */
#ifndef RECRING_H
#define RECRING_H
#include "pvrt.h"

#define RR_SLOTS 16
#define RR_SLOT_BYTES 128
#define RR_SECTOR 512
#define RR_RECORDS 64

struct rr_slot {
	u32 id;
	u32 op;   /* request: RR_OP_*; response: status */
	u32 lba;
	u32 gref;
	u32 sum;  /* WRITE: checksum of the record (the driver verifies it before acknowledging) */
	u32 pad[27];
};

struct rr_ring {
	u32 req_prod, req_event, rsp_prod, rsp_event;
	u32 pad[12];
	struct rr_slot slots[RR_SLOTS];
};
_Static_assert(sizeof(struct rr_slot) == RR_SLOT_BYTES, "slot layout");

enum { RR_OP_WRITE = 1, RR_OP_READ = 2 };

/* FNV-1a over a sector: the checksum the host recomputes from the disk. */
static inline u32 rr_sum(const volatile u8 *p)
{
	u32 h = 0x811c9dc5u;
	for (int i = 0; i < RR_SECTOR; i++) h = (h ^ p[i]) * 0x01000193u;
	return h;
}
#endif
