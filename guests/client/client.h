/* The client VM: frontends (blkfront, netfront) and the applications on top of them. */
#ifndef CLIENT_H
#define CLIENT_H
#include <pvk/kernel.h>
#include <pvlab/blkif.h>
#include <pvlab/netif.h>
#include "blkdev.h"

struct blkfront_stats {
	u32 submitted, issued, completed, errors, reissued, connects, reconnects, backend_lost, timeouts, bad_responses, notifies, kicks, grant_leaks;
	struct outage outage;
};

struct netfront_stats {
	u32 tx, tx_dropped, rx, rx_bad, connects, reconnects, backend_lost, bad_responses, notifies, kicks, grant_leaks;
	struct outage outage;
};

struct blkdev *blkfront_create(u32 idx);
const struct blkfront_stats *blkfront_stats(struct blkdev *d);
struct netdev *netfront_create(u32 idx);
const struct netfront_stats *netfront_stats(struct netdev *d);
#endif
