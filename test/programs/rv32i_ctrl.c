/* RV32I control transfer: all six branches taken / not taken with signed
 * and unsigned operand pairs, backward loops, jal/jalr link values, jalr
 * offsets, clearing of the target's bit 0, and rd == rs1 for jalr. */
#include "pvrt.h"

/* 1 when the branch is taken. */
#define BR(op, a, b) ({ uint32_t t_; \
  __asm__ volatile("li %0, 1\n " op " %1, %2, 1f\n li %0, 0\n1:" \
                   : "=&r"(t_) : "r"((uint32_t)(a)), "r"((uint32_t)(b))); t_; })
#define T_BR(op, a, b, exp) check(op "(" #a ", " #b ") taken", BR(op, a, b), exp)

static void test_branches(void) {
  T_BR("beq", 1, 1, 1);
  T_BR("beq", 1, 2, 0);
  T_BR("beq", 0, 0x80000000, 0);
  T_BR("bne", 1, 1, 0);
  T_BR("bne", 1, 2, 1);
  T_BR("blt", -1, 0, 1);
  T_BR("blt", 0, -1, 0);
  T_BR("blt", 5, 5, 0);
  T_BR("blt", 0x80000000, 0x7fffffff, 1);
  T_BR("bge", -1, 0, 0);
  T_BR("bge", 0, -1, 1);
  T_BR("bge", 5, 5, 1);
  T_BR("bge", 0x7fffffff, 0x80000000, 1);
  T_BR("bltu", -1, 0, 0);
  T_BR("bltu", 0, -1, 1);
  T_BR("bltu", 5, 5, 0);
  T_BR("bltu", 0x7fffffff, 0x80000000, 1);
  T_BR("bgeu", -1, 0, 1);
  T_BR("bgeu", 0, -1, 0);
  T_BR("bgeu", 5, 5, 1);
  T_BR("bgeu", 0x80000000, 0x7fffffff, 1);
}

static void test_loops(void) {
  uint32_t sum, i;
  /* Backward branch: sum 1..10. */
  __asm__ volatile("li %0, 0\n li %1, 10\n"
                   "1: add %0, %0, %1\n addi %1, %1, -1\n bnez %1, 1b"
                   : "=&r"(sum), "=&r"(i));
  check("loop sum 1..10", sum, 55);
  /* Counting down through zero with bltu/bge combination. */
  __asm__ volatile("li %0, 0\n li %1, 3\n"
                   "1: addi %0, %0, 1\n addi %1, %1, -1\n bge %1, zero, 1b"
                   : "=&r"(sum), "=&r"(i));
  check("loop iterations 3..0", sum, 4);
}

static void test_jumps(void) {
  uint32_t link, target, r;
  __asm__ volatile("jal %0, 1f\n1: la %1, 1b" : "=&r"(link), "=&r"(target));
  check("jal link = next pc", link - target, 0);
  /* jal skipping an instruction. */
  __asm__ volatile("li %0, 1\n jal x0, 1f\n li %0, 2\n1:" : "=&r"(r));
  check("j skips", r, 1);
  /* jalr with a positive and a negative offset. */
  __asm__ volatile("la t0, 2f - 8\n li %0, 1\n jalr %1, 8(t0)\n li %0, 2\n2:"
                   : "=&r"(r), "=&r"(link) :: "t0");
  check("jalr +8 lands", r, 1);
  __asm__ volatile("la t0, 2f + 12\n li %0, 1\n jalr x0, -12(t0)\n li %0, 2\n2:"
                   : "=&r"(r) :: "t0");
  check("jalr -12 lands", r, 1);
  /* Bit 0 of the target is cleared. */
  __asm__ volatile("la t0, 2f\n addi t0, t0, 1\n li %0, 1\n jalr x0, 0(t0)\n li %0, 2\n2:"
                   : "=&r"(r) :: "t0");
  check("jalr clears bit 0", r, 1);
  /* rd == rs1: the target uses the old value, then the link is written. */
  __asm__ volatile("la %0, 2f\n jalr %0, 0(%0)\n nop\n2: la %1, 2b"
                   : "=&r"(link), "=&r"(target));
  check("jalr rd=rs1 link", target - link, 4);
}

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t (*volatile indirect)(uint32_t) = fib;

int main(void) {
  test_branches();
  test_loops();
  test_jumps();
  check_dec("recursive fib(20)", (int32_t)fib(20), 6765);
  check_dec("indirect fib(15)", (int32_t)indirect(15), 610);
  finish("rv32i_ctrl");
}
