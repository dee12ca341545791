/* Sv32 permission rules: the U bit for U- and S-mode accesses, SUM (S may
 * load/store U pages only with SUM=1 and never execute them), MXR (loads
 * from execute-only pages), U-mode faults taken in M, and MPRV with MPP=S/U
 * combined with SUM and MXR. */
#include "sv32.h"

static pte_t kern_root[1024] __attribute__((aligned(4096)));
static pte_t kern_l0[1024] __attribute__((aligned(4096)));
static pte_t user_root[1024] __attribute__((aligned(4096)));
static pte_t user_l0[1024] __attribute__((aligned(4096)));
static uint32_t pages[4][1024] __attribute__((aligned(4096)));

#define VA(i, off) (0x40000000u + (i) * PAGE + (off))
#define PA(p) ((uint32_t)(uintptr_t)(p))
#define AD (PTE_A | PTE_D)

static void build_tables(void) {
  map_runtime(kern_root, PTE_V | PTE_R | PTE_W | PTE_X | AD);
  kern_root[vpn1(VA(0, 0))] = make_pte(PA(kern_l0), PTE_V);
  kern_l0[0] = make_pte(PA(pages[0]), PTE_V | PTE_U | PTE_R | PTE_W | AD); /* user data */
  kern_l0[1] = make_pte(PA(pages[1]), PTE_V | PTE_U | PTE_X | PTE_A);     /* user execute-only */
  kern_l0[2] = make_pte(PA(pages[1]), PTE_V | PTE_X | PTE_A);             /* kernel execute-only */
  kern_l0[3] = make_pte(PA(pages[2]), PTE_V | PTE_R | PTE_W | AD);        /* kernel data */

  /* For U-mode runs all of RAM is user-accessible (the runtime runs there). */
  map_runtime(user_root, PTE_V | PTE_U | PTE_R | PTE_W | PTE_X | AD);
  user_root[vpn1(VA(0, 0))] = make_pte(PA(user_l0), PTE_V);
  user_l0[0] = make_pte(PA(pages[0]), PTE_V | PTE_U | PTE_R | PTE_W | AD);
  user_l0[1] = make_pte(PA(pages[1]), PTE_V | PTE_U | PTE_X | PTE_A);
  user_l0[2] = make_pte(PA(pages[2]), PTE_V | PTE_R | PTE_W | AD);        /* kernel only */
  user_l0[3] = make_pte(PA(pages[2]), PTE_V | PTE_U | PTE_R | PTE_A);     /* user read-only */

  pages[0][0] = 0x44440000;
  pages[1][0] = 0x00150513; /* addi a0, a0, 1 */
  pages[1][1] = 0x00008067; /* ret */
  pages[2][0] = 0x55550000;
  __asm__ volatile("fence.i" ::: "memory");
}

static void set_sum_mxr(uint32_t bits) {
  csr_clear(mstatus, MSTATUS_SUM | MSTATUS_MXR);
  csr_set(mstatus, bits);
}

static void test_supervisor(void) {
  const volatile trap_record_t *rec = &s_last_trap;
  paging_on(kern_root);
  csr_write(stvec, (uint32_t)(uintptr_t)s_trap_entry);
  csr_write(medeleg, (1u << CAUSE_FETCH_PAGE) | (1u << CAUSE_LOAD_PAGE) | (1u << CAUSE_STORE_PAGE));
  s_trap_hook = sv32_s_hook;

  set_sum_mxr(0);
  sv32_expect_fault("S load U page, SUM=0", rec, PRV_S, OP_LOAD, VA(0, 0), 0, CAUSE_LOAD_PAGE);
  sv32_expect_fault("S store U page, SUM=0", rec, PRV_S, OP_STORE, VA(0, 4), 1, CAUSE_STORE_PAGE);
  sv32_expect_ok("S load kernel page", rec, PRV_S, OP_LOAD, VA(3, 0), 0, 0x55550000);
  set_sum_mxr(MSTATUS_SUM);
  sv32_expect_ok("S load U page, SUM=1", rec, PRV_S, OP_LOAD, VA(0, 0), 0, 0x44440000);
  sv32_expect_ok("S store U page, SUM=1", rec, PRV_S, OP_STORE, VA(0, 4), 0x1234, 0);
  check("  physical word", pages[0][1], 0x1234);
  sv32_expect_fault("S call U page, SUM=1", rec, PRV_S, OP_CALL, VA(1, 0), 1, CAUSE_FETCH_PAGE);
  set_sum_mxr(0);
  sv32_expect_ok("S call kernel execute-only page", rec, PRV_S, OP_CALL, VA(2, 0), 41, 42);
  sv32_expect_fault("S load execute-only page, MXR=0", rec, PRV_S, OP_LOAD, VA(2, 0), 0, CAUSE_LOAD_PAGE);
  set_sum_mxr(MSTATUS_MXR);
  sv32_expect_ok("S load execute-only page, MXR=1", rec, PRV_S, OP_LOAD, VA(2, 0), 0, 0x00150513);
  sv32_expect_fault("S store execute-only page, MXR=1", rec, PRV_S, OP_STORE, VA(2, 0), 0, CAUSE_STORE_PAGE);
  sv32_expect_fault("S load U execute-only page, MXR=1 SUM=0", rec, PRV_S, OP_LOAD, VA(1, 4), 0, CAUSE_LOAD_PAGE);
  set_sum_mxr(MSTATUS_MXR | MSTATUS_SUM);
  sv32_expect_ok("S load U execute-only page, MXR=1 SUM=1", rec, PRV_S, OP_LOAD, VA(1, 4), 0, 0x00008067);
  set_sum_mxr(0);

  csr_write(medeleg, 0);
  s_trap_hook = 0;
  paging_off();
}

