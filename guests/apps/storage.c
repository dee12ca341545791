/*
 * The storage workload: writes records with checksums, reads them back,
 * verifies, and counts every record lost or corrupted.
 *
 * A record is `size` bytes at a fixed place on the disk; each of its 512-byte
 * sectors is self-describing: magic, record number, pass number, sector
 * number, 123 words of pseudo-random payload derived from those, and a
 * checksum of the 127 words before it. A pass writes every record (with
 * `depth` requests in flight), then reads every record back and checks each
 * sector: a bad checksum, or a sector that belongs to another record, is
 * corruption; a sector from an earlier pass, or never written, is a lost
 * write. Failed I/Os are retried.
 */
#include "apps.h"

#define MAGIC 0x31525650u /* "PVR1" */
#define WORDS 128
#define MAX_DEPTH 32
#define MAX_TRIES 8

enum { PH_WRITE, PH_READ, PH_DONE };

struct slot {
	struct blk_io io;
	u32 record, tries;
	int busy;
};

static struct {
	struct blkdev *dev;
	struct storage_cfg cfg;
	struct storage_result r;
	struct slot slots[MAX_DEPTH];
	u32 phase, next, completed, spr;
	u64 phase_start;
} st;

void storage_config(struct storage_cfg *c)
{
	c->size = param_u32("blk.size", 4096);
	c->records = param_u32("blk.records", 128);
	c->depth = param_u32("blk.depth", 8);
	c->passes = param_u32("blk.passes", 2);
	c->first_sector = param_u32("blk.first", 0);
	c->seed = param_u32("blk.seed", 0x5eed);
}

/*
 * Payload: a linear congruential stream seeded from (lba, pass); checksum: a
 * Fletcher-style pair of sums over the 127 words before it. Both are a few
 * instructions per word, so the workload stays bound by the disk rather
 * than by the CPU it shares with the driver VMs.
 */
#define LCG_MUL 0x9E3779B1u
#define LCG_ADD 0x7F4A7C15u

static u32 fold(u32 a, u32 b) { return (b << 16) ^ a ^ (b >> 16); }

static u32 checksum(const u32 *w, u32 n)
{
	u32 a = 1, b = 0;
	for (u32 i = 0; i < n; i++) {
		a += w[i];
		b += a;
	}
	return fold(a, b);
}

static u32 sector_seed(u32 lba, u32 pass) { return st.cfg.seed ^ (lba * 0x85EBCA77u) ^ (pass * 0xC2B2AE3Du); }

static u64 record_lba(u32 record) { return st.cfg.first_sector + (u64)record * st.spr; }

static void fill(struct slot *s, u32 pass)
{
	u32 *w = s->io.buf;
	for (u32 k = 0; k < st.spr; k++, w += WORDS) {
		u32 lba = (u32)record_lba(s->record) + k;
		u32 x = sector_seed(lba, pass);
		w[0] = MAGIC;
		w[1] = s->record;
		w[2] = pass;
		w[3] = lba;
		u32 a = 1 + MAGIC, b = a;
		a += s->record;
		b += a;
		a += pass;
		b += a;
		a += lba;
		b += a;
		/* Words 4..126, generated and summed in one pass (123 = 3 + 4 * 30). */
		u32 *p = w + 4;
		for (int i = 0; i < 3; i++) {
			x = x * LCG_MUL + LCG_ADD;
			*p++ = x;
			a += x;
			b += a;
		}
		for (int i = 0; i < 30; i++, p += 4) {
			u32 x0 = x * LCG_MUL + LCG_ADD, x1 = x0 * LCG_MUL + LCG_ADD, x2 = x1 * LCG_MUL + LCG_ADD, x3 = x2 * LCG_MUL + LCG_ADD;
			p[0] = x0;
			p[1] = x1;
			p[2] = x2;
			p[3] = x3;
			a += x0;
			b += a;
			a += x1;
			b += a;
			a += x2;
			b += a;
			a += x3;
			b += a;
			x = x3;
		}
		w[WORDS - 1] = fold(a, b);
	}
}

/*
 * 0 ok, 1 lost (from an earlier pass, or never written), 2 corrupted (bad
 * checksum, or a sector of another record). The checksum covers the payload,
 * the header says whose and which pass it is.
 */
