/*
 * Event channels (docs/abi.md, "Event channels"): ports are signalled by
 * setting their bit in the shared-info page's pending bitmap and raising
 * SSIP. The loop clears SSIP first, then fetch-and-clears each non-zero
 * pending word (amoswap, which the hypervisor emulates on that page) and
 * runs the handler of every port found. Port 0 is the registry's watch port.
 */
#include <pvk/kernel.h>

#define SI ((volatile struct pvio_shared_info *)(uintptr_t)PVIO_SHARED_INFO_GPA)

static struct {
	evtchn_handler_t fn;
	void *arg;
} handlers[PVIO_EVTCHN_MAX_PORTS];

static void watch_port(u32 port, void *arg)
{
	(void)port;
	(void)arg;
	reg_dispatch_watches();
}

void evtchn_init(void)
{
	if (SI->magic != PVIO_SHARED_INFO_MAGIC) panic("shared-info page missing (magic 0x%08x)", (u32)SI->magic);
	handlers[PVIO_EVTCHN_PORT_WATCH].fn = watch_port;
}

long evtchn_alloc_unbound(u32 remote)
{
	struct sbiret r = pvio_evtchn_alloc_unbound(remote);
	return r.error ? r.error : r.value;
}

long evtchn_bind(u32 remote, u32 remote_port)
{
	struct sbiret r = pvio_evtchn_bind_interdomain(remote, remote_port);
	return r.error ? r.error : r.value;
}

void evtchn_close(u32 port)
{
	if (port < PVIO_EVTCHN_FIRST_DYNAMIC || port >= PVIO_EVTCHN_MAX_PORTS) return;
	handlers[port].fn = NULL;
	pvio_evtchn_close(port);
	/* Drop a stale pending bit so a later owner of the number does not see it. */
	__atomic_fetch_and((u32 *)&SI->evtchn_pending[port / 32], ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
}

void evtchn_notify(u32 port) { pvio_evtchn_send(port); }

void evtchn_set_handler(u32 port, evtchn_handler_t fn, void *arg)
{
	if (port >= PVIO_EVTCHN_MAX_PORTS) panic("event port %u out of range", port);
	handlers[port].fn = fn;
	handlers[port].arg = arg;
}

int evtchn_dispatch(void)
{
	int n = 0;
	for (u32 w = 0; w < PVIO_SI_EVTCHN_PENDING_WORDS; w++) {
		if (!SI->evtchn_pending[w]) continue;
		u32 bits = __atomic_exchange_n((u32 *)&SI->evtchn_pending[w], 0u, __ATOMIC_SEQ_CST);
		while (bits) {
			u32 b = (u32)__builtin_ctz(bits);
			bits &= bits - 1;
			u32 port = w * 32 + b;
			n++;
			if (handlers[port].fn) handlers[port].fn(port, handlers[port].arg);
		}
	}
	pvk_stats.events += (u32)n;
	return n;
}
