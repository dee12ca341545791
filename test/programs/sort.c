/* Workload: sorting. 3000 pseudo-random signed integers sorted by insertion
 * sort, quicksort, merge sort and heap sort; every result must be ordered,
 * a permutation of the input, and identical to the others. */
#include "pvrt.h"

#define N 3000

static int32_t input[N], a[N], b[N], c[N], d[N], tmp[N];
static uint32_t seed = 12345;

static uint32_t rnd(void) {
  seed = seed * 1664525u + 1013904223u;
  return seed;
}

static void insertion(int32_t *v, int n) {
  for (int i = 1; i < n; i++) {
    int32_t x = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > x) {
      v[j + 1] = v[j];
      j--;
    }
    v[j + 1] = x;
  }
}

static void quick(int32_t *v, int lo, int hi) {
  while (hi - lo > 16) {
    int32_t p = v[lo + (hi - lo) / 2];
    int i = lo, j = hi;
    while (i <= j) {
      while (v[i] < p) i++;
      while (v[j] > p) j--;
      if (i <= j) {
        int32_t t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    /* Recurse on the smaller side to bound the stack. */
    if (j - lo < hi - i) {
      quick(v, lo, j);
      lo = i;
    } else {
      quick(v, i, hi);
      hi = j;
    }
  }
  insertion(v + lo, hi - lo + 1);
}

static void merge_sort(int32_t *v, int n) {
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

static void heap_sort(int32_t *v, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift(v, i, n);
  for (int end = n - 1; end > 0; end--) {
    int32_t t = v[0];
    v[0] = v[end];
    v[end] = t;
    sift(v, 0, end);
  }
}

static int sorted(const int32_t *v, int n) {
  for (int i = 1; i < n; i++)
    if (v[i - 1] > v[i]) return 0;
  return 1;
}

static uint32_t fingerprint(const int32_t *v, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ (uint32_t)v[i]) * 16777619u;
  return h;
}

int main(void) {
  uint32_t sum = 0, x = 0;
  for (int i = 0; i < N; i++) {
    input[i] = (int32_t)rnd() >> (rnd() % 20); /* many magnitudes, both signs */
    if (i % 97 == 0) input[i] = input[i / 2];   /* duplicates */
    sum += (uint32_t)input[i];
    x ^= (uint32_t)input[i];
  }
  memcpy(a, input, sizeof a);
  memcpy(b, input, sizeof b);
  memcpy(c, input, sizeof c);
  memcpy(d, input, sizeof d);
  insertion(a, N);
  quick(b, 0, N - 1);
  merge_sort(c, N);
  heap_sort(d, N);
  check("insertion sorted", sorted(a, N), 1);
  check("quick sorted", sorted(b, N), 1);
  check("merge sorted", sorted(c, N), 1);
  check("heap sorted", sorted(d, N), 1);
  uint32_t s2 = 0, x2 = 0;
  for (int i = 0; i < N; i++) {
    s2 += (uint32_t)a[i];
    x2 ^= (uint32_t)a[i];
  }
  check("sum preserved", s2, sum);
  check("xor preserved", x2, x);
  uint32_t fa = fingerprint(a, N);
  check("quick == insertion", fingerprint(b, N), fa);
  check("merge == insertion", fingerprint(c, N), fa);
  check("heap == insertion", fingerprint(d, N), fa);
  printf("min %d median %d max %d fingerprint %08x\n", a[0], a[N / 2], a[N - 1], fa);
  finish("sort");
}
