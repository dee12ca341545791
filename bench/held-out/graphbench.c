/* graphbench: a held-out workload for `npm run bench` (docs/performance.md). A
 * random sparse graph in compressed adjacency arrays; breadth-first search from
 * many sources, and Dijkstra's shortest paths with a binary heap: index chasing,
 * data-dependent branches, a heap's swaps. Judged by comparing pvlab's output with
 * QEMU's. */
#include "pvrt.h"
#include "bench.h"

#define N 2048
#define DEG 6
static uint32_t first[N + 1], edge[N * DEG], weight[N * DEG];
static int32_t dist[N], queue[N];
static uint32_t heap[N * DEG + N], hkey[N * DEG + N];
static uint32_t seed = 7;
static uint32_t rnd(void) { return (seed = seed * 1664525u + 1013904223u) >> 8; }

static uint32_t bfs(int src) {
  for (int i = 0; i < N; i++) dist[i] = -1;
  int head = 0, tail = 0;
  dist[src] = 0;
  queue[tail++] = src;
  uint32_t far = 0;
  while (head < tail) {
    int u = queue[head++];
    for (uint32_t e = first[u]; e < first[u + 1]; e++) {
      int v = edge[e];
      if (dist[v] < 0) {
        dist[v] = dist[u] + 1;
        far += (uint32_t)dist[v];
        queue[tail++] = v;
      }
    }
  }
  return far + (uint32_t)tail;
}

static int hsize;
static void push(uint32_t key, uint32_t v) {
  int i = hsize++;
  while (i > 0) {
    int p = (i - 1) / 2;
    if (hkey[p] <= key) break;
    hkey[i] = hkey[p]; heap[i] = heap[p]; i = p;
  }
  hkey[i] = key; heap[i] = v;
}
static uint32_t pop(uint32_t *key) {
  uint32_t top = heap[0];
  *key = hkey[0];
  uint32_t k = hkey[--hsize], v = heap[hsize];
  int i = 0;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= hsize) break;
    if (c + 1 < hsize && hkey[c + 1] < hkey[c]) c++;
    if (hkey[c] >= k) break;
    hkey[i] = hkey[c]; heap[i] = heap[c]; i = c;
  }
  hkey[i] = k; heap[i] = v;
  return top;
}

static uint32_t dijkstra(int src) {
  for (int i = 0; i < N; i++) dist[i] = 0x7fffffff;
  hsize = 0;
  dist[src] = 0;
  push(0, (uint32_t)src);
  uint32_t total = 0;
  while (hsize) {
    uint32_t d;
    int u = (int)pop(&d);
    if ((int32_t)d != dist[u]) continue;
    total += d;
    for (uint32_t e = first[u]; e < first[u + 1]; e++) {
      int v = edge[e];
      int32_t nd = (int32_t)d + (int32_t)weight[e];
      if (nd < dist[v]) { dist[v] = nd; push((uint32_t)nd, (uint32_t)v); }
    }
  }
  return total;
}

int main(void) {
  for (int u = 0; u < N; u++) {
    first[u] = (uint32_t)(u * DEG);
    for (int k = 0; k < DEG; k++) {
      edge[u * DEG + k] = k == 0 ? (uint32_t)((u + 1) % N) : rnd() % N;
      weight[u * DEG + k] = 1 + rnd() % 100;
    }
  }
  first[N] = N * DEG;
  uint32_t sum = 0;
  for (int r = 0; r < 64 * BENCH_SCALE; r++) {
    for (int s = 0; s < 8; s++) sum = sum * 31 + bfs((r * 97 + s * 13) % N);
    sum = sum * 31 + dijkstra((r * 389) % N);
  }
  printf("graphbench checksum %08x\n", sum);
  finish("graphbench");
}
