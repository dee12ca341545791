/* Behaviour where QEMU 7.2 and the RISC-V specification disagree; pvlab
 * follows the specification. Each quirk is one check, so the differential
 * test can assert that QEMU fails exactly these (the known differences in
 * docs/testing.md) while pvlab passes them all:
 *  Q1/Q2 a taken branch or jal to a misaligned target: mtval = the target;
 *  Q3 a misaligned AMO raises store/AMO address misaligned (cause 6);
 *  Q4 a misaligned sc.w raises an exception (cause 6), it does not just fail;
 *  Q5 csrrs with rs1 != x0 on a read-only CSR is illegal even if rs1 holds 0;
 *  Q6 mepc/sepc[1:0] read as zero when IALIGN = 32;
 *  Q7 a value written to minstret is what the next instruction reads (the
 *     writing instruction does not count itself);
 *  Q8 ebreak writes its own address to mtval. The specification allows 0 or
 *     the address; pvlab follows the Sail model and Spike (the address),
 *     QEMU writes 0. */
#include "pvrt.h"

static volatile trap_record_t first;
static volatile int armed;

/* Records the first exception after `armed`; resumes at t0 for fetch faults. */
static int hook(trap_frame_t *f) {
  if (f->cause & CAUSE_INTERRUPT) return 0;
  if (armed) {
    armed = 0;
    first.count++;
    first.cause = f->cause;
    first.epc = f->epc;
    first.tval = f->tval;
  }
  if (f->cause == CAUSE_MISALIGNED_FETCH) f->epc = f->x[5];
  else f->epc += 4;
  return 1;
}

static void report(const char *what, uint32_t before, uint32_t cause, uint32_t tval, uint32_t ok) {
  printf("  %s: traps=%u cause=%u tval-ok=%u\n", what, first.count - before, first.cause, first.tval == tval);
  check(what, ok && first.count - before == 1 && first.cause == cause && first.tval == tval, 1);
}

static volatile uint32_t cell[4] __attribute__((aligned(16)));

int main(void) {
  uint32_t before, at;
  m_trap_hook = hook;

  before = first.count;
  armed = 1;
  __asm__ volatile("la t0, 1f\n la %0, 2f\n2: beq zero, zero, .+10\n nop\n nop\n nop\n1:" : "=&r"(at) :: "t0", "memory");
  report("Q1 beq to pc+10: mtval = target", before, CAUSE_MISALIGNED_FETCH, at + 10, first.epc == at);

  before = first.count;
  armed = 1;
  __asm__ volatile("la t0, 1f\n la %0, 2f\n2: jal x0, .+6\n nop\n nop\n1:" : "=&r"(at) :: "t0", "memory");
  report("Q2 jal to pc+6: mtval = target", before, CAUSE_MISALIGNED_FETCH, at + 6, first.epc == at);

  before = first.count;
  armed = 1;
  uint32_t odd = (uint32_t)(uintptr_t)&cell[1] + 1;
  __asm__ volatile("amoadd.w x0, %1, (%0)" :: "r"(odd), "r"(1) : "memory");
  report("Q3 misaligned amoadd.w: cause 6", before, CAUSE_MISALIGNED_STORE, odd, 1);

  before = first.count;
  armed = 1;
  odd = (uint32_t)(uintptr_t)&cell[2] + 2;
  __asm__ volatile("sc.w x0, %1, (%0)" :: "r"(odd), "r"(1) : "memory");
  report("Q4 misaligned sc.w: cause 6", before, CAUSE_MISALIGNED_STORE, odd, 1);

  before = first.count;
  armed = 1;
  uint32_t insn;
  __asm__ volatile("la %0, 1f\n li t1, 0\n1: csrrs x0, mvendorid, t1\n lw %0, 0(%0)" : "=&r"(insn) :: "t1", "memory");
  report("Q5 csrrs mvendorid, t1 (t1 = 0): illegal", before, CAUSE_ILLEGAL, insn, 1);
  armed = 0;

  csr_write(mepc, 0x80001237);
  csr_write(sepc, 0x80004322);
  uint32_t mepc = csr_read(mepc), sepc = csr_read(sepc);
  printf("  mepc=%08x sepc=%08x\n", mepc, sepc);
  check("Q6 mepc/sepc[1:0] read as zero", mepc == 0x80001234 && sepc == 0x80004320, 1);

  uint32_t r0, r2;
  __asm__ volatile("csrw minstret, zero\n csrr %0, minstret\n"
                   "csrw minstret, %2\n nop\n nop\n csrr %1, minstret"
                   : "=&r"(r0), "=&r"(r2) : "r"(1000));
  check("Q7 minstret reads back the written value", r0 == 0 && r2 == 1002, 1);

  before = first.count;
  armed = 1;
  __asm__ volatile("la %0, 1f\n1: ebreak" : "=&r"(at) :: "memory");
  report("Q8 ebreak: mtval = pc", before, CAUSE_BREAKPOINT, at, first.epc == at);

  m_trap_hook = 0;
  finish("spec_quirks");
}
