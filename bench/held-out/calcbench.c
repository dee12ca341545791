/* calcbench: a held-out workload for `npm run bench` (docs/performance.md). A
 * recursive-descent parser and evaluator of integer expressions generated at run
 * time: a switch over characters, recursion, short strings. Judged by comparing
 * pvlab's output with QEMU's. */
#include "pvrt.h"
#include "bench.h"

static char text[4096];
static const char *at;
static uint32_t seed = 99;
static uint32_t rnd(void) { return (seed = seed * 1103515245u + 12345u) >> 16; }

static int gen(char *out, int depth) {
  int n = 0;
  if (depth == 0 || rnd() % 4 == 0) {
    uint32_t v = rnd() % 1000;
    char tmp[8];
    int k = 0;
    do { tmp[k++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (k) out[n++] = tmp[--k];
    return n;
  }
  switch (rnd() % 5) {
  case 0: out[n++] = '('; n += gen(out + n, depth - 1); out[n++] = ')'; return n;
  case 1: out[n++] = '-'; n += gen(out + n, depth - 1); return n;
  default: {
    static const char ops[] = "+-*/%&|^";
    n += gen(out + n, depth - 1);
    out[n++] = ' ';
    out[n++] = ops[rnd() % 8];
    out[n++] = ' ';
    n += gen(out + n, depth - 1);
    return n;
  }
  }
}

static int32_t expr(void);
static void skip(void) { while (*at == ' ') at++; }
static int32_t primary(void) {
  skip();
  char c = *at;
  if (c == '(') { at++; int32_t v = expr(); skip(); at++; return v; }
  if (c == '-') { at++; return -primary(); }
  int32_t v = 0;
  while (*at >= '0' && *at <= '9') v = v * 10 + (*at++ - '0');
  return v;
}
static int32_t term(void) {
  int32_t v = primary();
  for (;;) {
    skip();
    char c = *at;
    if (c != '*' && c != '/' && c != '%') return v;
    at++;
    int32_t r = primary();
    switch (c) {
    case '*': v *= r; break;
    case '/': v = r ? v / r : 0; break;
    default: v = r ? v % r : 0; break;
    }
  }
}
static int32_t expr(void) {
  int32_t v = term();
  for (;;) {
    skip();
    char c = *at;
    switch (c) {
    case '+': at++; v += term(); break;
    case '-': at++; v -= term(); break;
    case '&': at++; v &= term(); break;
    case '|': at++; v |= term(); break;
    case '^': at++; v ^= term(); break;
    default: return v;
    }
  }
}

int main(void) {
  uint32_t sum = 0, chars = 0;
  for (int r = 0; r < 30000 * BENCH_SCALE; r++) {
    int n = gen(text, 7);
    text[n] = 0;
    chars += (uint32_t)n;
    for (int k = 0; k < 4; k++) {
      at = text;
      sum = sum * 31 + (uint32_t)expr();
    }
  }
  printf("calcbench checksum %08x over %u characters\n", sum, chars);
  finish("calcbench");
}
