/* strbench: string workload for pvlab's CPU benchmark (bench/cpu-bench.ts).
 * Builds text from a word list, then counts words, searches substrings,
 * reverses and compares, converts numbers both ways and formats with
 * snprintf. Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (600 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0x90253604u, 0xd2097e84u)

static const char *const words[] = {
  "paravirtual", "driver", "isolation", "hypervisor", "grant", "event", "channel", "ring",
  "backend", "frontend", "restart", "fault", "register", "page", "table", "virtio",
};
#define NWORDS (sizeof words / sizeof words[0])

static char text[6000];
static char scratch[256];

static uint32_t h32(const char *s, uint32_t h) {
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static const char *find(const char *hay, const char *needle) {
  size_t n = strlen(needle);
  for (; *hay; hay++)
    if (*hay == *needle && strncmp(hay, needle, n) == 0) return hay;
  return NULL;
}

static int count_words(const char *s) {
  int n = 0, in = 0;
  for (; *s; s++) {
    int sp = *s == ' ' || *s == ',' || *s == '.';
    if (!sp && !in) n++;
    in = !sp;
  }
  return n;
}

static void reverse(char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

static int32_t parse_int(const char *s) {
  int neg = *s == '-';
  if (neg) s++;
  int32_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return neg ? -v : v;
}

int main(void) {
  uint32_t seed = 7, sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    size_t len = 0;
    while (len < sizeof text - 32) {
      seed = seed * 69069u + 1;
      const char *w = words[(seed >> 16) % NWORDS];
      size_t wl = strlen(w);
      memcpy(text + len, w, wl);
      len += wl;
      text[len++] = (seed & 0x300) == 0x300 ? ',' : ' ';
    }
    text[len] = '\0';
    sum = h32(text, sum);
    sum += (uint32_t)count_words(text);
    for (unsigned k = 0; k < NWORDS; k++) {
      const char *p = find(text, words[k]);
      sum = sum * 31 + (p ? (uint32_t)(p - text) : 0xffffu);
    }
    for (int k = 0; k < 40; k++) {
      seed = seed * 69069u + 1;
      int32_t v = (int32_t)seed >> (k & 15);
      snprintf(scratch, sizeof scratch, "%d:%x:%s", v, (uint32_t)v, words[k % NWORDS]);
      if (parse_int(scratch) != v) check_failures++;
      strcpy(scratch + 128, scratch);
      reverse(scratch + 128);
      reverse(scratch + 128);
      if (strcmp(scratch, scratch + 128) != 0) check_failures++;
      sum = h32(scratch, sum);
    }
  }
  printf("strbench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 600 * BENCH_SCALE) check("strbench checksum", sum, EXPECTED);
  finish("strbench");
}
