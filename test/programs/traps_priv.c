/* Privilege modes and delegation: mret into S and U (checked by which
 * scratch CSRs are readable), ecall from U and S to M (mcause 8/9, MPP),
 * medeleg of ecall and illegal instruction to an S-mode handler (scause,
 * sepc, stval, SPP), traps from M never delegated, privileged instructions
 * and CSRs that are illegal below M or S (mret, sret, wfi, TSR, TVM, TW),
 * and sret from S into U. */
#include "pvrt.h"

/* 0 in U, 1 in S, 3 in M: an illegal read is skipped and leaves the last value. */
static uint32_t whoami(uint32_t unused) {
  (void)unused;
  uint32_t r;
  __asm__ volatile("li %0, 0\n csrr %0, sscratch\n csrr %0, mscratch" : "=&r"(r));
  return r;
}

static uint32_t twice_plus_one(uint32_t x) { return 2 * x + 1; }

static volatile uint32_t ecall_site;

/* "System call": a0 = a0 * 10 + cause, recorded like m_record_skip. */
static int m_syscall_hook(trap_frame_t *f) {
  if (f->cause != CAUSE_ECALL_U && f->cause != CAUSE_ECALL_S) return m_record_skip(f);
  f->x[10] = f->x[10] * 10 + f->cause;
  return m_record_skip(f);
}

static int s_syscall_hook(trap_frame_t *f) {
  if (f->cause != CAUSE_ECALL_U && f->cause != CAUSE_ECALL_S) return s_record_skip(f);
  f->x[10] = f->x[10] * 100 + f->cause;
  return s_record_skip(f);
}

static uint32_t do_ecall(uint32_t x) {
  uint32_t site;
  __asm__ volatile("la %1, 1f\n1: ecall" : "+r"(x), "=&r"(site) :: "memory");
  ecall_site = site;
  return x;
}

static uint32_t insn_at;
#define TRY(insn) __asm__ volatile("la %0, 1f\n1: " insn : "=&r"(insn_at) :: "memory")

static uint32_t u_privileged(uint32_t which) {
  switch (which) {
    case 0: TRY("sret"); break;
    case 1: TRY("mret"); break;
    case 2: TRY("wfi"); break;
    case 3: TRY("csrr a0, sstatus"); break;
    case 4: TRY("csrr a0, mstatus"); break;
    case 5: TRY("ebreak"); break;
    default: break;
  }
  return which;
}

static uint32_t s_privileged(uint32_t which) {
  switch (which) {
    case 0: TRY("mret"); break;
    case 1: TRY("csrr a0, mstatus"); break;
    case 2: TRY("sret"); break;              /* with TSR=1 */
    case 3: TRY("csrr a0, satp"); break;     /* with TVM=1 */
    case 4: TRY("sfence.vma"); break;        /* with TVM=1 */
    case 5: TRY("wfi"); break;               /* with TW=1 */
    default: break;
  }
  return which;
}

static void test_modes(void) {
  m_trap_hook = m_record_skip;
  csr_write(mscratch, 3);
  csr_write(sscratch, 1);
  uint32_t before = m_last_trap.count;
  check("whoami in M", run_in_mode(PRV_M, whoami, 0), 3);
  check("whoami in S", run_in_mode(PRV_S, whoami, 0), 1);
  check_dec("  illegal traps in S", (int32_t)(m_last_trap.count - before), 1);
  check("  last mcause", m_last_trap.cause, CAUSE_ILLEGAL);
  check("  last MPP", (m_last_trap.status >> 11) & 3, PRV_S);
  before = m_last_trap.count;
  check("whoami in U", run_in_mode(PRV_U, whoami, 0), 0);
  check_dec("  illegal traps in U", (int32_t)(m_last_trap.count - before), 2);
  check("  last MPP", (m_last_trap.status >> 11) & 3, PRV_U);
  check("value through S", run_in_mode(PRV_S, twice_plus_one, 20), 41);
  check("value through U", run_in_mode(PRV_U, twice_plus_one, 0x7fffffff), 0xffffffff);
  csr_write(mscratch, 0);
  csr_write(sscratch, 0);
}

static void test_ecalls_to_m(void) {
  m_trap_hook = m_syscall_hook;
  uint32_t before = m_last_trap.count;
  check_dec("ecall from U result", (int32_t)run_in_mode(PRV_U, do_ecall, 4), 48);
  check_trap("ecall from U", &m_last_trap, before, CAUSE_ECALL_U, ecall_site, 0);
  check("  MPP", (m_last_trap.status >> 11) & 3, PRV_U);
  before = m_last_trap.count;
  check_dec("ecall from S result", (int32_t)run_in_mode(PRV_S, do_ecall, 4), 49);
  check_trap("ecall from S", &m_last_trap, before, CAUSE_ECALL_S, ecall_site, 0);
  check("  MPP", (m_last_trap.status >> 11) & 3, PRV_S);
  m_trap_hook = 0;
}

