/* RV32M: mul/mulh/mulhsu/mulhu/div/divu/rem/remu with sign combinations,
 * division by zero (quotient all ones, remainder = dividend), the
 * INT_MIN / -1 overflow case (quotient INT_MIN, remainder 0), and
 * register aliasing. Expected values were computed on the host. */
#include "pvrt.h"

#define RR(op, a, b) ({ uint32_t r_; \
  __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"((uint32_t)(a)), "r"((uint32_t)(b))); r_; })
#define T_RR(op, a, b, exp) check(op "(" #a ", " #b ")", RR(op, a, b), exp)

static void test_table(void) {
  T_RR("mul", 7, -3, 0xffffffeb);
  T_RR("mul", 0x80000000, -1, 0x80000000);
  T_RR("mul", 0xffffffff, 0xffffffff, 0x00000001);
  T_RR("mul", 0x12345678, 0x9abcdef0, 0x242d2080);
  T_RR("mul", 0x10000, 0x10000, 0x00000000);
  T_RR("mul", 0, 0xffffffff, 0x00000000);
  T_RR("mulh", -1, -1, 0x00000000);
  T_RR("mulh", 0x80000000, 0x80000000, 0x40000000);
  T_RR("mulh", 0x80000000, 1, 0xffffffff);
  T_RR("mulh", 0x7fffffff, 0x7fffffff, 0x3fffffff);
  T_RR("mulh", 0x12345678, 0x9abcdef0, 0xf8cc93d6);
  T_RR("mulh", 0x9abcdef0, 0x9abcdef0, 0x280e09b0);
  T_RR("mulh", -1, 1, 0xffffffff);
  T_RR("mulhu", -1, -1, 0xfffffffe);
  T_RR("mulhu", 0x80000000, 2, 0x00000001);
  T_RR("mulhu", 0x12345678, 0x9abcdef0, 0x0b00ea4e);
  T_RR("mulhu", 0x9abcdef0, 0x9abcdef0, 0x5d87c790);
  T_RR("mulhu", 0xffffffff, 1, 0x00000000);
  T_RR("mulhsu", -1, 0xffffffff, 0xffffffff);
  T_RR("mulhsu", 0x80000000, 0xffffffff, 0x80000000);
  T_RR("mulhsu", 1, 0x80000000, 0x00000000);
  T_RR("mulhsu", 0x9abcdef0, 0x9abcdef0, 0xc2cae8a0);
  T_RR("mulhsu", 0x12345678, 0x9abcdef0, 0x0b00ea4e);
  T_RR("mulhsu", -1, 1, 0xffffffff);
  T_RR("mulhsu", 0x7fffffff, 0xffffffff, 0x7ffffffe);
  T_RR("div", 7, 2, 0x00000003);
  T_RR("div", -7, 2, 0xfffffffd);
  T_RR("div", 7, -2, 0xfffffffd);
  T_RR("div", -7, -2, 0x00000003);
  T_RR("div", 0x12345678, 0, 0xffffffff);
  T_RR("div", 0, 0, 0xffffffff);
  T_RR("div", 0x80000000, -1, 0x80000000);
  T_RR("div", 0x80000000, 1, 0x80000000);
  T_RR("div", 0x80000000, 2, 0xc0000000);
  T_RR("div", 1, 0x80000000, 0x00000000);
  T_RR("div", -1, 0, 0xffffffff);
  T_RR("divu", 7, 2, 0x00000003);
  T_RR("divu", 0xffffffff, 2, 0x7fffffff);
  T_RR("divu", 0x12345678, 0, 0xffffffff);
  T_RR("divu", 0x80000000, 0xffffffff, 0x00000000);
  T_RR("divu", 0xffffffff, 0xffffffff, 0x00000001);
  T_RR("divu", 0, 0, 0xffffffff);
  T_RR("divu", 0xfffffffe, 0x7fffffff, 0x00000002);
  T_RR("rem", 7, 2, 0x00000001);
  T_RR("rem", -7, 2, 0xffffffff);
  T_RR("rem", 7, -2, 0x00000001);
  T_RR("rem", -7, -2, 0xffffffff);
  T_RR("rem", 0x12345678, 0, 0x12345678);
  T_RR("rem", -5, 0, 0xfffffffb);
  T_RR("rem", 0x80000000, -1, 0x00000000);
  T_RR("rem", 0x80000000, 3, 0xfffffffe);
  T_RR("rem", 0x7fffffff, -1, 0x00000000);
  T_RR("remu", 7, 2, 0x00000001);
  T_RR("remu", 0xffffffff, 2, 0x00000001);
  T_RR("remu", 0x12345678, 0, 0x12345678);
  T_RR("remu", 0x80000000, 0xffffffff, 0x80000000);
  T_RR("remu", 0xffffffff, 0x10, 0x0000000f);
  T_RR("remu", 0, 0, 0x00000000);
}

static void test_aliasing(void) {
  uint32_t r = 0xfffffffd; /* -3 */
  __asm__ volatile("mul %0, %0, %0" : "+r"(r));
  check("mul rd=rs1=rs2 (-3)", r, 9);
  r = 0x80000000;
  __asm__ volatile("mulhu %0, %0, %0" : "+r"(r));
  check("mulhu rd=rs1=rs2 (2^31)", r, 0x40000000);
  r = 0x80000000;
  __asm__ volatile("div %0, %0, %0" : "+r"(r));
  check("div rd=rs1=rs2", r, 1);
  r = 0;
  __asm__ volatile("divu %0, %0, %0" : "+r"(r));
  check("divu 0/0 rd=rs1=rs2", r, 0xffffffff);
  __asm__ volatile("mul x0, %0, %0" :: "r"(12345));
}

/* A 64-bit product from mul + mulhu, against the sum of partial products. */
static void test_wide(void) {
  uint32_t a = 0xdeadbeef, b = 1000003;
  uint32_t lo = RR("mul", a, b), hi = RR("mulhu", a, b);
  uint32_t slo = 0, shi = 0;
  for (uint32_t i = 0; i < b; i += 1000) {
    uint32_t step = b - i < 1000 ? b - i : 1000;
    uint32_t add = a * step;
    uint32_t addhi = RR("mulhu", a, step);
    uint32_t n = slo + add;
    shi += addhi + (n < slo);
    slo = n;
  }
  check("wide lo", lo, slo);
  check("wide hi", hi, shi);
  check("wide hi (host-computed)", hi, 0x000d45d1);
  /* divu/remu reconstruct the dividend. */
  uint32_t bad = 0;
  for (uint32_t x = 1; x < 200000; x += 997) {
    uint32_t d = x * 2654435761u, q = RR("divu", d, x), m = RR("remu", d, x);
    if (q * x + m != d || m >= x) bad++;
    int32_t sd = (int32_t)d, sx = (int32_t)(x ^ 0x80000000u) >> 7;
    int32_t sq = (int32_t)RR("div", sd, sx), sm = (int32_t)RR("rem", sd, sx);
    if (sq * sx + sm != sd) bad++;
    if (sm != 0 && ((sm < 0) != (sd < 0))) bad++; /* remainder takes the dividend's sign */
  }
  check_dec("div/rem identity violations", (int32_t)bad, 0);
}

int main(void) {
  test_table();
  test_aliasing();
  test_wide();
  finish("rv32m");
}
