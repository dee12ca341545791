/* RV32I loads and stores: sign/zero extension of lb/lh/lbu/lhu, partial
 * stores that must leave neighbouring bytes alone, negative and maximal
 * offsets, little-endian byte order, and a memory signature dump. */
#include "pvrt.h"

static uint8_t mem[32] __attribute__((aligned(16))) = {
  0x80, 0x7f, 0xff, 0x01, 0x00, 0x80, 0xff, 0x7f,
  0x78, 0x56, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde,
};
static uint32_t big[1024] __attribute__((aligned(16)));

#define LOAD(op, base, off) ({ uint32_t r_; \
  __asm__ volatile(op " %0, " #off "(%1)" : "=r"(r_) : "r"(base) : "memory"); r_; })
#define STORE(op, val, base, off) \
  __asm__ volatile(op " %0, " #off "(%1)" :: "r"((uint32_t)(val)), "r"(base) : "memory")

static void test_loads(void) {
  check("lb  [0]=0x80", LOAD("lb", mem, 0), 0xffffff80);
  check("lb  [1]=0x7f", LOAD("lb", mem, 1), 0x7f);
  check("lb  [2]=0xff", LOAD("lb", mem, 2), 0xffffffff);
  check("lbu [0]=0x80", LOAD("lbu", mem, 0), 0x80);
  check("lbu [2]=0xff", LOAD("lbu", mem, 2), 0xff);
  check("lh  [4]=0x8000", LOAD("lh", mem, 4), 0xffff8000);
  check("lhu [4]=0x8000", LOAD("lhu", mem, 4), 0x8000);
  check("lh  [6]=0x7fff", LOAD("lh", mem, 6), 0x7fff);
  check("lhu [6]=0x7fff", LOAD("lhu", mem, 6), 0x7fff);
  check("lw  [0]", LOAD("lw", mem, 0), 0x01ff7f80);
  check("lw  [8]", LOAD("lw", mem, 8), 0x12345678);
  check("lw  [12]", LOAD("lw", mem, 12), 0xdeadbeef);
  check("lh  [14]", LOAD("lh", mem, 14), 0xffffdead);
  check("lb  [15]", LOAD("lb", mem, 15), 0xffffffde);
  /* Negative offsets from a pointer past the data. */
  const uint8_t *end = mem + 16;
  check("lw  -4(end)", LOAD("lw", end, -4), 0xdeadbeef);
  check("lbu -1(end)", LOAD("lbu", end, -1), 0xde);
  check("lh  -8(end)", LOAD("lh", end, -8), 0x5678);
  /* Extreme 12-bit offsets. */
  big[511] = 0x5a5a0001;
  big[512] = 0xa5a50002;
  const uint8_t *mid = (const uint8_t *)big + 4096; /* one past the end */
  check("lw  -2048(mid)", LOAD("lw", mid, -2048), 0xa5a50002);
  check("lw  2044(big)", LOAD("lw", big, 2044), 0x5a5a0001);
  check("lw  -2048(mid)+(-4)", LOAD("lw", mid - 4, -2048), 0x5a5a0001);
}

static uint32_t word_buf[4] __attribute__((aligned(16)));

static void test_stores(void) {
  uint32_t *w = word_buf;
  for (int i = 0; i < 4; i++) w[i] = 0xaaaaaaaa;
  STORE("sb", 0x12345678, w, 1);
  check("sb at +1", w[0], 0xaaaa78aa);
  STORE("sh", 0x12345678, w, 6);
  check("sh at +6", w[1], 0x5678aaaa);
  STORE("sw", 0x12345678, w, 8);
  check("sw at +8", w[2], 0x12345678);
  check("neighbour untouched", w[3], 0xaaaaaaaa);
  STORE("sb", 0xff, w + 4, -1);
  check("sb at -1(end)", w[3], 0xffaaaaaa);
  STORE("sh", 0xbeef, w + 4, -4);
  check("sh at -4(end)", w[3], 0xffaabeef);
  /* Store then reload through each width. */
  STORE("sw", 0x8001ff7f, w, 0);
  check("lb after sw", LOAD("lb", w, 0), 0x7f);
  check("lb after sw +1", LOAD("lb", w, 1), 0xffffffff);
  check("lhu after sw +2", LOAD("lhu", w, 2), 0x8001);
  check("lh after sw +2", LOAD("lh", w, 2), 0xffff8001);
  /* A load into x0 must not change anything (and must not trap). */
  __asm__ volatile("lw x0, 0(%0)" :: "r"(w) : "memory");
  dump_words("word_buf", word_buf, 4);
}

/* A small memory walk whose final contents form the signature. */
static uint32_t sig[16] __attribute__((aligned(16)));

static void test_walk(void) {
  uint8_t *b = (uint8_t *)sig;
  for (int i = 0; i < 64; i++) b[i] = (uint8_t)(i * 37 + 11);
  uint16_t *h = (uint16_t *)sig;
  for (int i = 0; i < 32; i += 3) h[i] ^= 0x8421;
  for (int i = 1; i < 16; i++) sig[i] += sig[i - 1];
  dump_words("sig", sig, 16);
  check("sig[15] (host-computed)", sig[15], 0x8393680a);
}

int main(void) {
  test_loads();
  test_stores();
  test_walk();
  finish("rv32i_mem");
}
