/* Workload: the runtime's printf. snprintf results compared with expected
 * strings (every conversion, flags, widths, INT_MIN, truncation and the
 * returned length), then a long formatted table streamed to the UART. */
#include "pvrt.h"

static char out[128];

#define T(expect, ...) do { \
    int n_ = snprintf(out, sizeof out, __VA_ARGS__); \
    check_str(#__VA_ARGS__, out, expect); \
    if (n_ != (int)strlen(expect)) { check_dec("  returned length", n_, (int32_t)strlen(expect)); } \
  } while (0)

static void test_formats(void) {
  T("42", "%d", 42);
  T("-2147483648", "%d", (int32_t)0x80000000);
  T("2147483647", "%i", 0x7fffffff);
  T("4294967295", "%u", 0xffffffffu);
  T("0", "%u", 0u);
  T("deadbeef", "%x", 0xdeadbeefu);
  T("DEADBEEF", "%X", 0xdeadbeefu);
  T("0", "%x", 0u);
  T("00000abc", "%08x", 0xabcu);
  T("12345678", "%08x", 0x12345678u);
  T("123456789", "%05u", 123456789u);
  T("   42", "%5d", 42);
  T("42   |", "%-5d|", 42);
  T("-0042", "%05d", -42);
  T("  -42", "%5d", -42);
  T("x", "%c", 'x');
  T("[  ab]", "[%4s]", "ab");
  T("[ab  ]", "[%-4s]", "ab");
  T("[abcdef]", "[%3s]", "abcdef");
  T("(null)", "%s", (const char *)0);
  T("100%", "%d%%", 100);
  T("0x80001000", "%p", (void *)0x80001000u);
  T("a=1 b=-2 c=ff d=str e=Z", "a=%d b=%d c=%x d=%s e=%c", 1, -2, 0xffu, "str", 'Z');
  T("%q", "%q");
}

static void test_truncation(void) {
  char small[5];
  int n = snprintf(small, sizeof small, "hello world");
  check_str("truncated", small, "hell");
  check_dec("  would-be length", n, 11);
  n = snprintf(small, 1, "%d", 12345);
  check_str("size 1", small, "");
  check_dec("  would-be length", n, 5);
}

static void stream_table(void) {
  uint32_t h = 0;
  for (int i = 0; i < 64; i++) {
    int32_t v = (int32_t)((uint32_t)i * 2654435761u);
    printf("%3d %11d %10u %08x %-6s|%c\n", i, v, (uint32_t)v, (uint32_t)v, (i & 1) ? "odd" : "even", 'a' + i % 26);
    h = h * 33u + (uint32_t)v;
  }
  printf("table hash %08x\n", h);
}

int main(void) {
  test_formats();
  test_truncation();
  stream_table();
  finish("printf_stress");
}
