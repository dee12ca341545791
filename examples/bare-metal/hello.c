/*
 * pvlab bare-metal sample: prints on the ns16550a UART, sums a table and
 * counts primes, then returns 0 (the start code reports it to the test
 * finisher). Small enough to step through; the loops give the timeline
 * something to plot.
 */
#include <stdint.h>

#define UART_THR ((volatile uint8_t *)0x10000000)
#define UART_LSR ((volatile uint8_t *)0x10000005)
#define LSR_THR_EMPTY 0x20

static void putc_uart(char c) {
  while ((*UART_LSR & LSR_THR_EMPTY) == 0) {
  }
  *UART_THR = (uint8_t)c;
}

static void puts_uart(const char *s) {
  while (*s) putc_uart(*s++);
}

static void put_dec(uint32_t v) {
  char buf[11];
  int i = 0;
  do {
    buf[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i) putc_uart(buf[--i]);
}

uint32_t table[16] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3};
volatile uint32_t result;

static int is_prime(uint32_t n) {
  if (n < 2) return 0;
  for (uint32_t d = 2; d * d <= n; d++)
    if (n % d == 0) return 0;
  return 1;
}

int main(void) {
  puts_uart("hello from pvlab bare metal\n");
  uint32_t sum = 0;
  for (int i = 0; i < 16; i++) sum += table[i];
  result = sum;
  puts_uart("sum of table = ");
  put_dec(sum);
  puts_uart("\n");
  uint32_t primes = 0;
  for (uint32_t n = 0; n < 2000; n++) primes += (uint32_t)is_prime(n);
  puts_uart("primes below 2000 = ");
  put_dec(primes);
  puts_uart("\n");
  return sum == 80 && primes == 303 ? 0 : 1;
}