static int verify(struct slot *s, u32 pass)
{
	const u32 *w = s->io.buf;
	int worst = 0;
	for (u32 k = 0; k < st.spr; k++, w += WORDS) {
		u32 lba = (u32)record_lba(s->record) + k;
		int bad = 0;
		if (w[WORDS - 1] != checksum(w, WORDS - 1)) {
			u32 any = 0;
			for (u32 i = 0; i < WORDS; i++) any |= w[i];
			bad = any ? 2 : 1;
		} else if (w[0] != MAGIC || w[1] != s->record || w[3] != lba) {
			bad = 2;
		} else if (w[2] != pass) {
			bad = w[2] < pass ? 1 : 2;
		} else if (w[4] != sector_seed(lba, pass) * LCG_MUL + LCG_ADD) {
			bad = 2; /* a valid sector, but not the one this pass wrote here */
		}
		if (bad && !worst)
			kprintf("storage: record %u sector %u (lba %u): %s (pass %u in the data, expected %u)\n", s->record, k, lba,
				bad == 1 ? "LOST" : "CORRUPTED", w[2], pass);
		if (bad > worst) worst = bad;
	}
	return worst;
}

static void submit(struct slot *s)
{
	s->busy = 1;
	s->io.op = st.phase == PH_WRITE ? BLK_OP_WRITE : BLK_OP_READ;
	s->io.sector = record_lba(s->record);
	s->io.nsect = st.spr;
	st.dev->submit(st.dev, &s->io);
}

static void on_done(struct blk_io *io, int status)
{
	struct slot *s = io->ctx;
	if (status != BLK_OK) {
		st.r.ioerrors++;
		if (++s->tries < MAX_TRIES) {
			if (st.phase == PH_WRITE) fill(s, st.r.pass);
			submit(s);
			return;
		}
		kprintf("storage: record %u: giving up after %u failed tries\n", s->record, s->tries);
		st.r.failed++;
	} else if (st.phase == PH_WRITE) {
		st.r.written++;
		st.r.bytes_written += st.cfg.size;
	} else {
		st.r.bytes_read += st.cfg.size;
		int v = verify(s, st.r.pass);
		if (v == 0) st.r.verified++;
		else if (v == 1) st.r.lost++;
		else st.r.corrupted++;
	}
	s->busy = 0;
	st.completed++;
	pvk_kick();
}

static int storage_poll(void *arg)
{
	(void)arg;
	if (st.phase == PH_DONE) return 0;
	int work = 0;
	for (u32 i = 0; i < st.cfg.depth && st.next < st.cfg.records; i++) {
		struct slot *s = &st.slots[i];
		if (s->busy) continue;
		s->record = st.next++;
		s->tries = 0;
		if (st.phase == PH_WRITE) fill(s, st.r.pass);
		submit(s);
		work++;
	}
	if (st.completed == st.cfg.records) {
		u64 now = time_now();
		if (st.phase == PH_WRITE) {
			st.r.write_ticks += now - st.phase_start;
			st.phase = PH_READ;
		} else {
			st.r.read_ticks += now - st.phase_start;
			kprintf("storage: pass %u: %u records verified so far, %u lost, %u corrupted\n", st.r.pass, st.r.verified, st.r.lost,
				st.r.corrupted);
			if (st.r.pass == st.cfg.passes) {
				st.phase = PH_DONE;
				st.r.done = 1;
				st.r.finished = now;
				return 1;
			}
			st.r.pass++;
			st.phase = PH_WRITE;
		}
		st.phase_start = now;
		st.next = 0;
		st.completed = 0;
		work++;
	}
	return work;
}

void storage_start(struct blkdev *d, const struct storage_cfg *cfg)
{
	st.dev = d;
	st.cfg = *cfg;
	if (st.cfg.size < 512 || st.cfg.size % 512 || st.cfg.size / 512 > d->max_sectors) panic("storage: bad record size %u", st.cfg.size);
	if (st.cfg.depth < 1) st.cfg.depth = 1;
	if (st.cfg.depth > MAX_DEPTH) st.cfg.depth = MAX_DEPTH;
	st.spr = st.cfg.size / 512;
	for (u32 i = 0; i < st.cfg.depth; i++) {
		st.slots[i].io.buf = page_alloc((st.cfg.size + PAGE_SIZE - 1) / PAGE_SIZE);
		if (!st.slots[i].io.buf) panic("storage: out of memory for %u buffers of %u bytes", st.cfg.depth, st.cfg.size);
		st.slots[i].io.ctx = &st.slots[i];
		st.slots[i].io.done = on_done;
	}
	st.r.pass = 1;
	st.phase = PH_WRITE;
	st.r.started = st.phase_start = time_now();
	kprintf("storage: %u passes of %u records of %u bytes, %u in flight\n", st.cfg.passes, st.cfg.records, st.cfg.size, st.cfg.depth);
	pvk_add_poller(storage_poll, NULL);
}

const struct storage_result *storage_result(void) { return &st.r; }
