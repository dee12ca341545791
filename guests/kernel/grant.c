/*
 * Grant-table client (docs/abi.md, "Grant table"): granting own pages to a
 * peer, ending grants, and mapping a peer's grants into free slots of this
 * VM's grant window (slot n at PVIO_GRANT_WINDOW_BASE + n * 4096).
 */
#include <pvk/kernel.h>

static u32 slot_bits[PVIO_GRANT_WINDOW_SLOTS / 32];
static u32 slots_used;

static u32 window_base(void) { return boot_info.grant_base ? boot_info.grant_base : PVIO_GRANT_WINDOW_BASE; }

long gnttab_grant(u32 domid, const void *page, int readonly)
{
	u32 a = (u32)(uintptr_t)page;
	if (a & (PAGE_SIZE - 1)) panic("granting an unaligned page %p", page);
	struct sbiret r = pvio_grant_access(domid, a >> PAGE_SHIFT, readonly ? 1 : 0);
	return r.error ? r.error : r.value;
}

long gnttab_end(u32 gref)
{
	struct sbiret r = pvio_grant_end(gref);
	return r.error;
}

static int slot_alloc(void)
{
	for (u32 w = 0; w < ARRAY_SIZE(slot_bits); w++) {
		if (slot_bits[w] == 0xffffffffu) continue;
		u32 b = (u32)__builtin_ctz(~slot_bits[w]);
		slot_bits[w] |= 1u << b;
		slots_used++;
		return (int)(w * 32 + b);
	}
	return -1;
}

static void slot_free(u32 s)
{
	if (slot_bits[s / 32] & (1u << (s % 32))) slots_used--;
	slot_bits[s / 32] &= ~(1u << (s % 32));
}

void *gnttab_map(u32 granter, u32 gref, int writable, long *err)
{
	int s = slot_alloc();
	if (s < 0) {
		if (err) *err = SBI_ERR_FAILED;
		return NULL;
	}
	struct sbiret r = pvio_grant_map(granter, gref, (u32)s, writable ? 1 : 0);
	if (r.error) {
		slot_free((u32)s);
		if (err) *err = r.error;
		return NULL;
	}
	if (err) *err = 0;
	return (void *)(uintptr_t)r.value;
}

long gnttab_unmap(void *addr)
{
	u32 a = (u32)(uintptr_t)addr;
	u32 base = window_base();
	if (a < base || a >= base + PVIO_GRANT_WINDOW_SLOTS * PAGE_SIZE) panic("unmapping %p, not a grant-window address", addr);
	u32 s = (a - base) / PAGE_SIZE;
	struct sbiret r = pvio_grant_unmap(s);
	slot_free(s);
	return r.error;
}

u32 gnttab_slots_in_use(void) { return slots_used; }
