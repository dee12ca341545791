/* amobench: atomics workload for pvlab's CPU benchmark (bench/cpu-bench.ts).
 * AMO-heavy code as a kernel runs it: a test-and-set spinlock (amoswap with
 * acquire/release), atomic counters and bitmaps (amoadd, amoor, amoand,
 * amoxor, amomax/amominu), and a compare-and-swap built from lr.w/sc.w.
 * One hart, so every lock is free and every sc succeeds; QEMU executes
 * atomics slowly, which this shows. Self-checking: checksum, then PASS/FAIL. */
#include "pvrt.h"
#include "bench.h"

#ifndef ROUNDS
#define ROUNDS (10000 * BENCH_SCALE)
#endif
#define EXPECTED BENCH_EXPECTED(0xa6543a9du, 0x5073d3e6u)
#define SLOTS 256

static volatile uint32_t lock;
static uint32_t counters[SLOTS];
static uint32_t bitmap[SLOTS / 32];
static int32_t extremes[2] = {0, -1};

static void spin_lock(volatile uint32_t *l) {
  while (__atomic_exchange_n(l, 1u, __ATOMIC_ACQUIRE)) {
  }
}

static void spin_unlock(volatile uint32_t *l) {
  __atomic_store_n(l, 0u, __ATOMIC_RELEASE);
}

/* Compare-and-swap with lr.w/sc.w; returns the value seen. */
static uint32_t cas(uint32_t *p, uint32_t expect, uint32_t desired) {
  uint32_t seen, fail;
  __asm__ volatile(
    "1: lr.w.aq %0, (%2)\n"
    "   bne %0, %3, 2f\n"
    "   sc.w.rl %1, %4, (%2)\n"
    "   bnez %1, 1b\n"
    "2:\n"
    : "=&r"(seen), "=&r"(fail)
    : "r"(p), "r"(expect), "r"(desired)
    : "memory");
  return seen;
}

static uint32_t cas_add(uint32_t *p, uint32_t d) {
  uint32_t old = *p;
  for (;;) {
    uint32_t seen = cas(p, old, old + d);
    if (seen == old) return old;
    old = seen;
  }
}

static int32_t amo_max(int32_t *p, int32_t v) {
  int32_t old;
  __asm__ volatile("amomax.w %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}

static uint32_t amo_minu(uint32_t *p, uint32_t v) {
  uint32_t old;
  __asm__ volatile("amominu.w %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");
  return old;
}

int main(void) {
  uint32_t sum = 0, x = 88172645u;
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < SLOTS; i++) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      uint32_t slot = x % SLOTS;
      spin_lock(&lock);
      counters[slot] += 1;
      spin_unlock(&lock);
      __atomic_fetch_add(&counters[(slot + 1) % SLOTS], x & 7, __ATOMIC_RELAXED);
      __atomic_fetch_or(&bitmap[slot / 32], 1u << (slot % 32), __ATOMIC_ACQ_REL);
      __atomic_fetch_xor(&bitmap[(slot + 3) / 32 % (SLOTS / 32)], x & 0xff00, __ATOMIC_RELAXED);
      __atomic_fetch_and(&bitmap[(slot + 5) / 32 % (SLOTS / 32)], ~(x & 0x10001u), __ATOMIC_RELAXED);
      amo_max(&extremes[0], (int32_t)x);
      amo_minu((uint32_t *)&extremes[1], x);
      sum += cas_add(&counters[slot], i);
    }
  }
  for (int i = 0; i < SLOTS; i++) sum = sum * 31 + counters[i];
  for (int i = 0; i < SLOTS / 32; i++) sum ^= bitmap[i];
  sum ^= (uint32_t)extremes[0] ^ (uint32_t)extremes[1];
  check("lock released", lock, 0);
  printf("amobench rounds %d checksum %08x\n", ROUNDS, sum);
  if (EXPECTED && ROUNDS == 10000 * BENCH_SCALE) check("amobench checksum", sum, EXPECTED);
  finish("amobench");
}
