/*
 * The client VM: applications over split drivers. It finds its frontends in
 * the registry (/vm/<me>/device/blk/<idx>, /vm/<me>/device/net/<idx>),
 * starts the storage workload once the disk is connected and the network
 * workload once the network is, and prints their verdicts when both are
 * done. Then it stays up (idle), so a run shows that it never stopped.
 */
#include "client.h"
#include "apps.h"

const char *pvk_name = "client";

static long first_index(const char *kind)
{
	char dir[32], names[128];
	ksnprintf(dir, sizeof(dir), "device/%s", kind);
	long n = reg_list(dir, names, sizeof(names));
	for (long i = 0; i < n; i += (long)strlen(names + i) + 1) {
		u32 idx;
		if (!parse_u32(names + i, &idx)) return idx;
	}
	return -1;
}

void pvk_main(void)
{
	struct blkdev *bd = NULL;
	struct netdev *nd = NULL;
	int want_storage = param_u32("app.storage", 1), want_net = param_u32("app.net", 1);
	long bi = want_storage ? first_index(PVIO_KIND_BLK) : -1, ni = want_net ? first_index(PVIO_KIND_NET) : -1;
	kprintf("client: domid %u, %u MiB RAM, disk frontend %s, network frontend %s\n", boot_info.domid, boot_info.ram_size >> 20,
		bi >= 0 ? "yes" : "no", ni >= 0 ? "yes" : "no");
	if (bi >= 0) bd = blkfront_create((u32)bi);
	if (ni >= 0) nd = netfront_create((u32)ni);
	int s_started = 0, n_started = 0;
	for (;;) {
		if (bd && !s_started && bd->ready(bd)) {
			struct storage_cfg c;
			storage_config(&c);
			if (c.first_sector + (u64)c.records * (c.size / 512) > bd->sectors)
				panic("storage: %u records of %u bytes do not fit the disk (%llu sectors)", c.records, c.size, bd->sectors);
			storage_start(bd, &c);
			s_started = 1;
		}
		if (nd && !n_started && nd->ready(nd)) {
			struct net_cfg c;
			net_config(&c);
			netapp_start(nd, &c);
			n_started = 1;
		}
		int s_done = !bd || (s_started && storage_result()->done);
		int n_done = !nd || (n_started && netapp_result()->done);
		if (s_done && n_done) break;
		pvk_run_once();
	}
	char se[200] = "", ne[160] = "";
	if (bd) {
		const struct blkfront_stats *b = blkfront_stats(bd);
		ksnprintf(se, sizeof(se), "reissued=%u reconnects=%u outages=%u waited_us=%u longest_us=%u timeouts=%u bad_responses=%u", b->reissued,
			b->link.reconnects, b->link.outage.count, ticks_to_us(b->link.outage.total), ticks_to_us(b->link.outage.longest), b->timeouts,
			b->bad_responses);
	}
	if (nd) {
		const struct netfront_stats *n = netfront_stats(nd);
		ksnprintf(ne, sizeof(ne), "reconnects=%u outages=%u waited_us=%u dropped=%u", n->link.reconnects,
			n->link.outage.count, ticks_to_us(n->link.outage.total), n->tx_dropped);
	}
	int ok = apps_report(bd ? se : NULL, nd ? ne : NULL);
	kprintf("VERDICT %s client workload finished, client alive\n", ok ? "PASS" : "FAIL");
	pvk_run();
}
