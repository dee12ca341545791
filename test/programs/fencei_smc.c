/* Zifencei and self-modifying code: generate functions into RAM, run them,
 * patch them (including code that already ran and code in a hot loop),
 * execute fence.i, and see the new instructions; also a routine that
 * rewrites its own next instruction. */
#include "pvrt.h"

#define ADDI_A0(imm) ((((uint32_t)(imm) & 0xfffu) << 20) | (10u << 15) | (10u << 7) | 0x13u)
#define RET 0x00008067u

static uint32_t code[256] __attribute__((aligned(64)));
typedef uint32_t (*fn_t)(uint32_t);

static uint32_t call(uint32_t arg) {
  __asm__ volatile("fence.i" ::: "memory");
  return ((fn_t)(uintptr_t)code)(arg);
}

static void test_generate_and_patch(void) {
  code[0] = ADDI_A0(5);
  code[1] = RET;
  check_dec("generated addi 5", (int32_t)call(10), 15);
  code[0] = ADDI_A0(7);
  check_dec("patched to addi 7", (int32_t)call(10), 17);
  code[0] = ADDI_A0(-2048);
  check_dec("patched to addi -2048", (int32_t)call(10), -2038);

  /* Patch inside a hot loop: every iteration sees its own immediate. */
  uint32_t sum = 0;
  for (uint32_t i = 0; i < 16; i++) {
    code[0] = ADDI_A0(i * 3);
    sum += call(1000);
  }
  check_dec("hot loop sum", (int32_t)sum, 16 * 1000 + 3 * 120);

  /* A 200-instruction straight line, then cut short by writing a ret. */
  for (int i = 0; i < 200; i++) code[i] = ADDI_A0(1);
  code[200] = RET;
  check_dec("200 x addi 1", (int32_t)call(0), 200);
  code[50] = RET;
  check_dec("ret patched at 50", (int32_t)call(0), 50);
  code[50] = ADDI_A0(1000);
  check_dec("ret replaced by addi 1000", (int32_t)call(0), 1199);
  /* Bytes, not words: patch the immediate's top byte only (imm 1 -> 0x101). */
  ((volatile uint8_t *)&code[199])[3] = 0x10;
  check_dec("byte-patched immediate", (int32_t)call(0), 1199 + 0x100);
}

/* Rewrites the instruction that follows its fence.i: returns 42, not 1. */
uint32_t self_patch(void);
__asm__(".text\n.balign 4\n"
        "self_patch:\n"
        " la t0, 1f\n"
        " li t1, 0x02a00513\n" /* addi a0, zero, 42 */
        " sw t1, 0(t0)\n"
        " fence.i\n"
        "1: addi a0, zero, 1\n"
        " ret\n");

static void test_self_patch(void) {
  check_dec("self-patching routine", (int32_t)self_patch(), 42);
}

int main(void) {
  test_generate_and_patch();
  test_self_patch();
  finish("fencei_smc");
}
