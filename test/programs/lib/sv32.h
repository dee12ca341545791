/*
 * Sv32 helpers for the paging programs: PTE construction, enabling
 * translation, and an "operation runner" that performs one load, store or
 * call at a virtual address in a chosen privilege mode and reports either the
 * value or the trap it caused.
 */
#ifndef PVRT_SV32_H
#define PVRT_SV32_H

#include "pvrt.h"

#define PTE_V (1u << 0)
#define PTE_R (1u << 1)
#define PTE_W (1u << 2)
#define PTE_X (1u << 3)
#define PTE_U (1u << 4)
#define PTE_G (1u << 5)
#define PTE_A (1u << 6)
#define PTE_D (1u << 7)

#define SATP_SV32 0x80000000u
#define PAGE 4096u
#define MEGAPAGE 0x400000u

typedef uint32_t pte_t;

static inline pte_t make_pte(uint32_t pa, uint32_t flags) { return ((pa >> 12) << 10) | flags; }
static inline uint32_t vpn1(uint32_t va) { return va >> 22; }
static inline uint32_t vpn0(uint32_t va) { return (va >> 12) & 0x3ffu; }

static inline void paging_on(const pte_t *root) {
  csr_write(satp, SATP_SV32 | ((uint32_t)(uintptr_t)root >> 12));
  __asm__ volatile("sfence.vma" ::: "memory");
}

static inline void paging_off(void) {
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
}

/* Identity megapages for everything the runtime touches: the finisher
 * (megapage 0), the CLINT, the UART, and the first 8 MiB of RAM. */
static inline void map_runtime(pte_t *root, uint32_t ram_flags) {
  const uint32_t io = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
  root[vpn1(FINISHER_BASE)] = make_pte(FINISHER_BASE & ~(MEGAPAGE - 1), io);
  root[vpn1(CLINT_BASE)] = make_pte(CLINT_BASE & ~(MEGAPAGE - 1), io);
  root[vpn1(UART_BASE)] = make_pte(UART_BASE, io);
  for (uint32_t pa = 0x80000000u; pa < 0x80800000u; pa += MEGAPAGE) root[vpn1(pa)] = make_pte(pa, ram_flags);
}

/* ---- operations ----------------------------------------------------------- */
enum { OP_LOAD, OP_STORE, OP_CALL, OP_LOADB, OP_STOREB };

typedef struct sv32_op {
  uint32_t kind, va, value, result;
} sv32_op_t;

#define SV32_UNTOUCHED 0x0badc0deu

static uint32_t sv32_do_op(uint32_t arg) {
  sv32_op_t *o = (sv32_op_t *)(uintptr_t)arg;
  uint32_t v = SV32_UNTOUCHED;
  switch (o->kind) {
    case OP_LOAD: __asm__ volatile("lw %0, 0(%1)" : "+r"(v) : "r"(o->va) : "memory"); break;
    case OP_LOADB: __asm__ volatile("lbu %0, 0(%1)" : "+r"(v) : "r"(o->va) : "memory"); break;
    case OP_STORE: __asm__ volatile("sw %0, 0(%1)" :: "r"(o->value), "r"(o->va) : "memory"); v = 0; break;
    case OP_STOREB: __asm__ volatile("sb %0, 0(%1)" :: "r"(o->value), "r"(o->va) : "memory"); v = 0; break;
    case OP_CALL: v = ((uint32_t(*)(uint32_t))(uintptr_t)o->va)(o->value); break;
    default: break;
  }
  o->result = v;
  return v;
}

/* Hooks for paging faults: record, then resume after the access (or, for a
 * fetch fault, at the return address of the call that jumped there). */
static inline int sv32_resume(volatile trap_record_t *r, trap_frame_t *f) {
  if (f->cause & CAUSE_INTERRUPT) return 0;
  r->count++;
  r->cause = f->cause;
  r->epc = f->epc;
  r->tval = f->tval;
  r->status = f->status;
  if (f->cause == CAUSE_FETCH_PAGE || f->cause == CAUSE_FETCH_ACCESS) {
    f->epc = f->x[1];
    f->x[10] = SV32_UNTOUCHED;
  } else {
    f->epc += 4;
  }
  return 1;
}

static inline int sv32_m_hook(trap_frame_t *f) { return sv32_resume(&m_last_trap, f); }
static inline int sv32_s_hook(trap_frame_t *f) { return sv32_resume(&s_last_trap, f); }

static sv32_op_t sv32_op;

/* Runs one operation in `mode`; the trap (if any) lands in *rec. */
static inline uint32_t sv32_run(uint32_t mode, uint32_t kind, uint32_t va, uint32_t value) {
  sv32_op.kind = kind;
  sv32_op.va = va;
  sv32_op.value = value;
  sv32_op.result = SV32_UNTOUCHED;
  return run_in_mode(mode, sv32_do_op, (uint32_t)(uintptr_t)&sv32_op);
}

/* Expects the operation to succeed (and, for loads, to read `expect`). */
static inline void sv32_expect_ok(const char *what, const volatile trap_record_t *rec, uint32_t mode, uint32_t kind,
                                  uint32_t va, uint32_t value, uint32_t expect) {
  uint32_t before = rec->count;
  uint32_t got = sv32_run(mode, kind, va, value);
  char label[96];
  snprintf(label, sizeof label, "%s: traps", what);
  check_dec(label, (int32_t)(rec->count - before), 0);
  snprintf(label, sizeof label, "%s: result", what);
  check(label, got, expect);
}

/* Expects exactly one trap with this cause and tval = va. */
static inline void sv32_expect_fault(const char *what, const volatile trap_record_t *rec, uint32_t mode, uint32_t kind,
                                     uint32_t va, uint32_t value, uint32_t cause) {
  uint32_t before = rec->count;
  sv32_run(mode, kind, va, value);
  char label[96];
  snprintf(label, sizeof label, "%s: traps", what);
  check_dec(label, (int32_t)(rec->count - before), 1);
  snprintf(label, sizeof label, "%s: cause", what);
  check(label, rec->cause, cause);
  snprintf(label, sizeof label, "%s: tval", what);
  check(label, rec->tval, va);
}

#endif
