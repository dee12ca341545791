/* Workload: integer linear algebra. 24x24 matrix products checked by the
 * identities A*I = A and (A*B)^T = B^T*A^T, Q16.16 fixed-point products,
 * and an exact determinant by fraction-free (Bareiss) elimination in 64-bit
 * arithmetic (exercising libgcc's 64-bit division). */
#include "pvrt.h"

#define N 24
typedef int32_t mat_t[N][N];

static mat_t A, B, C, D, At, Bt, I;
static uint32_t seed = 2024;

static int32_t rnd(int range) {
  seed = seed * 1103515245u + 12345u;
  return (int32_t)((seed >> 8) % (uint32_t)(2 * range + 1)) - range;
}

static void mul(mat_t r, mat_t x, mat_t y) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      int32_t s = 0;
      for (int k = 0; k < N; k++) s += x[i][k] * y[k][j];
      r[i][j] = s;
    }
}

static void transpose(mat_t r, mat_t x) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) r[j][i] = x[i][j];
}

static int equal(mat_t x, mat_t y) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++)
      if (x[i][j] != y[i][j]) return 0;
  return 1;
}

static uint32_t digest(mat_t x) {
  uint32_t h = 0;
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) h = h * 31u + (uint32_t)x[i][j];
  return h;
}

/* Exact determinant of a small integer matrix (Bareiss). */
static int64_t det(const int32_t *m, int n) {
  int64_t a[8][8];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) a[i][j] = m[i * n + j];
  int64_t prev = 1, sign = 1;
  for (int k = 0; k < n - 1; k++) {
    if (a[k][k] == 0) {
      int p = k + 1;
      while (p < n && a[p][k] == 0) p++;
      if (p == n) return 0;
      for (int j = 0; j < n; j++) {
        int64_t t = a[k][j];
        a[k][j] = a[p][j];
        a[p][j] = t;
      }
      sign = -sign;
    }
    for (int i = k + 1; i < n; i++)
      for (int j = k + 1; j < n; j++) a[i][j] = (a[i][j] * a[k][k] - a[i][k] * a[k][j]) / prev;
    prev = a[k][k];
  }
  return sign * a[n - 1][n - 1];
}

static int32_t qmul(int32_t x, int32_t y) { return (int32_t)(((int64_t)x * y) >> 16); }

int main(void) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      A[i][j] = rnd(1000);
      B[i][j] = rnd(1000);
      I[i][j] = i == j;
    }
  mul(C, A, I);
  check("A*I == A", equal(C, A), 1);
  mul(C, I, B);
  check("I*B == B", equal(C, B), 1);
  mul(C, A, B);
  transpose(At, A);
  transpose(Bt, B);
  mul(D, Bt, At);
  transpose(A, C); /* reuse A as (A*B)^T */
  check("(A*B)^T == B^T*A^T", equal(A, D), 1);
  printf("digest(A*B) = %08x C[0][0]=%d C[23][23]=%d\n", digest(C), C[0][0], C[N - 1][N - 1]);

  check("Q16 1.5*2.25", (uint32_t)qmul(0x18000, 0x24000), 0x36000);
  check("Q16 -1.5*2.25", (uint32_t)qmul(-0x18000, 0x24000), (uint32_t)-0x36000);
  check("Q16 0.5*0.5", (uint32_t)qmul(0x8000, 0x8000), 0x4000);

  static const int32_t m3[9] = {2, -3, 1, 2, 0, -1, 1, 4, 5};
  check_dec("det 3x3", (int32_t)det(m3, 3), 49);
  static const int32_t m4[16] = {3, 2, 0, 1, 4, 0, 1, 2, 3, 0, 2, 1, 9, 2, 3, 1};
  check_dec("det 4x4", (int32_t)det(m4, 4), 24);
  int32_t big[64];
  for (int i = 0; i < 64; i++) big[i] = rnd(5); /* small enough for exact int64 */
  int64_t d8 = det(big, 8);
  int64_t d8t;
  {
    int32_t t[64];
    for (int i = 0; i < 8; i++)
      for (int j = 0; j < 8; j++) t[j * 8 + i] = big[i * 8 + j];
    d8t = det(t, 8);
  }
  check("det 8x8 == det of transpose", d8 == d8t, 1);
  printf("det 8x8 = %d (high word %x)\n", (int32_t)d8, (uint32_t)((uint64_t)d8 >> 32));
  int64_t q = (int64_t)0x7123456789abcdefLL / -12345, r = (int64_t)0x7123456789abcdefLL % -12345;
  check("64-bit div (hi)", (uint32_t)((uint64_t)q >> 32), 0xfffda762);
  check("64-bit div (lo)", (uint32_t)q, 0x7399312c);
  check_dec("64-bit rem", (int32_t)r, 187);
  finish("matmul");
}
