/* Sv32 paging from S-mode: identity megapages plus 4 KiB pages in a second
 * level table; a non-identity mapping and an alias; load/store/fetch page
 * faults (scause 13/15/12, stval = address) delegated to an S handler for
 * invalid, read-only, non-executable, write-only (reserved) and non-leaf
 * PTEs and a misaligned superpage; a non-identity superpage; hardware A/D
 * updates; remapping with sfence.vma; M-mode MPRV translation; satp. */
#include "sv32.h"

static pte_t root[1024] __attribute__((aligned(4096)));
static pte_t l0[1024] __attribute__((aligned(4096)));
static uint32_t pages[8][1024] __attribute__((aligned(4096)));

#define VA_BASE 0x40000000u
#define VA(i, off) (VA_BASE + (i) * PAGE + (off))
#define RWAD (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define PA(p) ((uint32_t)(uintptr_t)(p))

static void build_tables(void) {
  map_runtime(root, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
  root[vpn1(VA_BASE)] = make_pte(PA(l0), PTE_V);
  l0[0] = make_pte(PA(pages[0]), RWAD);
  l0[1] = make_pte(PA(pages[1]), PTE_V | PTE_R | PTE_A);               /* read-only */
  l0[2] = 0;                                                             /* invalid */
  l0[3] = make_pte(PA(pages[2]), PTE_V | PTE_R | PTE_W);               /* A = D = 0 */
  l0[4] = make_pte(PA(pages[3]), PTE_V | PTE_R | PTE_X | PTE_A);       /* code */
  l0[5] = make_pte(PA(pages[3]), RWAD);                                /* same page, no X */
  l0[6] = make_pte(PA(pages[4]), PTE_V | PTE_W | PTE_A | PTE_D);       /* W without R: reserved */
  l0[7] = make_pte(PA(pages[0]), RWAD);                                /* alias of page 0 */
  l0[8] = make_pte(PA(pages[5]), PTE_V);                               /* pointer at level 0 */
  l0[9] = make_pte(PA(pages[6]), PTE_V | PTE_R | PTE_W | PTE_A);       /* D = 0 */
  /* A non-identity megapage onto the start of RAM, and a misaligned one. */
  root[vpn1(0xC0000000u)] = make_pte(0x80000000u, RWAD);
  root[vpn1(0xC0400000u)] = make_pte(0x80001000u, PTE_V | PTE_R | PTE_A);

  pages[0][0] = 0x11110000;
  pages[1][0] = 0x22220000;
  pages[2][0] = 0x33330000;
  pages[3][0] = 0x00150513; /* addi a0, a0, 1 */
  pages[3][1] = 0x00008067; /* ret */
  __asm__ volatile("fence.i" ::: "memory");
}

static void test_translation(const volatile trap_record_t *rec) {
  sv32_expect_ok("S load through non-identity page", rec, PRV_S, OP_LOAD, VA(0, 0), 0, 0x11110000);
  sv32_expect_ok("S store through non-identity page", rec, PRV_S, OP_STORE, VA(0, 4), 0xabcd, 0);
  check("  physical word", pages[0][1], 0xabcd);
  sv32_expect_ok("S load through alias", rec, PRV_S, OP_LOAD, VA(7, 4), 0, 0xabcd);
  sv32_expect_ok("S load read-only page", rec, PRV_S, OP_LOAD, VA(1, 0), 0, 0x22220000);
  sv32_expect_fault("S store read-only page", rec, PRV_S, OP_STORE, VA(1, 0), 5, CAUSE_STORE_PAGE);
  check("  physical word unchanged", pages[1][0], 0x22220000);
  sv32_expect_fault("S load invalid PTE", rec, PRV_S, OP_LOAD, VA(2, 0x10), 0, CAUSE_LOAD_PAGE);
  sv32_expect_fault("S store invalid PTE", rec, PRV_S, OP_STOREB, VA(2, 0x11), 0, CAUSE_STORE_PAGE);
  sv32_expect_fault("S load invalid root entry", rec, PRV_S, OP_LOAD, 0x50000000u, 0, CAUSE_LOAD_PAGE);
  sv32_expect_ok("S call executable page", rec, PRV_S, OP_CALL, VA(4, 0), 41, 42);
  sv32_expect_fault("S call non-executable page", rec, PRV_S, OP_CALL, VA(5, 0), 41, CAUSE_FETCH_PAGE);
  sv32_expect_fault("S load W-only PTE", rec, PRV_S, OP_LOAD, VA(6, 0), 0, CAUSE_LOAD_PAGE);
  sv32_expect_fault("S store W-only PTE", rec, PRV_S, OP_STORE, VA(6, 0), 0, CAUSE_STORE_PAGE);
  sv32_expect_fault("S load non-leaf level-0 PTE", rec, PRV_S, OP_LOAD, VA(8, 0), 0, CAUSE_LOAD_PAGE);
  uint32_t alias = PA(&pages[0][0]) - 0x80000000u + 0xC0000000u;
  sv32_expect_ok("S load through megapage", rec, PRV_S, OP_LOAD, alias, 0, 0x11110000);
  sv32_expect_fault("S load misaligned megapage", rec, PRV_S, OP_LOAD, 0xC0400008u, 0, CAUSE_LOAD_PAGE);
}

static void test_accessed_dirty(const volatile trap_record_t *rec) {
  check("PTE 3 A/D before", l0[3] & (PTE_A | PTE_D), 0);
  sv32_expect_ok("S load clean page", rec, PRV_S, OP_LOAD, VA(3, 0), 0, 0x33330000);
  check("PTE 3 A/D after load", l0[3] & (PTE_A | PTE_D), PTE_A);
  sv32_expect_ok("S store clean page", rec, PRV_S, OP_STORE, VA(3, 8), 7, 0);
  check("PTE 3 A/D after store", l0[3] & (PTE_A | PTE_D), PTE_A | PTE_D);
  check("PTE 9 D before", l0[9] & PTE_D, 0);
  sv32_expect_ok("S store accessed page", rec, PRV_S, OP_STOREB, VA(9, 3), 0x5a, 0);
  check("PTE 9 A/D after store", l0[9] & (PTE_A | PTE_D), PTE_A | PTE_D);
  check("  physical byte", pages[6][0], 0x5a000000);
  check("PTE 0 unchanged (A/D preset)", l0[0], make_pte(PA(pages[0]), RWAD));
}

static void test_remap(const volatile trap_record_t *rec) {
  l0[0] = make_pte(PA(pages[1]), PTE_V | PTE_R | PTE_A);
  __asm__ volatile("sfence.vma %0, zero" :: "r"(VA(0, 0)) : "memory");
  sv32_expect_ok("S load after remap + sfence.vma va", rec, PRV_S, OP_LOAD, VA(0, 0), 0, 0x22220000);
  l0[0] = 0;
  __asm__ volatile("sfence.vma" ::: "memory");
  sv32_expect_fault("S load after unmap + sfence.vma", rec, PRV_S, OP_LOAD, VA(0, 0), 0, CAUSE_LOAD_PAGE);
  l0[0] = make_pte(PA(pages[0]), RWAD);
  __asm__ volatile("sfence.vma" ::: "memory");
}

static void test_mprv(void) {
  uint32_t v, before;
  m_trap_hook = sv32_m_hook;
  /* MPRV=1, MPP=S: M-mode loads are translated like S-mode ones. */
  __asm__ volatile("li t0, 0x20800\n csrs mstatus, t0\n"  /* MPRV | MPP=S */
                   "lw %0, 0(%1)\n"
                   "li t0, 0x21800\n csrc mstatus, t0\n"
                   : "=&r"(v) : "r"(VA(7, 0)) : "t0", "memory");
  check("M load with MPRV, MPP=S", v, 0x11110000);
  /* MPRV=1, MPP=M: no translation. */
  __asm__ volatile("li t0, 0x21800\n csrs mstatus, t0\n"
                   "lw %0, 0(%1)\n"
                   "li t0, 0x21800\n csrc mstatus, t0\n"
                   : "=&r"(v) : "r"(PA(&pages[2][0])) : "t0", "memory");
  check("M load with MPRV, MPP=M", v, 0x33330000);
  /* A fault under MPRV is taken in M (never delegated from M). */
  before = m_last_trap.count;
  v = 0x77;
  __asm__ volatile("li t0, 0x20800\n csrs mstatus, t0\n"
                   "lw %0, 0(%1)\n"
                   "li t0, 0x21800\n csrc mstatus, t0\n"
                   : "+r"(v) : "r"(VA(2, 0)) : "t0", "memory");
  check_dec("M load with MPRV from invalid page: traps", (int32_t)(m_last_trap.count - before), 1);
  check("  mcause", m_last_trap.cause, CAUSE_LOAD_PAGE);
  check("  mtval", m_last_trap.tval, VA(2, 0));
  check("  destination untouched", v, 0x77);
  /* Without MPRV, M ignores satp entirely. */
  check("M load of the physical page", *(volatile uint32_t *)(uintptr_t)PA(&pages[1][0]), 0x22220000);
  m_trap_hook = 0;
}

int main(void) {
  build_tables();
  paging_on(root);
  check("satp readback", csr_read(satp), SATP_SV32 | (PA(root) >> 12));
  csr_write(stvec, (uint32_t)(uintptr_t)s_trap_entry);
  csr_write(medeleg, (1u << CAUSE_FETCH_PAGE) | (1u << CAUSE_LOAD_PAGE) | (1u << CAUSE_STORE_PAGE));
  s_trap_hook = sv32_s_hook;
  test_translation(&s_last_trap);
  test_accessed_dirty(&s_last_trap);
  test_remap(&s_last_trap);
  csr_write(medeleg, 0);
  s_trap_hook = 0;
  test_mprv();
  paging_off();
  finish("sv32_basic");
}
