/* RV32A: lr.w/sc.w success, failure without a reservation and after a
 * successful sc, an lr/sc retry loop, every AMO (old value returned, new value
 * stored, signed vs unsigned min/max on negative operands), rd = x0 and
 * rd = rs2 forms, aq/rl variants, and a misaligned lr.w (load address
 * misaligned, tval = address). */
#include "pvrt.h"

static volatile uint32_t cell[8] __attribute__((aligned(16)));

#define AMO(op, addr, val) ({ uint32_t r_; \
  __asm__ volatile(op " %0, %2, (%1)" : "=&r"(r_) : "r"(addr), "r"((uint32_t)(val)) : "memory"); r_; })

/* Runs one AMO on a fresh cell and checks both the returned and the stored value. */
static void t_amo(const char *name, uint32_t (*fn)(volatile uint32_t *, uint32_t), uint32_t init, uint32_t operand,
                  uint32_t stored) {
  char label[64];
  cell[0] = init;
  uint32_t old = fn(&cell[0], operand);
  snprintf(label, sizeof label, "%s(0x%08x, 0x%08x) old", name, init, operand);
  check(label, old, init);
  snprintf(label, sizeof label, "%s(0x%08x, 0x%08x) mem", name, init, operand);
  check(label, cell[0], stored);
}

#define DEF_AMO(fn_name, op) \
  static uint32_t fn_name(volatile uint32_t *p, uint32_t v) { return AMO(op, p, v); }
DEF_AMO(amoswap, "amoswap.w")
DEF_AMO(amoadd, "amoadd.w")
DEF_AMO(amoxor, "amoxor.w")
DEF_AMO(amoand, "amoand.w")
DEF_AMO(amoor, "amoor.w")
DEF_AMO(amomin, "amomin.w")
DEF_AMO(amomax, "amomax.w")
DEF_AMO(amominu, "amominu.w")
DEF_AMO(amomaxu, "amomaxu.w")
DEF_AMO(amoadd_aqrl, "amoadd.w.aqrl")
DEF_AMO(amoswap_aq, "amoswap.w.aq")
DEF_AMO(amoor_rl, "amoor.w.rl")

static void test_amos(void) {
  t_amo("amoswap", amoswap, 0x11111111, 0x22222222, 0x22222222);
  t_amo("amoadd", amoadd, 0x7fffffff, 1, 0x80000000);
  t_amo("amoadd", amoadd, 0xffffffff, 2, 1);
  t_amo("amoxor", amoxor, 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0);
  t_amo("amoand", amoand, 0xff00ff00, 0x0ff00ff0, 0x0f000f00);
  t_amo("amoor", amoor, 0xff00ff00, 0x0ff00ff0, 0xfff0fff0);
  t_amo("amomin", amomin, 0xfffffffb, 3, 0xfffffffb);
  t_amo("amomin", amomin, 3, 0xfffffffb, 0xfffffffb);
  t_amo("amomin", amomin, 0x80000000, 0x7fffffff, 0x80000000);
  t_amo("amomax", amomax, 0xfffffffb, 3, 3);
  t_amo("amomax", amomax, 0x80000000, 0x7fffffff, 0x7fffffff);
  t_amo("amomax", amomax, 5, 5, 5);
  t_amo("amominu", amominu, 0xfffffffb, 3, 3);
  t_amo("amominu", amominu, 0x80000000, 0x7fffffff, 0x7fffffff);
  t_amo("amomaxu", amomaxu, 0xfffffffb, 3, 0xfffffffb);
  t_amo("amomaxu", amomaxu, 0x80000000, 0x7fffffff, 0x80000000);
  t_amo("amoadd.aqrl", amoadd_aqrl, 40, 2, 42);
  t_amo("amoswap.aq", amoswap_aq, 1, 2, 2);
  t_amo("amoor.rl", amoor_rl, 0x0f, 0xf0, 0xff);

  /* rd = x0 still performs the update. */
  cell[1] = 10;
  __asm__ volatile("amoadd.w x0, %1, (%0)" :: "r"(&cell[1]), "r"(5) : "memory");
  check("amoadd rd=x0 mem", cell[1], 15);
  /* rd = rs2: the register receives the old value, memory the operand. */
  cell[2] = 0xabcd0000;
  uint32_t r = 0x1234;
  __asm__ volatile("amoswap.w %0, %0, (%1)" : "+r"(r) : "r"(&cell[2]) : "memory");
  check("amoswap rd=rs2 reg", r, 0xabcd0000);
  check("amoswap rd=rs2 mem", cell[2], 0x1234);
}

static uint32_t lr(volatile uint32_t *p) {
  uint32_t v;
  __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(p) : "memory");
  return v;
}

static uint32_t sc(volatile uint32_t *p, uint32_t v) {
  uint32_t fail;
  __asm__ volatile("sc.w %0, %2, (%1)" : "=&r"(fail) : "r"(p), "r"(v) : "memory");
  return fail;
}

static void test_lr_sc(void) {
  cell[3] = 5;
  /* No reservation has been taken yet in this program. */
  check("sc without lr fails", sc(&cell[3], 9) != 0, 1);
  check("  memory unchanged", cell[3], 5);
  check("lr value", lr(&cell[3]), 5);
  check("sc after lr succeeds (0)", sc(&cell[3], 7), 0);
  check("  memory written", cell[3], 7);
  /* Any sc clears the reservation, so a second sc must fail. */
  check("second sc fails", sc(&cell[3], 8) != 0, 1);
  check("  memory unchanged", cell[3], 7);
  /* aq/rl encodings. */
  uint32_t v, fail;
  __asm__ volatile("lr.w.aq %0, (%2)\n addi %0, %0, 1\n sc.w.rl %1, %0, (%2)"
                   : "=&r"(v), "=&r"(fail) : "r"(&cell[3]) : "memory");
  check("lr.aq/sc.rl pair", fail, 0);
  check("  memory incremented", cell[3], 8);
  /* The classic retry loop. */
  cell[4] = 0;
  for (int i = 0; i < 100; i++) {
    __asm__ volatile("1: lr.w.aqrl %0, (%2)\n addi %0, %0, 3\n sc.w.aqrl %1, %0, (%2)\n bnez %1, 1b"
                     : "=&r"(v), "=&r"(fail) : "r"(&cell[4]) : "memory");
  }
  check_dec("lr/sc loop total", (int32_t)cell[4], 300);
}

static void test_misaligned_lr(void) {
  uint32_t before = m_last_trap.count;
  volatile uint32_t *odd = (volatile uint32_t *)((uintptr_t)&cell[5] + 2);
  uintptr_t at;
  m_trap_hook = m_record_skip;
  __asm__ volatile("la %0, 1f\n1: lr.w x0, (%1)" : "=&r"(at) : "r"(odd) : "memory");
  m_trap_hook = 0;
  check_trap("misaligned lr.w", &m_last_trap, before, CAUSE_MISALIGNED_LOAD, at, (uint32_t)(uintptr_t)odd);
}

int main(void) {
  test_amos();
  test_lr_sc();
  test_misaligned_lr();
  finish("rv32a");
}
