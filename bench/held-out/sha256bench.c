/* sha256bench: a held-out workload for `npm run bench` (not part of the suite the
 * JIT was tuned on; see docs/performance.md). SHA-256 of a 4 KiB buffer, chained:
 * each digest rewrites the buffer's head. Rotations, adds and a table of constants.
 * The checksum is judged by comparing pvlab's output with QEMU's. */
#include "pvrt.h"
#include "bench.h"

static const uint32_t K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void block(uint32_t h[8], const uint8_t *p) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

static uint8_t buf[4096 + 64];

static void sha256(const uint8_t *msg, uint32_t len, uint32_t h[8]) {
  static const uint32_t init[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  for (int i = 0; i < 8; i++) h[i] = init[i];
  uint32_t full = len & ~63u;
  for (uint32_t off = 0; off < full; off += 64) block(h, msg + off);
  uint8_t last[128] = { 0 };
  uint32_t rest = len - full;
  for (uint32_t i = 0; i < rest; i++) last[i] = msg[full + i];
  last[rest] = 0x80;
  uint32_t n = rest < 56 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (int i = 0; i < 8; i++) last[n - 1 - i] = (uint8_t)(bits >> (8 * i));
  for (uint32_t off = 0; off < n; off += 64) block(h, last + off);
}

int main(void) {
  uint32_t x = 12345;
  for (int i = 0; i < 4096; i++) buf[i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
  uint32_t h[8], sum = 0;
  for (int r = 0; r < 1800 * BENCH_SCALE; r++) {
    sha256(buf, 4096 - (r & 63), h);
    for (int i = 0; i < 8; i++) {
      buf[4 * i] = (uint8_t)(h[i] >> 24);
      buf[4 * i + 1] = (uint8_t)(h[i] >> 16);
      buf[4 * i + 2] = (uint8_t)(h[i] >> 8);
      buf[4 * i + 3] = (uint8_t)h[i];
    }
    sum = sum * 33 + h[0] + h[7];
  }
  printf("sha256bench digest %08x%08x checksum %08x\n", h[0], h[1], sum);
  finish("sha256bench");
}
