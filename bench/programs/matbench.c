/* matbench: matrix workload for pvlab's CPU benchmark (bench/cpu-bench.ts).
 * 48x48 int32 products (naive i-j-k and a transposed-B variant that must
 * agree), a fixed-point Q16.16 product, and row/column reductions.
 * Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (72 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0x2e3545fau, 0xecab222au)
#define M 48

static int32_t A[M][M], B[M][M], BT[M][M], C[M][M], D[M][M];

static uint32_t seed = 12345;
static int32_t small_rand(void) {
  seed = seed * 1664525u + 1013904223u;
  return (int32_t)(seed >> 20) - 2048;
}

static int64_t fx_mul(int32_t a, int32_t b) {
  return ((int64_t)a * b) >> 16;
}

int main(void) {
  uint32_t sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        A[i][j] = small_rand();
        B[i][j] = small_rand();
      }
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) BT[j][i] = B[i][j];
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        int32_t s = 0;
        for (int k = 0; k < M; k++) s += A[i][k] * B[k][j];
        C[i][j] = s;
      }
    for (int i = 0; i < M; i++)
      for (int j = 0; j < M; j++) {
        int32_t s = 0;
        const int32_t *a = A[i], *b = BT[j];
        for (int k = 0; k < M; k++) s += a[k] * b[k];
        D[i][j] = s;
        if (s != C[i][j]) check_failures++;
      }
    /* Q16.16: scale A by 1.5 in fixed point, multiply a row band. */
    for (int i = 0; i < 8; i++)
      for (int j = 0; j < M; j++) {
        int64_t s = 0;
        for (int k = 0; k < M; k++) s += fx_mul(A[i][k] << 8, 0x18000) * B[k][j];
        D[i][j] = (int32_t)(s >> 8);
      }
    for (int i = 0; i < M; i++) {
      uint32_t row = 0, col = 0;
      for (int j = 0; j < M; j++) {
        row += (uint32_t)C[i][j];
        col ^= (uint32_t)D[j][i] * (uint32_t)(j + 1);
      }
      sum = (sum * 33) ^ row ^ (col << 1);
    }
  }
  printf("matbench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 72 * BENCH_SCALE) check("matbench checksum", sum, EXPECTED);
  finish("matbench");
}
