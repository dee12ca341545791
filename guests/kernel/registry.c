/*
 * Registry client (docs/abi.md, "Registry"): string helpers over the
 * REG_* hypercalls and watch dispatch. A watch's token is its slot number
 * plus one; events are read from the queue when port 0 fires and handed to
 * the watch's callback. On queue overflow every watch's callback runs once
 * with its own path, so it re-reads what it watches.
 */
#include <pvk/kernel.h>

#define MAX_WATCHES 8

static struct {
	char path[PVIO_REG_MAX_PATH + 1];
	reg_watch_fn fn;
	void *arg;
	int active;
} watches[MAX_WATCHES];

long reg_read(const char *path, char *buf, u32 len)
{
	struct sbiret r = pvio_reg_read((uintptr_t)path, strlen(path), (uintptr_t)buf, len ? len - 1 : 0);
	if (r.error) {
		if (len) buf[0] = 0;
		return r.error;
	}
	if ((u32)r.value + 1 > len) {
		if (len) buf[0] = 0;
		return SBI_ERR_FAILED; /* does not fit */
	}
	buf[r.value] = 0;
	return r.value;
}

long reg_read_u32(const char *path, u32 *out)
{
	char b[24];
	long n = reg_read(path, b, sizeof(b));
	if (n < 0) return n;
	if (parse_u32(b, out)) return SBI_ERR_INVALID_PARAM;
	return 0;
}

u32 reg_read_state(const char *path)
{
	u32 v;
	if (reg_read_u32(path, &v) || v > PVIO_STATE_CLOSED) return PVIO_STATE_UNKNOWN;
	return v;
}

long reg_write(const char *path, const char *value)
{
	struct sbiret r = pvio_reg_write((uintptr_t)path, strlen(path), (uintptr_t)value, strlen(value));
	return r.error;
}

long reg_write_u32(const char *path, u32 v)
{
	char b[12];
	ksnprintf(b, sizeof(b), "%u", v);
	return reg_write(path, b);
}

long reg_remove(const char *path)
{
	struct sbiret r = pvio_reg_remove((uintptr_t)path, strlen(path));
	return r.error;
}

long reg_list(const char *path, char *buf, u32 len)
{
	struct sbiret r = pvio_reg_list((uintptr_t)path, strlen(path), (uintptr_t)buf, len);
	if (r.error) return r.error;
	if ((u32)r.value > len) return SBI_ERR_FAILED;
	return r.value;
}

int reg_for_each_backend(const char *kind, reg_backend_fn fn, void *arg)
{
	char dir[64], fes[256], idxs[128];
	ksnprintf(dir, sizeof(dir), "backend/%s", kind);
	long n = reg_list(dir, fes, sizeof(fes));
	int count = 0;
	for (long i = 0; i < n; i += (long)strlen(fes + i) + 1) {
		u32 fe;
		if (parse_u32(fes + i, &fe)) continue;
		char sub[96];
		ksnprintf(sub, sizeof(sub), "%s/%u", dir, fe);
		long m = reg_list(sub, idxs, sizeof(idxs));
		for (long j = 0; j < m; j += (long)strlen(idxs + j) + 1) {
			u32 idx;
			if (parse_u32(idxs + j, &idx)) continue;
			fn(fe, idx, arg);
			count++;
		}
	}
	return count;
}

long reg_watch(const char *path, reg_watch_fn fn, void *arg)
{
	for (int i = 0; i < MAX_WATCHES; i++) {
		if (watches[i].active) continue;
		strncpy0(watches[i].path, path, sizeof(watches[i].path));
		watches[i].fn = fn;
		watches[i].arg = arg;
		watches[i].active = 1;
		struct sbiret r = pvio_reg_watch((uintptr_t)path, strlen(path), (u32)i + 1);
		if (r.error) {
			watches[i].active = 0;
			return r.error;
		}
		return i;
	}
	return SBI_ERR_FAILED;
}

void reg_unwatch(long h)
{
	if (h < 0 || h >= MAX_WATCHES || !watches[h].active) return;
	pvio_reg_unwatch((uintptr_t)watches[h].path, strlen(watches[h].path), (u32)h + 1);
	watches[h].active = 0;
}

int reg_dispatch_watches(void)
{
	static char buf[4 + PVIO_REG_MAX_PATH + 8];
	int n = 0;
	for (;;) {
		struct sbiret r = pvio_reg_read_watch((uintptr_t)buf, sizeof(buf) - 1);
		if (r.error || r.value == 0) break;
		if ((u32)r.value > sizeof(buf) - 1) panic("watch event of %ld bytes does not fit", r.value);
		buf[r.value] = 0;
		u32 token = (u8)buf[0] | ((u8)buf[1] << 8) | ((u8)buf[2] << 16) | ((u32)(u8)buf[3] << 24);
		n++;
		if (token == PVIO_REG_WATCH_TOKEN_OVERFLOW) {
			for (int i = 0; i < MAX_WATCHES; i++)
				if (watches[i].active) watches[i].fn(watches[i].path, watches[i].arg);
			continue;
		}
		u32 i = token - 1;
		if (i < MAX_WATCHES && watches[i].active) watches[i].fn(buf + 4, watches[i].arg);
	}
	pvk_stats.watches += (u32)n;
	return n;
}

const char *state_name(u32 s)
{
	static const char *const names[] = { "Unknown", "Initialising", "InitWait", "Initialised", "Connected", "Closing", "Closed" };
	return s < ARRAY_SIZE(names) ? names[s] : "?";
}
