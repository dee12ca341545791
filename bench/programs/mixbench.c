/* mixbench: a Dhrystone-like mix for pvlab's CPU benchmark (bench/cpu-bench.ts).
 * Records linked in a pool, calls through a table of function pointers, a
 * switch, string compares and copies, struct copies, multiply and divide.
 * Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#define EXPECTED BENCH_EXPECTED(0x674f4f41u, 0x40b79201u)
typedef struct rec { struct rec *next; int kind; int value; char name[24]; } rec_t;
static rec_t pool[64];
static int op_add(int a, int b) { return a + b; }
static int op_mul(int a, int b) { return a * b + 1; }
static int op_div(int a, int b) { return b ? a / b : a; }
static int op_rem(int a, int b) { return b ? a % b : b; }
static int (*const ops[4])(int, int) = {op_add, op_mul, op_div, op_rem};
static int my_strcmp(const char *a, const char *b) { while (*a && *a == *b) a++, b++; return (unsigned char)*a - (unsigned char)*b; }
static void my_strcpy(char *d, const char *s) { while ((*d++ = *s++)) {} }
static int classify(int v) {
  switch (v & 7) { case 0: return v >> 1; case 1: return v * 3; case 2: return v ^ 0x55; case 3: return -v;
  case 4: return v + 7; case 5: return v & 0xff; case 6: return v | 1; default: return v - 1; }
}
int main(void) {
  uint32_t sum = 0;
  for (int i = 0; i < 64; i++) { pool[i].next = &pool[(i * 7 + 3) & 63]; pool[i].kind = i & 3; pool[i].value = i * 37; my_strcpy(pool[i].name, (i & 1) ? "DHRYSTONE PROGRAM, SOME" : "DHRYSTONE PROGRAM, 2ND"); }
  rec_t *p = pool;
  for (int r = 0; r < 600000 * BENCH_SCALE; r++) {
    rec_t *q = p->next;
    int v = ops[p->kind](p->value, q->value | 1);
    v = classify(v + r);
    if (my_strcmp(p->name, q->name) < 0) v += 3;
    q->value = v & 0xffff;
    rec_t tmp = *p; *p = *q; *q = tmp;   /* struct copies */
    p->next = q->next == p ? q : q->next;
    sum += (uint32_t)v;
    p = p->next;
  }
  printf("mixbench checksum %08x\n", sum);
  if (EXPECTED) check("mixbench checksum", sum, EXPECTED);
  finish("mixbench");
}
