/* Workload: strings and memory routines. The runtime's mem and str
 * functions on aligned, unaligned and overlapping buffers, plus local
 * string code (reverse, integer conversion both ways, tokenising, a word
 * histogram) with expected results written out by hand. */
#include "pvrt.h"

static char buf[256], buf2[256];

static void reverse(char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < n / 2; i++) {
    char t = s[i];
    s[i] = s[n - 1 - i];
    s[n - 1 - i] = t;
  }
}

static int32_t parse_int(const char *s) {
  int neg = 0;
  uint32_t v = 0;
  while (*s == ' ') s++;
  if (*s == '-' || *s == '+') neg = *s++ == '-';
  while (*s >= '0' && *s <= '9') v = v * 10u + (uint32_t)(*s++ - '0');
  return neg ? (int32_t)(0u - v) : (int32_t)v;
}

static char *format_int(char *out, int32_t x) {
  char tmp[12];
  int n = 0;
  uint32_t v = x < 0 ? 0u - (uint32_t)x : (uint32_t)x;
  do tmp[n++] = (char)('0' + v % 10u); while ((v /= 10u) != 0);
  char *p = out;
  if (x < 0) *p++ = '-';
  while (n) *p++ = tmp[--n];
  *p = '\0';
  return out;
}

static void test_mem(void) {
  for (int i = 0; i < 64; i++) buf[i] = (char)('A' + i % 26);
  memcpy(buf2 + 3, buf + 1, 40); /* both unaligned */
  check("memcpy unaligned", memcmp(buf2 + 3, buf + 1, 40) == 0, 1);
  memcpy(buf2, buf, 64); /* aligned word path */
  check("memcpy aligned", memcmp(buf2, buf, 64) == 0, 1);
  memmove(buf + 2, buf, 10); /* overlap, forward */
  buf[12] = '\0';
  check_str("memmove forward overlap", buf, "ABABCDEFGHIJ");
  memcpy(buf, "0123456789", 11);
  memmove(buf, buf + 3, 8); /* overlap, backward */
  check_str("memmove backward overlap", buf, "3456789");
  memset(buf, 'z', 5);
  buf[5] = '\0';
  check_str("memset", buf, "zzzzz");
  check("memcmp less", memcmp("abc", "abd", 3) < 0, 1);
  check("memcmp high byte unsigned", memcmp("\x80", "\x01", 1) > 0, 1);
}

static void test_str(void) {
  check_dec("strlen", (int32_t)strlen("hello, world"), 12);
  check_dec("strlen empty", (int32_t)strlen(""), 0);
  check("strcmp equal", strcmp("pvlab", "pvlab") == 0, 1);
  check("strcmp prefix", strcmp("pv", "pvlab") < 0, 1);
  check("strncmp first 3", strncmp("risc-v", "risky", 3) == 0, 1);
  check("strncmp first 4", strncmp("risc-v", "risky", 4) < 0, 1);
  strcpy(buf, "paravirt");
  check_str("strcpy", buf, "paravirt");
  check_dec("strchr offset", (int32_t)(strchr(buf, 'v') - buf), 4);
  check("strchr missing", strchr(buf, 'q') == NULL, 1);
  check("strchr NUL", strchr(buf, '\0') == buf + 8, 1);
  reverse(buf);
  check_str("reverse", buf, "trivarap");
}

static void test_numbers(void) {
  check_dec("parse 12345", parse_int("12345"), 12345);
  check_dec("parse -2147483648", parse_int(" -2147483648"), (int32_t)0x80000000);
  check_dec("parse +7", parse_int("+7"), 7);
  check_str("format INT_MIN", format_int(buf, (int32_t)0x80000000), "-2147483648");
  check_str("format 0", format_int(buf, 0), "0");
  check_str("format 2147483647", format_int(buf, 0x7fffffff), "2147483647");
  uint32_t bad = 0;
  for (int32_t x = -100000; x <= 100000; x += 37)
    if (parse_int(format_int(buf, x)) != x) bad++;
  check_dec("format/parse round trips failing", (int32_t)bad, 0);
}

static const char text[] =
    "the hypervisor restarts the driver vm and the client vm keeps running "
    "while the driver comes back in its initial state the client resubmits "
    "the requests that were in flight";

static void test_words(void) {
  static char words[40][16];
  static int counts[40];
  int nwords = 0, total = 0;
  const char *p = text;
  while (*p) {
    while (*p == ' ') p++;
    if (!*p) break;
    char w[16];
    int n = 0;
    while (*p && *p != ' ' && n < 15) w[n++] = *p++;
    w[n] = '\0';
    total++;
    int i = 0;
    while (i < nwords && strcmp(words[i], w) != 0) i++;
    if (i == nwords) strcpy(words[nwords++], w);
    counts[i]++;
  }
  check_dec("words", total, 30);
  check_dec("distinct words", nwords, 21);
  int best = 0;
  for (int i = 1; i < nwords; i++)
    if (counts[i] > counts[best]) best = i;
  check_str("most frequent", words[best], "the");
  check_dec("  count", counts[best], 6);
}

int main(void) {
  test_mem();
  test_str();
  test_numbers();
  test_words();
  finish("strings");
}
