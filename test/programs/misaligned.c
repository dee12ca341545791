/* Misaligned loads and stores are performed, not trapped (pvlab's choice,
 * and QEMU 7.2's): every width at every offset, sign extension across the
 * word boundary, stores that straddle words, and accesses straddling a
 * 4 KiB page boundary. */
#include "pvrt.h"

static uint8_t buf[8192] __attribute__((aligned(4096)));

static void fill(uint8_t *p, unsigned n) {
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(0x80 + i * 7);
}

static uint32_t expect_le(const uint8_t *p, unsigned n) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint32_t)p[i] << (8 * i);
  return v;
}

#define LOAD(op, addr) ({ uint32_t r_; __asm__ volatile(op " %0, 0(%1)" : "=r"(r_) : "r"(addr) : "memory"); r_; })
#define STORE(op, val, addr) __asm__ volatile(op " %0, 0(%1)" :: "r"((uint32_t)(val)), "r"(addr) : "memory")

static void test_loads(void) {
  char label[48];
  uint32_t before = m_last_trap.count;
  m_trap_hook = m_record_skip;
  fill(buf, 16);
  for (unsigned off = 1; off < 4; off++) {
    const uint8_t *p = buf + off;
    snprintf(label, sizeof label, "lw  at +%u", off);
    check(label, LOAD("lw", p), expect_le(p, 4));
    snprintf(label, sizeof label, "lhu at +%u", off);
    check(label, LOAD("lhu", p), expect_le(p, 2));
    snprintf(label, sizeof label, "lh  at +%u", off);
    check(label, LOAD("lh", p), (uint32_t)(int32_t)(int16_t)expect_le(p, 2));
  }
  buf[1] = 0x34;
  buf[2] = 0x12;
  buf[3] = 0x7f;
  check("lh  at +1 (positive)", LOAD("lh", buf + 1), 0x1234);
  check("lh  at +3 (negative)", LOAD("lh", buf + 3), expect_le(buf + 3, 2) | 0xffff0000u);
  check_dec("traps during misaligned loads", (int32_t)(m_last_trap.count - before), 0);
  m_trap_hook = 0;
}

static void test_stores(void) {
  char label[48];
  uint32_t before = m_last_trap.count;
  m_trap_hook = m_record_skip;
  for (unsigned off = 1; off < 4; off++) {
    memset(buf, 0xee, 16);
    STORE("sw", 0x44332211, buf + off);
    snprintf(label, sizeof label, "sw at +%u: word 0", off);
    check(label, expect_le(buf, 4), (0xeeeeeeeeu & ~(0xffffffffu << (8 * off))) | (0x44332211u << (8 * off)));
    snprintf(label, sizeof label, "sw at +%u: word 1", off);
    check(label, expect_le(buf + 4, 4), (0x44332211u >> (32 - 8 * off)) | (0xeeeeeeeeu << (8 * off)));
    memset(buf, 0xee, 16);
    STORE("sh", 0xbbaa, buf + off);
    snprintf(label, sizeof label, "sh at +%u: bytes", off);
    check(label, expect_le(buf + off - 1, 4), 0xeebbaaeeu);
  }
  check_dec("traps during misaligned stores", (int32_t)(m_last_trap.count - before), 0);
  m_trap_hook = 0;
}

static void test_page_straddle(void) {
  fill(buf + 4088, 16);
  for (unsigned off = 4093; off < 4096; off++) {
    char label[48];
    snprintf(label, sizeof label, "lw across page at %u", off);
    check(label, LOAD("lw", buf + off), expect_le(buf + off, 4));
  }
  STORE("sw", 0xa1b2c3d4, buf + 4094);
  check("sw across page: low page", expect_le(buf + 4092, 4) >> 16, 0xc3d4);
  check("sw across page: high page", expect_le(buf + 4096, 4) & 0xffff, 0xa1b2);
  STORE("sh", 0x5a6b, buf + 4095);
  check("sh across page", expect_le(buf + 4094, 4) & 0x00ffff00u, 0x005a6b00u);
}

int main(void) {
  test_loads();
  test_stores();
  test_page_straddle();
  finish("misaligned");
}
