/* vmbench: a small bytecode interpreter for pvlab's CPU benchmark
 * (bench/cpu-bench.ts). A stack machine with a switch dispatch runs three
 * bytecode programs: a prime sieve, Collatz lengths and a Fibonacci loop.
 * Self-checking: prints the checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (8 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0x8f12f980u, 0x042c3f00u)

enum {
  OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_SHR, OP_LT, OP_EQ,
  OP_JMP, OP_JZ, OP_JNZ, OP_DUP, OP_DROP, OP_SWAP, OP_ALOAD, OP_ASTORE, OP_INC, OP_HALT,
};

static int32_t mem[1024];
static int32_t stack[64];

static int32_t run(const int32_t *code) {
  int32_t *sp = stack;
  int pc = 0;
  for (;;) {
    int32_t op = code[pc++];
    switch (op) {
      case OP_PUSH: *sp++ = code[pc++]; break;
      case OP_LOAD: *sp++ = mem[code[pc++]]; break;
      case OP_STORE: mem[code[pc++]] = *--sp; break;
      case OP_ADD: sp--; sp[-1] += sp[0]; break;
      case OP_SUB: sp--; sp[-1] -= sp[0]; break;
      case OP_MUL: sp--; sp[-1] *= sp[0]; break;
      case OP_AND: sp--; sp[-1] &= sp[0]; break;
      case OP_SHR: sp--; sp[-1] = (int32_t)((uint32_t)sp[-1] >> sp[0]); break;
      case OP_LT: sp--; sp[-1] = sp[-1] < sp[0]; break;
      case OP_EQ: sp--; sp[-1] = sp[-1] == sp[0]; break;
      case OP_JMP: pc = code[pc]; break;
      case OP_JZ: pc = *--sp ? pc + 1 : code[pc]; break;
      case OP_JNZ: pc = *--sp ? code[pc] : pc + 1; break;
      case OP_DUP: sp[0] = sp[-1]; sp++; break;
      case OP_DROP: sp--; break;
      case OP_SWAP: { int32_t t = sp[-1]; sp[-1] = sp[-2]; sp[-2] = t; break; }
      case OP_ALOAD: sp[-1] = mem[512 + (sp[-1] & 511)]; break;
      case OP_ASTORE: sp -= 2; mem[512 + (sp[0] & 511)] = sp[1]; break;
      case OP_INC: mem[code[pc]]++; pc++; break;
      case OP_HALT: return sp > stack ? sp[-1] : 0;
      default: check_failures++; return -1;
    }
  }
}

/* Sieve of Eratosthenes below 500 in mem[512..]; returns the count of primes. */
static const int32_t sieve[] = {
  /* 0 */ OP_PUSH, 2, OP_STORE, 0,                        /* i = 2 */
  /* 4 */ OP_LOAD, 0, OP_PUSH, 500, OP_LT, OP_JZ, 21,     /* while i < 500 */
  /* 11 */ OP_LOAD, 0, OP_PUSH, 0, OP_ASTORE,             /* a[i] = 0 */
  /* 16 */ OP_INC, 0, OP_JMP, 4,
  /* 20 */ OP_HALT,
  /* 21 */ OP_PUSH, 2, OP_STORE, 0, OP_PUSH, 0, OP_STORE, 2,  /* i = 2, count = 0 */
  /* 29 */ OP_LOAD, 0, OP_PUSH, 500, OP_LT, OP_JZ, 77,
  /* 36 */ OP_LOAD, 0, OP_ALOAD, OP_JNZ, 73,              /* if a[i] continue */
  /* 41 */ OP_INC, 2,                                      /* count++ */
  /* 43 */ OP_LOAD, 0, OP_LOAD, 0, OP_ADD, OP_STORE, 1,   /* j = 2i */
  /* 50 */ OP_LOAD, 1, OP_PUSH, 500, OP_LT, OP_JZ, 73,
  /* 57 */ OP_LOAD, 1, OP_PUSH, 1, OP_ASTORE,             /* a[j] = 1 */
  /* 62 */ OP_LOAD, 1, OP_LOAD, 0, OP_ADD, OP_STORE, 1, OP_JMP, 50,
  /* 71 */ OP_HALT, OP_HALT,
  /* 73 */ OP_INC, 0, OP_JMP, 29,
  /* 77 */ OP_LOAD, 2, OP_HALT,
};

/* Sum of Collatz sequence lengths for n = 1..300. */
static const int32_t collatz[] = {
  /* 0 */ OP_PUSH, 1, OP_STORE, 0, OP_PUSH, 0, OP_STORE, 3,  /* n = 1, total = 0 */
  /* 8 */ OP_LOAD, 0, OP_PUSH, 301, OP_LT, OP_JZ, 63,
  /* 15 */ OP_LOAD, 0, OP_STORE, 1,                          /* x = n */
  /* 19 */ OP_LOAD, 1, OP_PUSH, 1, OP_EQ, OP_JNZ, 59,        /* while x != 1 */
  /* 26 */ OP_INC, 3,
  /* 28 */ OP_LOAD, 1, OP_PUSH, 1, OP_AND, OP_JZ, 50,        /* odd? */
  /* 35 */ OP_LOAD, 1, OP_PUSH, 3, OP_MUL, OP_PUSH, 1, OP_ADD, OP_STORE, 1, OP_JMP, 19,
  /* 47 */ OP_HALT, OP_HALT, OP_HALT,
  /* 50 */ OP_LOAD, 1, OP_PUSH, 1, OP_SHR, OP_STORE, 1, OP_JMP, 19,
  /* 59 */ OP_INC, 0, OP_JMP, 8,
  /* 63 */ OP_LOAD, 3, OP_HALT,
};

/* Fibonacci numbers mod 2^32, 4000 steps, with a running xor. */
static const int32_t fib[] = {
  /* 0 */ OP_PUSH, 0, OP_STORE, 0, OP_PUSH, 1, OP_STORE, 1, OP_PUSH, 0, OP_STORE, 2, OP_PUSH, 0, OP_STORE, 4,
  /* 16 */ OP_LOAD, 2, OP_PUSH, 4000, OP_LT, OP_JZ, 45,
  /* 23 */ OP_LOAD, 0, OP_LOAD, 1, OP_DUP, OP_STORE, 0, OP_ADD, OP_DUP, OP_STORE, 1,
  /* 34 */ OP_LOAD, 4, OP_ADD, OP_STORE, 4, OP_INC, 2, OP_JMP, 16,
  /* 43 */ OP_HALT, OP_HALT,
  /* 45 */ OP_LOAD, 4, OP_HALT,
};

int main(void) {
  uint32_t sum = 0;
  int32_t primes = 0, steps = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int k = 0; k < 30; k++) {
      primes = run(sieve);
      sum = sum * 31 + (uint32_t)primes;
    }
    steps = run(collatz);
    sum = sum * 31 + (uint32_t)steps;
    for (int k = 0; k < 6; k++) sum = sum * 31 + (uint32_t)run(fib);
  }
  check_dec("primes below 500", primes, 95);
  check_dec("collatz steps for 1..300", steps, 14167);
  printf("vmbench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 8 * BENCH_SCALE) check("vmbench checksum", sum, EXPECTED);
  finish("vmbench");
}
