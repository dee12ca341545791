/*
 * The frontend half of the split-device handshake (docs/abi.md,
 * docs/guests.md "Handshake, failures and reconnection"), shared by blkfront
 * and netfront: it watches the backend's state, drives its own state and
 * calls the device's setup, connected and teardown hooks at the right steps.
 */
#ifndef PVFRONT_H
#define PVFRONT_H
#include <pvk/kernel.h>
#include "blkdev.h"
#include "client.h"

enum pvfront_phase { PVFRONT_WAIT_BACKEND, PVFRONT_INITIALISED, PVFRONT_CONNECTED, PVFRONT_CLOSING };

struct pvfront {
	const char *name; /* "blkfront", for messages */
	u32 be_domid;
	char dir[96], be_dir[96];
	enum pvfront_phase phase;
	struct pvfront_stats *st; /* in the device's own statistics */
	void *owner;
	/* Backend InitWait: initialise and grant the ring(s), allocate the port, write the keys (pvfront_write_u32). */
	void (*setup)(void *owner);
	/* Backend Connected: the device is usable (the state and counters are already updated). */
	void (*connected)(void *owner);
	/* Local teardown: end every grant, close the port, keep or drop what was in flight, say so. */
	void (*teardown)(void *owner, const char *why);
};

/* Reads the backend's dir and id from the device dir of (kind, idx) and starts watching its state. */
void pvfront_start(struct pvfront *pf, const char *kind, u32 idx);
/* "<dir>/<key>" of the frontend's device dir (backend = 0) or of the backend's dir (backend = 1). */
void pvfront_path(const struct pvfront *pf, int backend, const char *key, char out[160]);
/* Writes a key of the frontend's device dir. */
void pvfront_write(struct pvfront *pf, const char *key, const char *value);
void pvfront_write_u32(struct pvfront *pf, const char *key, u32 value);
/* Asks a live but misbehaving backend to release the connection (orderly Closing). */
void pvfront_request_close(struct pvfront *pf, const char *why);
static inline int pvfront_connected(const struct pvfront *pf) { return pf->phase == PVFRONT_CONNECTED; }
#endif
