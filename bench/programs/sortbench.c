/* sortbench: sorting workload for pvlab's CPU benchmark (bench/cpu-bench.ts).
 * Quicksort, heapsort, shellsort and a bottom-up merge sort of pseudo-random
 * 32-bit keys, each result verified sorted and folded into a checksum.
 * Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (90 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0x58fa8d45u, 0xeae62e45u)
#define N 2048

static int32_t src[N], a[N], tmp[N];
static uint32_t seed = 0x2545f491u;

static uint32_t next_rand(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

static void quick(int32_t *v, int lo, int hi) {
  while (lo < hi) {
    int32_t pivot = v[(lo + hi) >> 1];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        int32_t t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    /* Recurse into the smaller side, loop on the larger. */
    if (j - lo < hi - i) {
      quick(v, lo, j);
      lo = i;
    } else {
      quick(v, i, hi);
      hi = j;
    }
  }
}

static void sift(int32_t *v, int root, int n) {
  for (;;) {
    int child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && v[child + 1] > v[child]) child++;
    if (v[root] >= v[child]) return;
    int32_t t = v[root];
    v[root] = v[child];
    v[child] = t;
    root = child;
  }
}

static void heap(int32_t *v, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift(v, i, n);
  for (int end = n - 1; end > 0; end--) {
    int32_t t = v[0];
    v[0] = v[end];
    v[end] = t;
    sift(v, 0, end);
  }
}

static void shell(int32_t *v, int n) {
  static const int gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
  for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
    int gap = gaps[g];
    for (int i = gap; i < n; i++) {
      int32_t t = v[i];
      int j = i;
      for (; j >= gap && v[j - gap] > t; j -= gap) v[j] = v[j - gap];
      v[j] = t;
    }
  }
}

static void merge(int32_t *v, int n) {
  for (int width = 1; width < n; width *= 2) {
    for (int lo = 0; lo < n; lo += 2 * width) {
      int mid = lo + width < n ? lo + width : n;
      int hi = lo + 2 * width < n ? lo + 2 * width : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
      while (i < mid) tmp[k++] = v[i++];
      while (j < hi) tmp[k++] = v[j++];
    }
    memcpy(v, tmp, (size_t)n * sizeof v[0]);
  }
}

static uint32_t verify(const int32_t *v, int n, uint32_t sum) {
  for (int i = 0; i < n; i++) {
    if (i && v[i - 1] > v[i]) check_failures++;
    sum = (sum ^ (uint32_t)v[i]) * 16777619u;
  }
  return sum;
}

int main(void) {
  uint32_t sum = 2166136261u;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N; i++) src[i] = (int32_t)next_rand() >> (r & 7);
    memcpy(a, src, sizeof a);
    quick(a, 0, N - 1);
    sum = verify(a, N, sum);
    memcpy(a, src, sizeof a);
    heap(a, N);
    sum = verify(a, N, sum);
    memcpy(a, src, sizeof a);
    shell(a, N);
    sum = verify(a, N, sum);
    memcpy(a, src, sizeof a);
    merge(a, N);
    sum = verify(a, N, sum);
  }
  printf("sortbench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 90 * BENCH_SCALE) check("sortbench checksum", sum, EXPECTED);
  finish("sortbench");
}
