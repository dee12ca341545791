/*
 * Memory: a page allocator over the RAM between the end of the image and the
 * device tree (one bit per page, first fit), and kmalloc with power-of-two
 * size classes (16 B .. 2 KiB) carved from pages; bigger objects take whole
 * pages. Everything handed out is zeroed. No locking: one vCPU, no
 * allocation from interrupt context (there is none).
 */
#include <pvk/kernel.h>

#define NCLASSES 8 /* 16 << 0 .. 16 << 7 = 2048 */

static u32 heap_base, npages, nfree;
/* Both kept at the start of the heap, sized for it (so boot does not clear a large .bss). */
static u32 *used_bits;
/* Per page: 0 free or inside a large block; 0x100 | class for a small-object page; else the block's page count. */
static u16 *page_info;
struct free_obj {
	struct free_obj *next;
};
static struct free_obj *free_lists[NCLASSES];

static int used(u32 i) { return (used_bits[i >> 5] >> (i & 31)) & 1; }
static void set_used(u32 i, int v)
{
	if (v) used_bits[i >> 5] |= 1u << (i & 31);
	else used_bits[i >> 5] &= ~(1u << (i & 31));
}

void mem_init(u32 heap_start, u32 heap_end)
{
	heap_start = ALIGN_UP(heap_start, 16);
	heap_end = ALIGN_DOWN(heap_end, PAGE_SIZE);
	if (heap_end <= heap_start + 2 * PAGE_SIZE) panic("no memory for a heap");
	/* Metadata for at most every page of the range, then the pages themselves. */
	u32 max_pages = (heap_end - heap_start) / PAGE_SIZE;
	u32 meta = ALIGN_UP(max_pages, 32) / 8 + 2 * max_pages;
	used_bits = (u32 *)(uintptr_t)heap_start;
	page_info = (u16 *)(uintptr_t)(heap_start + ALIGN_UP(max_pages, 32) / 8);
	memset(used_bits, 0, meta);
	heap_base = ALIGN_UP(heap_start + meta, PAGE_SIZE);
	npages = (heap_end - heap_base) / PAGE_SIZE;
	nfree = npages;
}

u32 mem_free_pages(void) { return nfree; }

void *page_alloc(u32 n)
{
	if (n == 0 || n > nfree) return NULL;
	u32 run = 0;
	for (u32 i = 0; i < npages; i++) {
		if (used(i)) {
			run = 0;
			continue;
		}
		if (++run == n) {
			u32 first = i + 1 - n;
			for (u32 j = first; j <= i; j++) set_used(j, 1);
			nfree -= n;
			page_info[first] = (u16)n;
			void *p = (void *)(uintptr_t)(heap_base + first * PAGE_SIZE);
			memset(p, 0, n * PAGE_SIZE);
			return p;
		}
	}
	return NULL;
}

void page_free(void *p, u32 n)
{
	u32 a = (u32)(uintptr_t)p;
	if (a < heap_base || (a - heap_base) % PAGE_SIZE) panic("page_free of a bad address %p", p);
	u32 first = (a - heap_base) / PAGE_SIZE;
	if (first + n > npages) panic("page_free beyond the heap: %p + %u pages", p, n);
	for (u32 j = first; j < first + n; j++) {
		if (!used(j)) panic("double page_free at %p", p);
		set_used(j, 0);
	}
	page_info[first] = 0;
	nfree += n;
}

static int class_of(size_t n)
{
	size_t sz = 16;
	for (int c = 0; c < NCLASSES; c++, sz <<= 1)
		if (n <= sz) return c;
	return -1;
}

void *kmalloc(size_t n)
{
	int c = class_of(n ? n : 1);
	if (c < 0) return page_alloc((u32)((n + PAGE_SIZE - 1) / PAGE_SIZE));
	if (!free_lists[c]) {
		u8 *pg = page_alloc(1);
		if (!pg) return NULL;
		u32 sz = 16u << c;
		page_info[((u32)(uintptr_t)pg - heap_base) / PAGE_SIZE] = (u16)(0x100 | c);
		for (u32 off = 0; off + sz <= PAGE_SIZE; off += sz) {
			struct free_obj *o = (struct free_obj *)(pg + off);
			o->next = free_lists[c];
			free_lists[c] = o;
		}
	}
	struct free_obj *o = free_lists[c];
	free_lists[c] = o->next;
	memset(o, 0, 16u << c);
	return o;
}

void kfree(void *p)
{
	if (!p) return;
	u32 a = (u32)(uintptr_t)p;
	if (a < heap_base || a >= heap_base + npages * PAGE_SIZE) panic("kfree of a bad address %p", p);
	u32 pg = (a - heap_base) / PAGE_SIZE;
	u16 info = page_info[pg];
	if (info & 0x100) {
		struct free_obj *o = p;
		int c = info & 0xff;
		o->next = free_lists[c];
		free_lists[c] = o;
	} else if (info && a % PAGE_SIZE == 0) {
		page_free(p, info);
	} else {
		panic("kfree of %p, which kmalloc did not return", p);
	}
}
