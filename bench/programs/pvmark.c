/* pvmark: a CPU-bound, self-checking benchmark in the style of CoreMark
 * (linked-list processing, small matrix arithmetic, a token-classifying
 * state machine, CRC-16 over all results), written for pvlab. It runs
 * roughly 300 M RV32IM instructions, prints its checksum and PASS/FAIL.
 * Build: node out/scripts/build-programs.js pvmark */
#include "pvrt.h"
#include "bench.h"

#ifndef PVMARK_ITERATIONS
#define PVMARK_ITERATIONS (3300 * BENCH_SCALE)
#endif
/* The checksum of a correct run with the default iteration count at scales 1
 * and 10 (see bench.h). */
#define PVMARK_EXPECTED BENCH_EXPECTED(0xef0fe3ebu, 0x246ba483u)

/* ---- CRC-16 (reflected 0x8408), the common currency of all kernels ---- */
static uint16_t crc16_byte(uint16_t crc, uint8_t b) {
  crc ^= b;
  for (int k = 0; k < 8; k++) crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
  return crc;
}

static uint16_t crc16_word(uint16_t crc, uint32_t w) {
  crc = crc16_byte(crc, (uint8_t)w);
  crc = crc16_byte(crc, (uint8_t)(w >> 8));
  crc = crc16_byte(crc, (uint8_t)(w >> 16));
  return crc16_byte(crc, (uint8_t)(w >> 24));
}

/* Internal consistency checks that do not depend on the checksum. */
static uint32_t invariant_failures;

/* ---- kernel 1: linked lists ------------------------------------------- */
typedef struct node {
  struct node *next;
  int16_t key;
  uint16_t value;
} node_t;

#define LIST_NODES 96
static node_t pool[LIST_NODES];

static node_t *list_build(uint32_t seed) {
  node_t *head = NULL;
  for (int i = 0; i < LIST_NODES; i++) {
    seed = seed * 1103515245u + 12345u;
    node_t *n = &pool[i];
    n->key = (int16_t)(seed >> 16);
    n->value = (uint16_t)(seed >> 3);
    /* Insert at the head or after the head, alternately. */
    if (head == NULL || (seed & 0x100)) {
      n->next = head;
      head = n;
    } else {
      n->next = head->next;
      head->next = n;
    }
  }
  return head;
}

static node_t *list_reverse(node_t *head) {
  node_t *prev = NULL;
  while (head) {
    node_t *next = head->next;
    head->next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

/* Bottom-up merge sort of a singly linked list by key (stable). */
static node_t *list_sort(node_t *head) {
  for (int width = 1;; width *= 2) {
    node_t *p = head, *tail = NULL;
    head = NULL;
    int merges = 0;
    while (p) {
      merges++;
      node_t *q = p;
      int psize = 0;
      for (int i = 0; i < width && q; i++) {
        psize++;
        q = q->next;
      }
      int qsize = width;
      while (psize > 0 || (qsize > 0 && q)) {
        node_t *e;
        if (psize == 0) {
          e = q;
          q = q->next;
          qsize--;
        } else if (qsize == 0 || !q || p->key <= q->key) {
          e = p;
          p = p->next;
          psize--;
        } else {
          e = q;
          q = q->next;
          qsize--;
        }
        if (tail) tail->next = e;
        else head = e;
        tail = e;
      }
      p = q;
    }
    tail->next = NULL;
    if (merges <= 1) return head;
  }
}

static node_t *list_find(node_t *head, int16_t key) {
  while (head && head->key != key) head = head->next;
  return head;
}

static uint16_t kernel_list(uint32_t seed, uint16_t crc) {
  node_t *head = list_build(seed);
  node_t *probe = list_find(head, pool[seed % LIST_NODES].key);
  crc = crc16_word(crc, probe ? probe->value : 0xffff);
  head = list_sort(head);
  int16_t last = -32768;
  uint32_t ordered = 1, count = 0;
  for (node_t *n = head; n; n = n->next) {
    if (n->key < last) ordered = 0;
    last = n->key;
    count++;
    crc = crc16_word(crc, (uint32_t)(uint16_t)n->key << 16 | n->value);
  }
  if (!ordered || count != LIST_NODES) invariant_failures++;
  crc = crc16_word(crc, ordered);
  head = list_reverse(head);
  crc = crc16_word(crc, (uint32_t)(uint16_t)head->key);
  crc = crc16_word(crc, list_find(head, 12345) != NULL);
  return crc;
}

/* ---- kernel 2: matrices ------------------------------------------------ */
#define MN 12
static int16_t ma[MN][MN], mb[MN][MN];
static int32_t mc[MN][MN];

static uint16_t kernel_matrix(uint32_t seed, uint16_t crc) {
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      seed = seed * 1664525u + 1013904223u;
      ma[i][j] = (int16_t)(seed >> 20) - 2048;
      mb[i][j] = (int16_t)((seed >> 8) & 0xfff) - 2048;
    }
  /* C = A * B, then C += k, then a column-wise bit-extract sum. */
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      int32_t s = 0;
      for (int k = 0; k < MN; k++) s += ma[i][k] * mb[k][j];
      mc[i][j] = s;
    }
  int32_t k = (int32_t)(seed & 0xff) - 128;
  uint32_t acc = 0;
  for (int i = 0; i < MN; i++)
    for (int j = 0; j < MN; j++) {
      mc[i][j] += k;
      acc += (uint32_t)(mc[i][j] >> 3) & 0x7ff;
      if (mc[i][j] > 0) acc ^= (uint32_t)mc[i][j] / (uint32_t)(j + 1);
      else acc -= (uint32_t)(-(mc[i][j] % (i + 3)));
    }
  return crc16_word(crc, acc);
}