static void test_delegation(void) {
  m_trap_hook = m_record_skip;
  s_trap_hook = s_syscall_hook;
  csr_write(stvec, (uint32_t)(uintptr_t)s_trap_entry);
  csr_write(medeleg, (1u << CAUSE_ECALL_U) | (1u << CAUSE_ECALL_S) | (1u << CAUSE_ILLEGAL));
  uint32_t mbefore = m_last_trap.count, before = s_last_trap.count;

  check_dec("delegated ecall from U result", (int32_t)run_in_mode(PRV_U, do_ecall, 4), 408);
  check_trap("delegated ecall from U", &s_last_trap, before, CAUSE_ECALL_U, ecall_site, 0);
  check("  SPP", s_last_trap.status & MSTATUS_SPP, 0);
  before = s_last_trap.count;
  check_dec("delegated ecall from S result", (int32_t)run_in_mode(PRV_S, do_ecall, 4), 409);
  check_trap("delegated ecall from S", &s_last_trap, before, CAUSE_ECALL_S, ecall_site, 0);
  check("  SPP", s_last_trap.status & MSTATUS_SPP, MSTATUS_SPP);

  before = s_last_trap.count;
  run_in_mode(PRV_U, u_privileged, 4);
  check_trap("delegated illegal csrr mstatus in U", &s_last_trap, before, CAUSE_ILLEGAL, insn_at, 0x30002573);
  /* Escape steps are recognised before any hook, so M's hook saw nothing. */
  csr_write(medeleg, 0);
  check("traps seen by the M hook", m_last_trap.count - mbefore, 0);

  /* Traps taken in M stay in M even when delegated. */
  csr_write(medeleg, (1u << CAUSE_ILLEGAL) | (1u << CAUSE_BREAKPOINT) | (1u << CAUSE_ECALL_U) |
                         (1u << CAUSE_ECALL_S));
  mbefore = m_last_trap.count;
  before = s_last_trap.count;
  uint32_t at;
  __asm__ volatile("la %0, 1f\n1: .word 0" : "=&r"(at));
  check_trap("illegal in M with medeleg", &m_last_trap, mbefore, CAUSE_ILLEGAL, at, 0);
  check("  S handler not entered", s_last_trap.count - before, 0);
  csr_write(medeleg, 0);
  s_trap_hook = 0;
  m_trap_hook = 0;
}

/* Records only the first trap after `armed` is set (the escape that ends
 * run_in_mode traps too, and is handled before any hook). */
static volatile trap_record_t first;
static volatile int armed;

static int m_first_hook(trap_frame_t *f) {
  if (armed && !(f->cause & CAUSE_INTERRUPT)) {
    armed = 0;
    first.count++;
    first.cause = f->cause;
    first.epc = f->epc;
    first.tval = f->tval;
    first.status = f->status;
  }
  return m_record_skip(f);
}

static void test_privileged_below_m(void) {
  static const struct { const char *what; uint32_t which, tval; } u_cases[] = {
    {"sret in U", 0, 0x10200073}, {"mret in U", 1, 0x30200073}, {"wfi in U", 2, 0x10500073},
    {"csrr sstatus in U", 3, 0x10002573}, {"csrr mstatus in U", 4, 0x30002573},
  };
  static const struct { const char *what; uint32_t which, status, tval; } s_cases[] = {
    {"mret in S", 0, 0, 0x30200073}, {"csrr mstatus in S", 1, 0, 0x30002573},
    {"sret in S with TSR", 2, MSTATUS_TSR, 0x10200073}, {"csrr satp in S with TVM", 3, MSTATUS_TVM, 0x18002573},
    {"sfence.vma in S with TVM", 4, MSTATUS_TVM, 0x12000073}, {"wfi in S with TW", 5, MSTATUS_TW, 0x10500073},
  };
  m_trap_hook = m_first_hook;
  for (unsigned i = 0; i < sizeof u_cases / sizeof u_cases[0]; i++) {
    uint32_t before = first.count;
    armed = 1;
    run_in_mode(PRV_U, u_privileged, u_cases[i].which);
    check_trap(u_cases[i].what, &first, before, CAUSE_ILLEGAL, insn_at, u_cases[i].tval);
    check("  MPP", (first.status >> 11) & 3, PRV_U);
  }
  for (unsigned i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
    csr_set(mstatus, s_cases[i].status);
    uint32_t before = first.count;
    armed = 1;
    run_in_mode(PRV_S, s_privileged, s_cases[i].which);
    csr_clear(mstatus, MSTATUS_TSR | MSTATUS_TVM | MSTATUS_TW);
    check_trap(s_cases[i].what, &first, before, CAUSE_ILLEGAL, insn_at, s_cases[i].tval);
    check("  MPP", (first.status >> 11) & 3, PRV_S);
  }
  /* The same accesses are legal in S without TSR/TVM: csrr satp. */
  armed = 1;
  uint32_t before = first.count;
  run_in_mode(PRV_S, s_privileged, 3);
  check_dec("csrr satp in S without TVM: traps", (int32_t)(first.count - before), 0);
  armed = 0;
  m_trap_hook = 0;
}

/* S-mode code that drops to U with sret; U returns 77 through the escape. */
void u_return_77(void);
__asm__(".text\n.balign 4\nu_return_77:\n li a0, 77\n j pvrt_escape\n");

static uint32_t s_launch_user(uint32_t unused) {
  (void)unused;
  csr_write(sepc, (uint32_t)(uintptr_t)u_return_77);
  csr_clear(sstatus, MSTATUS_SPP);
  __asm__ volatile("sret");
  return 0; /* not reached */
}

static void test_sret_to_user(void) {
  m_trap_hook = m_record_skip;
  uint32_t before = m_last_trap.count;
  check_dec("sret into U, escape result", (int32_t)run_in_mode(PRV_S, s_launch_user, 0), 77);
  check_dec("  other traps", (int32_t)(m_last_trap.count - before), 0);
  m_trap_hook = 0;
}

int main(void) {
  test_modes();
  test_ecalls_to_m();
  test_delegation();
  test_privileged_below_m();
  test_sret_to_user();
  finish("traps_priv");
}
