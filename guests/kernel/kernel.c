/*
 * Boot, time, timers, parameters and the event loop.
 *
 * The loop: take SSIP, dispatch event channels (which include registry
 * watches on port 0), device interrupts through the PLIC, due timers and
 * the pollers; if none of them did anything, program the SBI timer for the
 * earliest deadline and `wfi`. Interrupts are enabled in `sie` but never
 * taken (sstatus.SIE = 0): an event that arrives after its source was
 * checked leaves its bit pending, and `wfi` returns at once.
 */
#include <pvk/kernel.h>

extern char _end[];

struct pvk_stats pvk_stats;

/* The parameter block: a fixed 256-byte string that tools may patch in the ELF (docs/guests.md). */
__attribute__((used, aligned(16))) volatile char pvk_params[256] = "pvk-params:";

static const char *params_text(void)
{
	if (boot_info.bootargs[0]) return boot_info.bootargs;
	const volatile char *p = pvk_params;
	static char copy[256];
	for (u32 i = 0; i < sizeof(copy) - 1; i++) copy[i] = p[i];
	copy[sizeof(copy) - 1] = 0;
	if (strncmp(copy, "pvk-params:", 11) == 0) return copy + 11;
	return copy;
}

const char *param_str(const char *key, char *buf, u32 len)
{
	const char *s = params_text();
	size_t kl = strlen(key);
	while (*s) {
		while (*s == ' ') s++;
		const char *w = s;
		while (*s && *s != ' ') s++;
		if ((size_t)(s - w) > kl && strncmp(w, key, kl) == 0 && w[kl] == '=') {
			u32 n = (u32)(s - w - (long)kl - 1);
			if (n + 1 > len) n = len - 1;
			memcpy(buf, w + kl + 1, n);
			buf[n] = 0;
			return buf;
		}
	}
	return NULL;
}

u32 param_u32(const char *key, u32 def)
{
	char b[24];
	u32 v;
	if (!param_str(key, b, sizeof(b)) || parse_u32(b, &v)) return def;
	return v;
}

/* ---- time ---------------------------------------------------------------------------------- */

u64 time_now(void)
{
	u32 hi, lo, hi2;
	do {
		hi = csr_read(timeh);
		lo = csr_read(time);
		hi2 = csr_read(timeh);
	} while (hi != hi2);
	return ((u64)hi << 32) | lo;
}

u64 ms_to_ticks(u32 ms) { return (u64)ms * (boot_info.timebase_hz / 1000); }
u64 us_to_ticks(u32 us) { return (u64)us * boot_info.timebase_hz / 1000000; }
u32 ticks_to_us(u64 t) { return (u32)(t * 1000000 / boot_info.timebase_hz); }

static struct ktimer *timers; /* sorted by deadline */
static u64 programmed = ~0ull;

void timer_cancel(struct ktimer *t)
{
	if (!t->armed) return;
	for (struct ktimer **pp = &timers; *pp; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	t->armed = 0;
}

void timer_arm(struct ktimer *t, u64 deadline, void (*fn)(void *), void *arg)
{
	timer_cancel(t);
	t->deadline = deadline;
	t->fn = fn;
	t->arg = arg;
	t->armed = 1;
	struct ktimer **pp = &timers;
	while (*pp && (*pp)->deadline <= deadline) pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

static int timers_poll(void)
{
	int n = 0;
	if (!timers) return 0;
	u64 now = time_now();
	while (timers && timers->deadline <= now) {
		struct ktimer *t = timers;
		timers = t->next;
		t->armed = 0;
		t->fn(t->arg);
		n++;
		now = time_now();
	}
	pvk_stats.timers += (u32)n;
	return n;
}

static void program_timer(void)
{
	u64 want = timers ? timers->deadline : ~0ull;
	if (want == programmed && (want != ~0ull || !(csr_read(sip) & SIE_STIE))) return;
	programmed = want;
	sbi_set_timer((u32)want, (u32)(want >> 32)); /* also clears a pending STIP */
}

/* ---- the loop ----------------------------------------------------------------------------------- */

#define MAX_POLLERS 16
static struct {
	pvk_poll_fn fn;
	void *arg;
} pollers[MAX_POLLERS];
static u32 npollers;
static int kicked;

void pvk_add_poller(pvk_poll_fn fn, void *arg)
{
	if (npollers == MAX_POLLERS) panic("too many pollers");
	pollers[npollers].fn = fn;
	pollers[npollers].arg = arg;
	npollers++;
}

void pvk_kick(void) { kicked = 1; }

void pvk_run_once(void)
{
	static int scanned;
	int work = 0;
	pvk_stats.loops++;
	/*
	 * The hypervisor raises SSIP whenever a port becomes pending, so the
	 * pending bitmap (a page the hypervisor emulates: slow to read) is only
	 * scanned after SSIP, which is cleared first so that a later event
	 * raises it again.
	 */
	u32 sip = csr_read(sip);
	if ((sip & SIE_SSIE) || !scanned) {
		csr_clear(sip, SIE_SSIE);
		scanned = 1;
		work += evtchn_dispatch();
	}
	if (sip & SIE_SEIE) work += plic_dispatch();
	work += timers_poll();
	for (u32 i = 0; i < npollers; i++) work += pollers[i].fn(pollers[i].arg);
	if (kicked) {
		kicked = 0;
		work = 1;
	}
	if (work) return;
	console_flush();
	program_timer();
	if (csr_read(sip) & (SIE_SSIE | SIE_STIE | SIE_SEIE)) return;
	pvk_stats.sleeps++;
	__asm__ __volatile__("wfi" ::: "memory");
}

void pvk_run(void)
{
	for (;;) pvk_run_once();
}

/* ---- boot ------------------------------------------------------------------------------------- */

void pvk_start(u32 hartid, u32 dtb)
{
	fdt_parse(dtb);
	boot_info.hartid = hartid;
	if (!boot_info.have_pvbus) panic("no pvlab,pvbus node: not running under the pvlab hypervisor");
	struct sbiret r = pvio_get_info(PVIO_INFO_DOMID);
	if (r.error) panic("PVIO extension not available (error %ld)", r.error);
	if (boot_info.domid && boot_info.domid != (u32)r.value) panic("DTB domid %u differs from PVIO domid %ld", boot_info.domid, r.value);
	boot_info.domid = (u32)r.value;
	u32 ram_end = boot_info.ram_base + boot_info.ram_size;
	u32 heap_end = dtb < ram_end && dtb > (u32)(uintptr_t)_end ? dtb : ram_end;
	mem_init((u32)(uintptr_t)_end, ALIGN_DOWN(heap_end, PAGE_SIZE));
	evtchn_init();
	plic_init();
	csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	pvk_main();
	kprintf("%s: main returned; idling\n", pvk_name);
	pvk_run();
}
