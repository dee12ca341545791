/* Zicntr: cycle/instret/time (and the high halves) advance; rdtime lies
 * between two reads of the CLINT's mtime; mcounteren/scounteren gate each
 * counter for S and U. Only facts that must agree between machines are
 * printed: no raw counts (QEMU's cycle and instret follow the host clock). */
#include "pvrt.h"

static uint64_t read64(uint32_t which) {
  uint32_t hi, lo, hi2;
  do {
    switch (which) {
      case 0: hi = csr_read(cycleh); lo = csr_read(cycle); hi2 = csr_read(cycleh); break;
      case 1: hi = csr_read(instreth); lo = csr_read(instret); hi2 = csr_read(instreth); break;
      default: hi = csr_read(timeh); lo = csr_read(time); hi2 = csr_read(timeh); break;
    }
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

static volatile uint32_t sink;

static void busy(unsigned n) {
  for (unsigned i = 0; i < n; i++) sink += i;
}

static void test_advance(void) {
  static const char *const names[] = {"cycle", "instret", "time"};
  for (uint32_t c = 0; c < 3; c++) {
    uint64_t a = read64(c);
    busy(20000);
    uint64_t b = read64(c);
    char label[48];
    snprintf(label, sizeof label, "%s advanced over a loop", names[c]);
    check(label, b > a, 1);
  }
  /* The low CSRs alone advance too (rdcycle/rdinstret pseudo-instructions). */
  uint32_t c0, c1, i0, i1;
  __asm__ volatile("rdcycle %0\n rdinstret %1" : "=r"(c0), "=r"(i0));
  busy(1000);
  __asm__ volatile("rdcycle %0\n rdinstret %1" : "=r"(c1), "=r"(i1));
  check("rdcycle delta nonzero", c1 != c0, 1);
  check("rdinstret delta nonzero", i1 != i0, 1);
  /* time reads the same clock as the CLINT's mtime. */
  uint64_t m0 = clint_mtime();
  uint64_t t = read64(2);
  busy(100);
  uint64_t m1 = clint_mtime();
  check("mtime <= time", m0 <= t, 1);
  check("time <= later mtime", t <= m1, 1);
  check("mtime advanced", m1 > m0, 1);
}

static uint32_t insn_at;
#define TRY_READ(csr) ({ uint32_t v_ = 0xdead; \
  __asm__ volatile("la %0, 1f\n1: csrr %1, " #csr : "=&r"(insn_at), "+r"(v_) :: "memory"); v_; })

/* Bit i of the result set when counter i (cycle, time, instret) was readable. */
static uint32_t probe_counters(uint32_t unused) {
  (void)unused;
  uint32_t ok = 0;
  if (TRY_READ(cycle) != 0xdead) ok |= 1;
  if (TRY_READ(time) != 0xdead) ok |= 2;
  if (TRY_READ(instret) != 0xdead) ok |= 4;
  if (TRY_READ(cycleh) != 0xdead) ok |= 8;
  return ok;
}

static void test_gating(void) {
  m_trap_hook = m_record_skip;
  static const struct { uint32_t m, s, s_ok, u_ok; } cases[] = {
    {0, 0, 0, 0},
    {7, 0, 0xf, 0},
    {7, 7, 0xf, 0xf},
    {1, 7, 0x9, 0x9},
    {2, 2, 0x2, 0x2},
    {5, 4, 0xd, 0x4},
    {4, 7, 0x4, 0x4},
  };
  for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    csr_write(mcounteren, cases[i].m);
    csr_write(scounteren, cases[i].s);
    char label[64];
    uint32_t before = m_last_trap.count;
    uint32_t s_ok = run_in_mode(PRV_S, probe_counters, 0);
    snprintf(label, sizeof label, "mcounteren=%u scounteren=%u: readable in S", cases[i].m, cases[i].s);
    check(label, s_ok, cases[i].s_ok);
    uint32_t u_ok = run_in_mode(PRV_U, probe_counters, 0);
    snprintf(label, sizeof label, "mcounteren=%u scounteren=%u: readable in U", cases[i].m, cases[i].s);
    check(label, u_ok, cases[i].u_ok);
    /* Each refused read is one illegal-instruction trap. */
    uint32_t refused = 0;
    for (uint32_t b = 0; b < 4; b++) refused += !(s_ok & (1u << b)) + !(u_ok & (1u << b));
    snprintf(label, sizeof label, "  illegal-instruction traps");
    check_dec(label, (int32_t)(m_last_trap.count - before), (int32_t)refused);
  }
  /* The last refused read reports the instruction in mtval. */
  csr_write(mcounteren, 0);
  run_in_mode(PRV_U, probe_counters, 0);
  check("mcause of a refused read", m_last_trap.cause, CAUSE_ILLEGAL);
  check("mtval of csrr cycleh", m_last_trap.tval & 0xfff0707f, 0xc8002073);
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
  m_trap_hook = 0;
}

int main(void) {
  test_advance();
  test_gating();
  finish("counters");
}
