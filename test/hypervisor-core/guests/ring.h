/*
 * The test split-device protocol: one shared ring page granted by the
 * frontend. Header: req_prod @0, req_event @4, rsp_prod @8, rsp_event @12;
 * 32 slots of 64 bytes from offset 64 (a request and its response share a slot).
 */
#ifndef RING_H
#define RING_H
#include "pvrt.h"

#define RING_SLOTS 32
#define SLOT_BYTES 64

struct slot {
	u32 id;
	u32 op;      /* request: operation; response: status (0 = ok) */
	u32 arg;     /* request: argument; response: value */
	u32 data[13];
};

struct ring {
	u32 req_prod, req_event, rsp_prod, rsp_event;
	u32 pad[12];
	struct slot slots[RING_SLOTS];
};
_Static_assert(sizeof(struct ring) == 64 + RING_SLOTS * SLOT_BYTES, "ring layout");

enum { OP_PING = 1, OP_PATTERN = 2, OP_SUM = 3 };
#define PATTERN(i) (0xB0B00000u + (i))
#endif