/* ---- kernel 3: a state machine classifying tokens ----------------------- */
enum { S_START, S_INT, S_SIGN, S_HEX0, S_HEX, S_FRAC, S_EXP, S_EXPSIGN, S_EXPNUM, S_BAD, NSTATES };

static const char alphabet[] = "0123456789+-.eExX,abfgz ";
static char text[200];

static uint16_t kernel_state(uint32_t seed, uint16_t crc) {
  for (unsigned i = 0; i < sizeof text - 1; i++) {
    seed = seed * 22695477u + 1u;
    text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
  }
  text[sizeof text - 1] = '\0';
  uint32_t finals[NSTATES] = {0};
  uint32_t transitions = 0;
  const char *p = text;
  while (*p) {
    int s = S_START;
    while (*p && *p != ',' && *p != ' ') {
      char c = *p++;
      int digit = c >= '0' && c <= '9';
      int hex = digit || (c >= 'a' && c <= 'f');
      int prev = s;
      switch (s) {
        case S_START: s = c == '0' ? S_HEX0 : digit ? S_INT : (c == '+' || c == '-') ? S_SIGN : c == '.' ? S_FRAC : S_BAD; break;
        case S_SIGN: s = digit ? S_INT : c == '.' ? S_FRAC : S_BAD; break;
        case S_HEX0: s = (c == 'x' || c == 'X') ? S_HEX : digit ? S_INT : c == '.' ? S_FRAC : S_BAD; break;
        case S_HEX: s = hex ? S_HEX : S_BAD; break;
        case S_INT: s = digit ? S_INT : c == '.' ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_BAD; break;
        case S_FRAC: s = digit ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_BAD; break;
        case S_EXP: s = digit ? S_EXPNUM : (c == '+' || c == '-') ? S_EXPSIGN : S_BAD; break;
        case S_EXPSIGN: s = digit ? S_EXPNUM : S_BAD; break;
        case S_EXPNUM: s = digit ? S_EXPNUM : S_BAD; break;
        default: s = S_BAD; break;
      }
      if (s != prev) transitions++;
    }
    finals[s]++;
    if (*p) p++;
  }
  for (int s = 0; s < NSTATES; s++) crc = crc16_word(crc, finals[s]);
  return crc16_word(crc, transitions);
}

int main(void) {
  uint16_t crc = 0;
  uint32_t seed = 0x5eed1234u;
  for (uint32_t it = 0; it < PVMARK_ITERATIONS; it++) {
    seed = seed * 747796405u + 2891336453u + it;
    uint16_t l = kernel_list(seed, 0);
    uint16_t m = kernel_matrix(seed ^ l, 0);
    uint16_t s = kernel_state(seed + m, 0);
    for (int r = 0; r < 4; r++) s = kernel_state(seed + m + (uint32_t)r * 977u, s);
    crc = crc16_word(crc, ((uint32_t)l << 16) | m);
    crc = crc16_word(crc, s);
  }
  uint32_t checksum = ((uint32_t)crc << 16) | (uint16_t)(crc ^ PVMARK_ITERATIONS);
  printf("pvmark iterations %u checksum %08x\n", (uint32_t)PVMARK_ITERATIONS, checksum);
  check_dec("pvmark invariant failures", (int32_t)invariant_failures, 0);
  if (PVMARK_EXPECTED && PVMARK_ITERATIONS == 3300 * BENCH_SCALE) check("pvmark checksum", checksum, PVMARK_EXPECTED);
  finish("pvmark");
}