static void test_user(void) {
  const volatile trap_record_t *rec = &m_last_trap; /* not delegated: U faults go to M */
  paging_on(user_root);
  m_trap_hook = sv32_m_hook;
  set_sum_mxr(0);
  sv32_expect_ok("U load U page", rec, PRV_U, OP_LOAD, VA(0, 0), 0, 0x44440000);
  sv32_expect_ok("U store U page", rec, PRV_U, OP_STORE, VA(0, 8), 0x99, 0);
  check("  physical word", pages[0][2], 0x99);
  sv32_expect_fault("U load kernel page", rec, PRV_U, OP_LOAD, VA(2, 0), 0, CAUSE_LOAD_PAGE);
  sv32_expect_fault("U store kernel page", rec, PRV_U, OP_STORE, VA(2, 0), 0, CAUSE_STORE_PAGE);
  sv32_expect_fault("U call kernel page", rec, PRV_U, OP_CALL, VA(2, 0), 0, CAUSE_FETCH_PAGE);
  sv32_expect_ok("U load read-only page", rec, PRV_U, OP_LOAD, VA(3, 0), 0, 0x55550000);
  sv32_expect_fault("U store read-only page", rec, PRV_U, OP_STOREB, VA(3, 1), 0, CAUSE_STORE_PAGE);
  sv32_expect_ok("U call execute-only page", rec, PRV_U, OP_CALL, VA(1, 0), 99, 100);
  sv32_expect_fault("U load execute-only page, MXR=0", rec, PRV_U, OP_LOAD, VA(1, 0), 0, CAUSE_LOAD_PAGE);
  set_sum_mxr(MSTATUS_MXR);
  sv32_expect_ok("U load execute-only page, MXR=1", rec, PRV_U, OP_LOAD, VA(1, 0), 0, 0x00150513);
  /* SUM has no effect on U-mode. */
  set_sum_mxr(MSTATUS_SUM);
  sv32_expect_fault("U load kernel page, SUM=1", rec, PRV_U, OP_LOAD, VA(2, 0), 0, CAUSE_LOAD_PAGE);
  set_sum_mxr(0);
  m_trap_hook = 0;
  paging_off();
}

/* One M-mode load with MPRV=1 and the given MPP/SUM/MXR; 0x0badc0de if it trapped. */
static uint32_t mprv_load(uint32_t va, uint32_t mpp, uint32_t extra) {
  uint32_t v = SV32_UNTOUCHED;
  uint32_t set = MSTATUS_MPRV | (mpp << 11) | extra;
  uint32_t clr = MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR;
  /* No other memory access may happen while MPRV is set. */
  __asm__ volatile("csrs mstatus, %1\n lw %0, 0(%2)\n csrc mstatus, %3"
                   : "+r"(v) : "r"(set), "r"(va), "r"(clr) : "memory");
  return v;
}

static void test_mprv(void) {
  paging_on(kern_root);
  m_trap_hook = sv32_m_hook;
  static const struct { const char *what; uint32_t va, mpp, extra, expect; } cases[] = {
    {"MPRV MPP=S load U page, SUM=0", VA(0, 0), PRV_S, 0, SV32_UNTOUCHED},
    {"MPRV MPP=S load U page, SUM=1", VA(0, 0), PRV_S, MSTATUS_SUM, 0x44440000},
    {"MPRV MPP=U load U page", VA(0, 0), PRV_U, 0, 0x44440000},
    {"MPRV MPP=U load kernel page", VA(3, 0), PRV_U, MSTATUS_SUM, SV32_UNTOUCHED},
    {"MPRV MPP=S load kernel page", VA(3, 0), PRV_S, 0, 0x55550000},
    {"MPRV MPP=S load execute-only page, MXR=0", VA(2, 0), PRV_S, 0, SV32_UNTOUCHED},
    {"MPRV MPP=S load execute-only page, MXR=1", VA(2, 0), PRV_S, MSTATUS_MXR, 0x00150513},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint32_t before = m_last_trap.count;
    uint32_t v = mprv_load(cases[i].va, cases[i].mpp, cases[i].extra);
    check(cases[i].what, v, cases[i].expect);
    uint32_t faulted = cases[i].expect == SV32_UNTOUCHED;
    char label[96];
    snprintf(label, sizeof label, "  traps");
    check_dec(label, (int32_t)(m_last_trap.count - before), (int32_t)faulted);
    if (faulted) {
      check("  mcause", m_last_trap.cause, CAUSE_LOAD_PAGE);
      check("  mtval", m_last_trap.tval, cases[i].va);
    }
  }
  m_trap_hook = 0;
  paging_off();
}

int main(void) {
  build_tables();
  test_supervisor();
  test_user();
  test_mprv();
  finish("sv32_perm");
}
