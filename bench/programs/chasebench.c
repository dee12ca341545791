/* chasebench: pointer-chasing workload for pvlab's CPU benchmark
 * (bench/cpu-bench.ts). Walks a randomly permuted cyclic list of 16-byte
 * nodes spread over 256 KiB, and inserts into / searches a binary search
 * tree of pointer-linked nodes. Self-checking: prints the checksum, then
 * PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (80 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0x5e4a4fb4u, 0xbdeacdf4u)
#define NODES 16384
#define TREE 4096

typedef struct node {
  struct node *next;
  uint32_t value;
  uint32_t pad[2];
} node_t;

typedef struct tnode {
  struct tnode *left, *right;
  uint32_t key;
  uint32_t hits;
} tnode_t;

static node_t nodes[NODES];
static uint32_t order[NODES];
static tnode_t tree[TREE];
static uint32_t rng = 0x1234567u;

static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static tnode_t *insert(tnode_t *root, tnode_t *n) {
  if (!root) return n;
  tnode_t *p = root;
  for (;;) {
    tnode_t **link = n->key < p->key ? &p->left : &p->right;
    if (!*link) {
      *link = n;
      return root;
    }
    p = *link;
  }
}

static tnode_t *search(tnode_t *p, uint32_t key) {
  while (p && p->key != key) p = key < p->key ? p->left : p->right;
  return p;
}

int main(void) {
  uint32_t sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    /* A random cyclic permutation (Sattolo's algorithm). */
    for (uint32_t i = 0; i < NODES; i++) order[i] = i;
    for (uint32_t i = NODES - 1; i > 0; i--) {
      uint32_t j = next_rand() % i;
      uint32_t t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    for (uint32_t i = 0; i < NODES; i++) {
      nodes[order[i]].next = &nodes[order[(i + 1) % NODES]];
      nodes[i].value = i * 2654435761u;
    }
    node_t *p = &nodes[0];
    for (int k = 0; k < 4 * NODES; k++) {
      sum += p->value;
      p = p->next;
    }
    sum ^= (uint32_t)(p - nodes);

    tnode_t *root = NULL;
    for (int i = 0; i < TREE; i++) {
      tree[i].left = tree[i].right = NULL;
      tree[i].key = next_rand() & 0xfffff;
      tree[i].hits = 0;
      root = insert(root, &tree[i]);
    }
    for (int i = 0; i < 2 * TREE; i++) {
      tnode_t *t = search(root, i & 1 ? tree[(uint32_t)i * 7 % TREE].key : next_rand() & 0xfffff);
      if (t) {
        t->hits++;
        sum = sum * 31 + t->key;
      }
    }
    if (!search(root, tree[TREE / 2].key)) check_failures++;
  }
  printf("chasebench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 80 * BENCH_SCALE) check("chasebench checksum", sum, EXPECTED);
  finish("chasebench");
}
