/* lzbench: compression for pvlab's CPU benchmark (bench/cpu-bench.ts). Generates
 * text from a small vocabulary, compresses it with an LZ77 scheme (a hash table
 * of 3-byte prefixes), expands it again and compares: byte loads and stores,
 * hashing, data-dependent branches. Self-checking: prints the checksum, then
 * PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#define EXPECTED BENCH_EXPECTED(0xf7169baeu, 0x242c7806u)
#define N 32768
static uint8_t text[N], packed[N * 2], back[N];
static uint16_t head[4096];
static uint32_t seed = 12345;
static uint32_t rnd(void) { seed = seed * 1103515245u + 12345u; return seed >> 16; }
static int compress(const uint8_t *in, int n, uint8_t *out) {
  for (int i = 0; i < 4096; i++) head[i] = 0xffff;
  int o = 0, i = 0;
  while (i < n) {
    int best = 0, dist = 0;
    if (i + 3 <= n) {
      unsigned h = ((in[i] << 4) ^ (in[i + 1] << 2) ^ in[i + 2]) & 4095;
      int cand = head[h];
      head[h] = (uint16_t)i;
      if (cand != 0xffff && i - cand < 65535) {
        int l = 0;
        while (i + l < n && l < 255 && in[cand + l] == in[i + l]) l++;
        if (l >= 4) { best = l; dist = i - cand; }
      }
    }
    if (best) { out[o++] = 0xff; out[o++] = (uint8_t)best; out[o++] = (uint8_t)dist; out[o++] = (uint8_t)(dist >> 8); i += best; }
    else { if (in[i] == 0xff) out[o++] = 0xff, out[o++] = 0; else out[o++] = in[i]; i++; }
  }
  return o;
}
static int expand(const uint8_t *in, int n, uint8_t *out) {
  int o = 0;
  for (int i = 0; i < n;) {
    if (in[i] != 0xff) { out[o++] = in[i++]; continue; }
    int l = in[i + 1];
    if (l == 0) { out[o++] = 0xff; i += 2; continue; }
    int d = in[i + 2] | (in[i + 3] << 8);
    for (int k = 0; k < l; k++, o++) out[o] = out[o - d];
    i += 4;
  }
  return o;
}
int main(void) {
  static const char *words[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ", "lazy ", "dog ", "paravirt ", "driver ", "ring ", "\n"};
  uint32_t sum = 0;
  for (int r = 0; r < 100 * BENCH_SCALE; r++) {
    int n = 0;
    while (n < N - 16) { const char *w = words[rnd() % 12]; while (*w && n < N) text[n++] = (uint8_t)*w++; if ((rnd() & 15) == 0) text[n++] = (uint8_t)rnd(); }
    int p = compress(text, n, packed);
    int m = expand(packed, p, back);
    int same = m == n;
    for (int i = 0; same && i < n; i++) same = back[i] == text[i];
    if (!same) check("lzbench round trip", 0, 1);
    sum = sum * 33 + (uint32_t)p + (uint32_t)m;
  }
  printf("lzbench checksum %08x\n", sum);
  if (EXPECTED) check("lzbench checksum", sum, EXPECTED);
  finish("lzbench");
}
