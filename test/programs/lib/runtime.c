/* pvrt runtime: UART, finisher, checks, trap dispatch, CLINT helpers. */
#include "pvrt.h"

#define UART_THR 0
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

void uart_putc(char c) {
  /* Wait for the transmit holding register like a real 16550 driver. */
  while ((MMIO8(UART_BASE + UART_LSR) & UART_LSR_THRE) == 0) {
  }
  MMIO8(UART_BASE + UART_THR) = (uint8_t)c;
}

void uart_puts(const char *s) {
  while (*s) uart_putc(*s++);
}

void exit(int code) {
  uint32_t v = code == 0 ? 0x5555u : (((uint32_t)code << 16) | 0x3333u);
  /* Drain the UART first: QEMU keeps a byte its host side could not take yet
   * (THRE set, TEMT clear) and loses it if the machine powers off before the
   * retry, which cut the last newline off a reference run under load. */
  while ((MMIO8(UART_BASE + UART_LSR) & UART_LSR_TEMT) == 0) {
  }
  MMIO32(FINISHER_BASE) = v;
  /* The finisher should have stopped the machine; never return. */
  for (;;) __asm__ volatile("wfi");
}

int check_failures;

void check(const char *what, uint32_t got, uint32_t expected) {
  if (got == expected) {
    printf("%s = 0x%08x\n", what, got);
  } else {
    check_failures++;
    printf("%s = 0x%08x MISMATCH expected 0x%08x\n", what, got, expected);
  }
}

void check_dec(const char *what, int32_t got, int32_t expected) {
  if (got == expected) {
    printf("%s = %d\n", what, got);
  } else {
    check_failures++;
    printf("%s = %d MISMATCH expected %d\n", what, got, expected);
  }
}

void check_str(const char *what, const char *got, const char *expected) {
  if (strcmp(got, expected) == 0) {
    printf("%s = \"%s\"\n", what, got);
  } else {
    check_failures++;
    printf("%s = \"%s\" MISMATCH expected \"%s\"\n", what, got, expected);
  }
}

void finish(const char *name) {
  if (check_failures == 0) {
    printf("PASS %s\n", name);
    exit(0);
  }
  printf("FAIL %s (%d failed)\n", name, check_failures);
  exit(1);
}

void dump_words(const char *label, const volatile void *addr, unsigned n) {
  const volatile uint32_t *p = (const volatile uint32_t *)addr;
  for (unsigned i = 0; i < n; i++) printf("%s+%03x: %08x\n", label, i * 4, p[i]);
}

/* ---- traps -------------------------------------------------------------- */
volatile trap_hook_t m_trap_hook;
volatile trap_hook_t s_trap_hook;

void pvrt_m_unwind(uint32_t value) __attribute__((noreturn));
void pvrt_escape_steps(void);
void m_trap_dispatch(trap_frame_t *f);
void s_trap_dispatch(trap_frame_t *f);

static int unexpected_count;

volatile trap_record_t m_last_trap;
volatile trap_record_t s_last_trap;

static int record_skip(volatile trap_record_t *r, trap_frame_t *f) {
  if (f->cause & CAUSE_INTERRUPT) return 0;
  r->count++;
  r->cause = f->cause;
  r->epc = f->epc;
  r->tval = f->tval;
  r->status = f->status;
  f->epc += 4;
  return 1;
}

int m_record_skip(trap_frame_t *f) { return record_skip(&m_last_trap, f); }
int s_record_skip(trap_frame_t *f) { return record_skip(&s_last_trap, f); }

void check_trap(const char *what, const volatile trap_record_t *r, uint32_t count_before,
                uint32_t cause, uint32_t epc, uint32_t tval) {
  char label[96];
  snprintf(label, sizeof label, "%s: traps", what);
  check_dec(label, (int32_t)(r->count - count_before), 1);
  snprintf(label, sizeof label, "%s: cause", what);
  check(label, r->cause, cause);
  /* epc is an address of this build: print it relative to the expected one. */
  snprintf(label, sizeof label, "%s: epc - expected", what);
  check(label, r->epc - epc, 0);
  snprintf(label, sizeof label, "%s: tval", what);
  check(label, r->tval, tval);
}

/* True for a trap raised by one of the escape steps of run_in_mode. */
static int is_escape(const trap_frame_t *f) {
  uint32_t steps = (uint32_t)(uintptr_t)&pvrt_escape_steps;
  return !(f->cause & CAUSE_INTERRUPT) && f->epc - steps < 12u &&
         (f->x[17] == PVRT_MAGIC_RETURN || f->x[17] == PVRT_MAGIC_FAIL);
}

void m_trap_dispatch(trap_frame_t *f) {
  uint32_t mpp = (f->status >> 11) & 3u;
  if (is_escape(f)) {
    if (f->x[17] == PVRT_MAGIC_RETURN) pvrt_m_unwind(f->x[10]);
    printf("UNEXPECTED S-TRAP scause=0x%08x sepc=0x%08x stval=0x%08x\n", f->x[10], f->x[11], f->x[12]);
    exit(3);
  }
  if (m_trap_hook && m_trap_hook(f)) return;
  /* Guard against a trap inside the report itself. */
  if (unexpected_count++ == 0)
    printf("UNEXPECTED M-TRAP mcause=0x%08x mepc=0x%08x mtval=0x%08x mpp=%u\n", f->cause, f->epc, f->tval, mpp);
  exit(3);
}

void s_trap_dispatch(trap_frame_t *f) {
  if (is_escape(f)) {
    /* An escape step was delegated to S: let the next step try. */
    f->epc += 4;
    return;
  }
  if (s_trap_hook && s_trap_hook(f)) return;
  /* S-mode may not reach the UART (paging); report through M instead by
   * running the escape sequence in S-mode with the failure marker. */
  f->x[10] = f->cause;
  f->x[11] = f->epc;
  f->x[12] = f->tval;
  f->x[17] = PVRT_MAGIC_FAIL;
  f->epc = (uint32_t)(uintptr_t)&pvrt_escape_steps;
  f->status |= MSTATUS_SPP;
}

/* ---- CLINT -------------------------------------------------------------- */
uint64_t clint_mtime(void) {
  uint32_t hi, lo, hi2;
  do {
    hi = MMIO32(CLINT_MTIME + 4);
    lo = MMIO32(CLINT_MTIME);
    hi2 = MMIO32(CLINT_MTIME + 4);
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

void clint_set_mtimecmp(uint64_t when) {
  /* Raise the high word first so no intermediate value is in the past. */
  MMIO32(CLINT_MTIMECMP + 4) = 0xffffffffu;
  MMIO32(CLINT_MTIMECMP) = (uint32_t)when;
  MMIO32(CLINT_MTIMECMP + 4) = (uint32_t)(when >> 32);
}
