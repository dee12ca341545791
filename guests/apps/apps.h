/* The verifying workloads (docs/guests.md, "Applications"). */
#ifndef APPS_H
#define APPS_H
#include "blkdev.h"

#define NETAPP_MAX_FRAME 1514

struct storage_cfg {
	u32 size;    /* bytes per record = per request (multiple of 512) */
	u32 records; /* records per pass */
	u32 depth;   /* requests in flight */
	u32 passes;  /* each pass writes every record, then reads and verifies every record */
	u32 first_sector;
	u32 seed;
};

struct storage_result {
	u32 written;   /* acknowledged record writes */
	u32 verified;  /* record reads that matched what was written */
	u32 lost;      /* acknowledged writes whose data was not there (stale or never written) */
	u32 corrupted; /* records whose data failed its checksum or belongs elsewhere */
	u32 ioerrors;  /* error completions (each retried) */
	u32 failed;    /* I/Os given up after the retries */
	u32 pass;
	u64 write_ticks, read_ticks;
	u64 bytes_written, bytes_read;
	u64 started, finished;
	int done;
};

void storage_config(struct storage_cfg *c); /* from the boot parameters (blk.*) */
void storage_start(struct blkdev *d, const struct storage_cfg *cfg);
const struct storage_result *storage_result(void);

struct net_cfg {
	u32 requests, size, timeout_ms, retries;
};

struct net_result {
	u32 sent, answered, lost, retries, bad, duplicates;
	u64 started, finished, rtt_total;
	int done;
};

void net_config(struct net_cfg *c); /* from the boot parameters (net.*) */
void netapp_start(struct netdev *d, const struct net_cfg *cfg);
const struct net_result *netapp_result(void);

/* Prints the apps' VERDICT lines and the BENCH lines; returns 1 when every verdict passed. */
int apps_report(const char *extra_storage, const char *extra_net);
#endif
