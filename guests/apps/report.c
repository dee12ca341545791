/* The applications' verdict lines (VERDICT PASS|FAIL name key=value ...) and benchmark lines. */
#include "apps.h"

static int storage_started, net_started;

int apps_report(const char *extra_storage, const char *extra_net)
{
	int ok = 1;
	const struct storage_result *s = storage_result();
	const struct net_result *n = netapp_result();
	storage_started = s->started != 0;
	net_started = n->started != 0;
	if (storage_started) {
		u32 expect = param_u32("blk.records", 128) * param_u32("blk.passes", 2);
		int pass = s->done && !s->lost && !s->corrupted && !s->failed && s->verified == expect;
		ok &= pass;
		kprintf("VERDICT %s storage records=%u written=%u verified=%u lost=%u corrupted=%u failed=%u ioerrors=%u%s%s\n", pass ? "PASS" : "FAIL",
			expect, s->written, s->verified, s->lost, s->corrupted, s->failed, s->ioerrors, extra_storage ? " " : "",
			extra_storage ? extra_storage : "");
		kprintf("BENCH storage size=%u records=%u passes=%u depth=%u write_us=%u read_us=%u total_us=%u bytes_written=%llu bytes_read=%llu\n",
			param_u32("blk.size", 4096), param_u32("blk.records", 128), param_u32("blk.passes", 2), param_u32("blk.depth", 8),
			ticks_to_us(s->write_ticks), ticks_to_us(s->read_ticks), ticks_to_us(s->finished - s->started), s->bytes_written, s->bytes_read);
	}
	if (net_started) {
		int pass = n->done && !n->lost && n->answered == param_u32("net.requests", 64);
		ok &= pass;
		kprintf("VERDICT %s network requests=%u answered=%u lost=%u retries=%u bad=%u duplicates=%u%s%s\n", pass ? "PASS" : "FAIL",
			param_u32("net.requests", 64), n->answered, n->lost, n->retries, n->bad, n->duplicates, extra_net ? " " : "", extra_net ? extra_net : "");
		kprintf("BENCH network requests=%u size=%u total_us=%u rtt_avg_us=%u\n", param_u32("net.requests", 64), param_u32("net.size", 256),
			ticks_to_us(n->finished - n->started), n->answered ? ticks_to_us(n->rtt_total / n->answered) : 0);
	}
	return ok;
}
