/*
 * The VM's PLIC: devices passed through to this VM raise SEIP through
 * context N = hart N's S-mode (docs/devicetree.md, "PLIC contexts").
 * The loop claims every pending source, runs its handler, completes it.
 */
#include <pvk/kernel.h>

#define MAX_SOURCES 96

static struct {
	irq_handler_t fn;
	void *arg;
} irqs[MAX_SOURCES];

static u32 ctx_base(u32 off) { return boot_info.plic_base + off + 0x1000 * boot_info.hartid; }

void plic_init(void)
{
	if (!boot_info.plic_base) return;
	wr32(ctx_base(0x200000), 0); /* threshold 0: every priority > 0 interrupts */
}

void plic_enable(u32 src, irq_handler_t fn, void *arg)
{
	if (!boot_info.plic_base || src == 0 || src >= MAX_SOURCES) panic("cannot enable PLIC source %u", src);
	irqs[src].fn = fn;
	irqs[src].arg = arg;
	wr32(boot_info.plic_base + 4 * src, 1);
	u32 en = boot_info.plic_base + 0x2000 + 0x80 * boot_info.hartid + 4 * (src / 32);
	wr32(en, rd32(en) | (1u << (src % 32)));
}

int plic_dispatch(void)
{
	if (!boot_info.plic_base) return 0;
	int n = 0;
	for (;;) {
		u32 src = rd32(ctx_base(0x200004));
		if (!src) break;
		if (src < MAX_SOURCES && irqs[src].fn) irqs[src].fn(irqs[src].arg);
		wr32(ctx_base(0x200004), src);
		n++;
	}
	pvk_stats.irqs += (u32)n;
	return n;
}
