/* queensbench: recursion for pvlab's CPU benchmark (bench/cpu-bench.ts). Counts
 * the N-queens solutions for N = 4..9 by recursive backtracking over bit masks,
 * and computes Fibonacci numbers by naive recursion: calls, returns and stack
 * traffic. Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#define EXPECTED BENCH_EXPECTED(0x22b39da5u, 0xdbedcff2u)
static int solve(int n, int row, uint32_t cols, uint32_t d1, uint32_t d2) {
  if (row == n) return 1;
  int count = 0;
  uint32_t avail = ~(cols | d1 | d2) & ((1u << n) - 1);
  while (avail) {
    uint32_t bit = avail & -avail;
    avail ^= bit;
    count += solve(n, row + 1, cols | bit, (d1 | bit) << 1, (d2 | bit) >> 1);
  }
  return count;
}
static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
int main(void) {
  uint32_t sum = 0;
  for (int r = 0; r < 150 * BENCH_SCALE; r++) {
    for (int n = 4; n <= 9; n++) sum = sum * 31 + (uint32_t)solve(n, 0, 0, 0, 0);
    sum += fib(20 + (r & 1));
  }
  printf("queensbench checksum %08x\n", sum);
  if (EXPECTED) check("queensbench checksum", sum, EXPECTED);
  finish("queensbench");
}
