/* The client VM: frontends (blkfront, netfront) and the applications on top of them. */
#ifndef CLIENT_H
#define CLIENT_H
#include <pvk/kernel.h>
#include <pvlab/blkif.h>
#include <pvlab/netif.h>
#include "blkdev.h"

/* The connection counters every frontend keeps (pvfront.c). */
struct pvfront_stats {
	u32 connects, reconnects, backend_lost;
	struct outage outage;
};

struct blkfront_stats {
	u32 submitted, issued, completed, errors, reissued, timeouts, bad_responses, notifies, kicks, grant_leaks;
	struct pvfront_stats link;
};

struct netfront_stats {
	u32 tx, tx_dropped, rx, rx_bad, bad_responses, notifies, kicks, grant_leaks;
	struct pvfront_stats link;
};

struct blkdev *blkfront_create(u32 idx);
const struct blkfront_stats *blkfront_stats(struct blkdev *d);
struct netdev *netfront_create(u32 idx);
const struct netfront_stats *netfront_stats(struct netdev *d);
#endif
