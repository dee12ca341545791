/* The smallest pvk guest: boots, prints what the device tree said, checks the PVIO services, reports a verdict. */
#include <pvk/kernel.h>

const char *pvk_name = "hello";

static struct ktimer tick;
static int fired;

static void on_tick(void *arg)
{
	(void)arg;
	fired++;
}

void pvk_main(void)
{
	kprintf("hello: domid %u (%s), RAM 0x%08x+%u KiB, timebase %u Hz, %u virtio slot(s), %u free pages\n",
		boot_info.domid, boot_info.vm_name, boot_info.ram_base, boot_info.ram_size / 1024, boot_info.timebase_hz,
		boot_info.nvirtio, mem_free_pages());
	void *a = kmalloc(100), *b = page_alloc(3);
	kfree(a);
	page_free(b, 3);
	timer_arm(&tick, time_now() + ms_to_ticks(1), on_tick, NULL);
	while (!fired) pvk_run_once();
	kprintf("VERDICT PASS hello timer=%d\n", fired);
	/* loops=N: a hot loop of AMOs on the shared-info page (the hypervisor emulates them) and hypercalls. */
	u32 loops = param_u32("loops", 0);
	if (loops) {
		volatile u32 *pending = (volatile u32 *)(uintptr_t)(PVIO_SHARED_INFO_GPA + PVIO_SI_EVTCHN_PENDING + 12);
		u32 sum = 0;
		for (u32 i = 0; i < loops; i++) {
			sum += __atomic_exchange_n((u32 *)pending, 0u, __ATOMIC_SEQ_CST) + 1;
			if ((i & 63) == 0) sum += (u32)pvio_get_info(PVIO_INFO_ABI_VERSION).value - PVIO_ABI_VERSION;
		}
		kprintf("VERDICT %s hello-loops loops=%u sum=%u\n", sum == loops ? "PASS" : "FAIL", loops, sum);
	}
	if (param_u32("crash", 0)) __asm__ __volatile__("sw zero, 16(zero)");
	shutdown();
}
