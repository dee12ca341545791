/*
 * Flattened device tree reader: walks the structure block once and keeps
 * what pvk needs (docs/devicetree.md): RAM, the timebase, the PLIC, the
 * virtio-mmio slots passed through to this VM, the pvlab,pvbus node and
 * /chosen/bootargs. Nodes are classified at their end, when all their
 * properties have been seen. A malformed tree is a panic (a fault report).
 */
#include <pvk/kernel.h>

struct pvk_boot_info boot_info;

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define MAX_DEPTH 16

static u32 be32(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }

struct node {
	const char *name;
	u32 addr_cells, size_cells; /* for this node's children */
	char compatible[64];
	u32 compatible_len;
	u32 reg_addr, reg_size;
	int has_reg;
	u32 irq;
	u32 ndev;
	u32 timebase;
};

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* Whether the NUL-separated compatible list contains `c`. */
static int is_compatible(const struct node *n, const char *c)
{
	u32 i = 0;
	while (i < n->compatible_len) {
		const char *s = n->compatible + i;
		if (strcmp(s, c) == 0) return 1;
		i += strlen(s) + 1;
	}
	return 0;
}

static u32 cells_value(const u8 *p, u32 cells)
{
	/* rv32: only the low word of a multi-cell number matters. */
	return cells ? be32(p + 4 * (cells - 1)) : 0;
}

static void finish_node(struct node *n, int depth, const struct node *parent)
{
	struct pvk_boot_info *b = &boot_info;
	if (depth == 1 && starts(n->name, "memory") && n->has_reg && !b->ram_size) {
		b->ram_base = n->reg_addr;
		b->ram_size = n->reg_size;
	} else if (depth == 1 && strcmp(n->name, "cpus") == 0 && n->timebase) {
		b->timebase_hz = n->timebase;
	} else if (is_compatible(n, "riscv,plic0") || is_compatible(n, "sifive,plic-1.0.0")) {
		b->plic_base = n->reg_addr;
		b->plic_size = n->reg_size;
		b->plic_ndev = n->ndev;
	} else if (is_compatible(n, "virtio,mmio") && n->has_reg && b->nvirtio < PVK_MAX_VIRTIO) {
		struct pvk_virtio_node *v = &b->virtio[b->nvirtio++];
		v->base = n->reg_addr;
		v->size = n->reg_size;
		v->irq = n->irq;
	} else if (is_compatible(n, "pvlab,pvbus")) {
		b->have_pvbus = 1;
		b->grant_base = n->reg_addr;
		b->grant_size = n->reg_size;
	}
	(void)parent;
}

void fdt_parse(u32 dtb)
{
	const u8 *h = (const u8 *)(uintptr_t)dtb;
	if (be32(h) != FDT_MAGIC) panic("no device tree at 0x%08x (magic 0x%08x)", dtb, be32(h));
	u32 total = be32(h + 4), off_struct = be32(h + 8), off_strings = be32(h + 12);
	u32 size_strings = be32(h + 32), size_struct = be32(h + 36);
	if (off_struct + size_struct > total || off_strings + size_strings > total) panic("device tree blocks outside the blob");
	const u8 *p = h + off_struct, *end = p + size_struct;
	const char *strings = (const char *)h + off_strings;
	struct node stack[MAX_DEPTH];
	int depth = -1;
	memset(&boot_info, 0, sizeof(boot_info));
	boot_info.dtb = dtb;
	boot_info.timebase_hz = 10000000;
	boot_info.shared_info = PVIO_SHARED_INFO_GPA;
	boot_info.pvio_eid = SBI_EXT_PVIO;
	while (p < end) {
		u32 tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			if (++depth >= MAX_DEPTH) panic("device tree nested too deeply");
			struct node *n = &stack[depth];
			memset(n, 0, sizeof(*n));
			n->name = (const char *)p;
			n->addr_cells = 2;
			n->size_cells = 1;
			p += ALIGN_UP(strlen(n->name) + 1, 4);
		} else if (tok == FDT_END_NODE) {
			if (depth < 0) panic("device tree: unbalanced end of node");
			finish_node(&stack[depth], depth, depth > 0 ? &stack[depth - 1] : NULL);
			depth--;
		} else if (tok == FDT_PROP) {
			u32 len = be32(p), nameoff = be32(p + 4);
			const u8 *v = p + 8;
			p = v + ALIGN_UP(len, 4);
			if (depth < 0 || nameoff >= size_strings || p > end) panic("device tree: bad property");
			const char *name = strings + nameoff;
			struct node *n = &stack[depth];
			const struct node *parent = depth > 0 ? &stack[depth - 1] : NULL;
			u32 ac = parent ? parent->addr_cells : 2, sc = parent ? parent->size_cells : 1;
			if (strcmp(name, "#address-cells") == 0 && len == 4) n->addr_cells = be32(v);
			else if (strcmp(name, "#size-cells") == 0 && len == 4) n->size_cells = be32(v);
			else if (strcmp(name, "compatible") == 0) {
				n->compatible_len = MIN(len, sizeof(n->compatible) - 1);
				memcpy(n->compatible, v, n->compatible_len);
				n->compatible[n->compatible_len] = 0;
			} else if (strcmp(name, "reg") == 0 && len >= 4 * (ac + sc)) {
				n->reg_addr = cells_value(v, ac);
				n->reg_size = cells_value(v + 4 * ac, sc);
				n->has_reg = 1;
			} else if (strcmp(name, "interrupts") == 0 && len >= 4) n->irq = be32(v);
			else if (strcmp(name, "riscv,ndev") == 0 && len == 4) n->ndev = be32(v);
			else if (strcmp(name, "timebase-frequency") == 0 && len == 4) n->timebase = be32(v);
			else if (strcmp(name, "bootargs") == 0 && depth == 1 && strcmp(n->name, "chosen") == 0)
				strncpy0(boot_info.bootargs, (const char *)v, MIN(len + 1, sizeof(boot_info.bootargs)));
			else if (strcmp(name, "pvlab,domid") == 0 && len == 4) boot_info.domid = be32(v);
			else if (strcmp(name, "pvlab,vm-name") == 0)
				strncpy0(boot_info.vm_name, (const char *)v, MIN(len + 1, sizeof(boot_info.vm_name)));
			else if (strcmp(name, "pvlab,hypercall-eid") == 0 && len == 4) boot_info.pvio_eid = be32(v);
			else if (strcmp(name, "pvlab,shared-info") == 0 && len == 8) boot_info.shared_info = be32(v + 4);
		} else if (tok == FDT_NOP) {
			continue;
		} else if (tok == FDT_END) {
			break;
		} else {
			panic("device tree: unknown token %u", tok);
		}
	}
	if (!boot_info.ram_size) panic("device tree has no memory node");
}
