/* RV32I computational instructions: every register-register and
 * register-immediate op, lui/auipc, x0 semantics and the fence hints, with
 * edge cases (shift amounts 0/31/>31, sign-extended immediates, signed vs
 * unsigned compares with negative operands, overflow wrap-around). */
#include "pvrt.h"

#define RR(op, a, b) ({ uint32_t r_; \
  __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "r"((uint32_t)(b))); r_; })
#define RI(op, a, imm) ({ uint32_t r_; \
  __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "i"(imm)); r_; })
#define T_RR(op, a, b, exp) check(op "(" #a ", " #b ")", RR(op, a, b), exp)
#define T_RI(op, a, imm, exp) check(op "(" #a ", " #imm ")", RI(op, a, imm), exp)

static void test_reg_reg(void) {
  T_RR("add", 0x7fffffff, 1, 0x80000000);
  T_RR("add", 0xffffffff, 1, 0);
  T_RR("add", 0x80000000, 0x80000000, 0);
  T_RR("add", 123, -456, 0xfffffeb3);
  T_RR("sub", 0, 1, 0xffffffff);
  T_RR("sub", 0x80000000, 1, 0x7fffffff);
  T_RR("sub", 5, 5, 0);
  T_RR("sub", 3, 0xfffffffe, 5);
  T_RR("and", 0xff00ff00, 0x0ff00ff0, 0x0f000f00);
  T_RR("or", 0xff00ff00, 0x0ff00ff0, 0xfff0fff0);
  T_RR("xor", 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0);
  T_RR("xor", 0x12345678, 0x12345678, 0);
  T_RR("sll", 1, 31, 0x80000000);
  T_RR("sll", 1, 32, 1);                 /* only rs2[4:0] counts */
  T_RR("sll", 0xffffffff, 4, 0xfffffff0);
  T_RR("sll", 0x12345678, 0x24, 0x23456780);
  T_RR("sll", 0x12345678, 0, 0x12345678);
  T_RR("srl", 0x80000000, 31, 1);
  T_RR("srl", 0x80000000, 32, 0x80000000);
  T_RR("srl", 0xffffffff, 1, 0x7fffffff);
  T_RR("srl", 0x12345678, 0xffffffe4, 0x01234567);
  T_RR("sra", 0x80000000, 31, 0xffffffff);
  T_RR("sra", 0x80000000, 1, 0xc0000000);
  T_RR("sra", 0x7fffffff, 30, 1);
  T_RR("sra", 0x80000000, 63, 0xffffffff);
  T_RR("sra", 0x80000000, 0, 0x80000000);
  T_RR("slt", -1, 0, 1);
  T_RR("slt", 0, -1, 0);
  T_RR("slt", 0x80000000, 0x7fffffff, 1);
  T_RR("slt", 0x7fffffff, 0x80000000, 0);
  T_RR("slt", 5, 5, 0);
  T_RR("sltu", -1, 0, 0);
  T_RR("sltu", 0, -1, 1);
  T_RR("sltu", 0x80000000, 0x7fffffff, 0);
  T_RR("sltu", 0, 1, 1);
  T_RR("sltu", 7, 7, 0);
}

static void test_reg_imm(void) {
  T_RI("addi", 0x7fffffff, 1, 0x80000000);
  T_RI("addi", 0, -2048, 0xfffff800);
  T_RI("addi", 0, 2047, 0x7ff);
  T_RI("addi", 1, -1, 0);
  T_RI("slti", -1, 0, 1);
  T_RI("slti", 0, -1, 0);
  T_RI("slti", -2049, -2048, 1);
  T_RI("slti", 0x7fffffff, 2047, 0);
  T_RI("sltiu", 0, -1, 1);               /* immediate sign-extends to 0xffffffff */
  T_RI("sltiu", 0xfffffffe, -1, 1);
  T_RI("sltiu", 0xffffffff, -1, 0);
  T_RI("sltiu", 1, 1, 0);
  T_RI("sltiu", 0, 1, 1);
  T_RI("xori", 0x12345678, -1, 0xedcba987);
  T_RI("xori", 0, 0x7ff, 0x7ff);
  T_RI("xori", 0xffffffff, -2048, 0x7ff);
  T_RI("ori", 0x80000000, -2048, 0xfffff800);
  T_RI("ori", 0x1000, 0x123, 0x1123);
  T_RI("andi", 0xffffffff, -2048, 0xfffff800);
  T_RI("andi", 0x12345678, 0x7ff, 0x678);
  T_RI("andi", 0x12345678, 0xff, 0x78);
  T_RI("slli", 1, 31, 0x80000000);
  T_RI("slli", 0xf0000001, 4, 0x10);
  T_RI("slli", 0x12345678, 0, 0x12345678);
  T_RI("srli", 0x80000000, 31, 1);
  T_RI("srli", 0xf0000000, 28, 0xf);
  T_RI("srli", 0xffffffff, 0, 0xffffffff);
  T_RI("srai", 0x80000000, 31, 0xffffffff);
  T_RI("srai", 0x80000000, 4, 0xf8000000);
  T_RI("srai", 0x40000000, 30, 1);
  T_RI("srai", 0xf0000000, 28, 0xffffffff);
  T_RI("srai", 0x7fffffff, 31, 0);
}

#define LUI(imm) ({ uint32_t r_; __asm__ volatile("lui %0, " #imm : "=r"(r_)); r_; })
/* auipc result minus the address of the auipc itself. */
#define AUIPC_DELTA(imm) ({ uint32_t r_, pc_; \
  __asm__ volatile("1: auipc %0, " #imm "\n la %1, 1b" : "=&r"(r_), "=&r"(pc_)); r_ - pc_; })

static void test_upper(void) {
  check("lui 0x80000", LUI(0x80000), 0x80000000);
  check("lui 0xfffff", LUI(0xfffff), 0xfffff000);
  check("lui 0x12345", LUI(0x12345), 0x12345000);
  check("lui 0", LUI(0), 0);
  check("auipc 0 - pc", AUIPC_DELTA(0), 0);
  check("auipc 1 - pc", AUIPC_DELTA(1), 0x1000);
  check("auipc 0xfffff - pc", AUIPC_DELTA(0xfffff), 0xfffff000);
  check("auipc 0x80000 - pc", AUIPC_DELTA(0x80000), 0x80000000);
}

static void test_x0_and_hints(void) {
  uint32_t r;
  __asm__ volatile("addi x0, x0, 5\n lui x0, 0x12345\n add x0, %1, %1\n mv %0, x0" : "=r"(r) : "r"(7));
  check("x0 after writes", r, 0);
  /* Same register as source and destination. */
  r = 0x01010101;
  __asm__ volatile("add %0, %0, %0" : "+r"(r));
  check("add rd=rs1=rs2", r, 0x02020202);
  /* fence variants (incl. fence.tso and pause, raw encodings) must be no-ops. */
  uint32_t a = 0x11, b = 0x22;
  __asm__ volatile("fence\n fence rw, rw\n fence iorw, iorw\n fence i, o\n"
                   ".word 0x8330000f\n" /* fence.tso */
                   ".word 0x0100000f\n" /* pause */
                   "nop"
                   : "+r"(a), "+r"(b) :: "memory");
  check("registers after fences", a + (b << 8), 0x2211);
}

int main(void) {
  test_reg_reg();
  test_reg_imm();
  test_upper();
  test_x0_and_hints();
  finish("rv32i_alu");
}
