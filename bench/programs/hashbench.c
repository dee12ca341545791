/* hashbench: hashing workload for pvlab's CPU benchmark (bench/cpu-bench.ts).
 * Table-driven CRC-32, bitwise CRC-32C, FNV-1a, Adler-32 and a murmur-style
 * 32-bit mixer over a pseudo-random buffer that changes every round.
 * Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (400 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0x75498182u, 0xc91039d2u)
#define LEN 8192

static uint8_t buf[LEN];
static uint32_t crc_table[256];

static void crc32_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}

static uint32_t crc32(const uint8_t *p, int n) {
  uint32_t c = 0xffffffffu;
  for (int i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return ~c;
}

static uint32_t crc32c_bitwise(const uint8_t *p, int n) {
  uint32_t c = 0xffffffffu;
  for (int i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
  }
  return ~c;
}

static uint32_t fnv1a(const uint8_t *p, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static uint32_t adler32(const uint8_t *p, int n) {
  uint32_t a = 1, b = 0;
  for (int i = 0; i < n; i++) {
    a += p[i];
    if (a >= 65521) a -= 65521;
    b += a;
    if (b >= 65521) b -= 65521;
  }
  return (b << 16) | a;
}

static uint32_t mix32(const uint8_t *p, int n, uint32_t h) {
  const uint32_t *w = (const uint32_t *)p;
  for (int i = 0; i < n / 4; i++) {
    uint32_t k = w[i] * 0xcc9e2d51u;
    k = (k << 15) | (k >> 17);
    h ^= k * 0x1b873593u;
    h = ((h << 13) | (h >> 19)) * 5 + 0xe6546b64u;
  }
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  return h;
}

int main(void) {
  crc32_init();
  check("crc32(\"123456789\")", crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
  check("crc32c(\"123456789\")", crc32c_bitwise((const uint8_t *)"123456789", 9), 0xe3069283u);
  uint32_t x = 0x9e3779b9u, sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < LEN; i++) {
      x = x * 1103515245u + 12345u;
      buf[i] = (uint8_t)(x >> 16);
    }
    sum ^= crc32(buf, LEN);
    sum = sum * 31 + crc32c_bitwise(buf, LEN / 4);
    sum = sum * 31 + fnv1a(buf, LEN);
    sum = sum * 31 + adler32(buf, LEN);
    sum = mix32(buf, LEN, sum);
  }
  printf("hashbench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 400 * BENCH_SCALE) check("hashbench checksum", sum, EXPECTED);
  finish("hashbench");
}
