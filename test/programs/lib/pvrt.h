/*
 * pvrt — the tiny bare-metal runtime shared by the pvlab test corpus.
 *
 * Programs run on the QEMU `virt` memory map (RAM at 0x80000000) in M-mode.
 * Everything a program reports goes through the ns16550a UART, so the UART
 * text is the "signature" compared between pvlab and QEMU; the SiFive test
 * finisher ends the run with an exit status.
 */
#ifndef PVRT_H
#define PVRT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- machine map ------------------------------------------------------- */
#define UART_BASE      0x10000000u
#define FINISHER_BASE  0x00100000u
#define CLINT_BASE     0x02000000u
#define CLINT_MSIP     (CLINT_BASE + 0x0000u)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000u)
#define CLINT_MTIME    (CLINT_BASE + 0xBFF8u)
#define PLIC_BASE      0x0C000000u

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))

/* ---- privilege / CSR helpers ------------------------------------------- */
#define PRV_U 0u
#define PRV_S 1u
#define PRV_M 3u

#define MSTATUS_SIE  (1u << 1)
#define MSTATUS_MIE  (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP  (1u << 8)
#define MSTATUS_MPP  (3u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MSTATUS_SUM  (1u << 18)
#define MSTATUS_MXR  (1u << 19)
#define MSTATUS_TVM  (1u << 20)
#define MSTATUS_TW   (1u << 21)
#define MSTATUS_TSR  (1u << 22)

#define MIP_SSIP (1u << 1)
#define MIP_MSIP (1u << 3)
#define MIP_STIP (1u << 5)
#define MIP_MTIP (1u << 7)
#define MIP_SEIP (1u << 9)
#define MIP_MEIP (1u << 11)

#define CAUSE_INTERRUPT 0x80000000u
enum {
  CAUSE_MISALIGNED_FETCH = 0, CAUSE_FETCH_ACCESS = 1, CAUSE_ILLEGAL = 2,
  CAUSE_BREAKPOINT = 3, CAUSE_MISALIGNED_LOAD = 4, CAUSE_LOAD_ACCESS = 5,
  CAUSE_MISALIGNED_STORE = 6, CAUSE_STORE_ACCESS = 7, CAUSE_ECALL_U = 8,
  CAUSE_ECALL_S = 9, CAUSE_ECALL_M = 11, CAUSE_FETCH_PAGE = 12,
  CAUSE_LOAD_PAGE = 13, CAUSE_STORE_PAGE = 15,
};

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ uint32_t v_; __asm__ volatile("csrr %0, " STR(csr) : "=r"(v_) :: "memory"); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " STR(csr) ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " STR(csr) ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " STR(csr) ", %0" :: "rK"((uint32_t)(val)) : "memory")
#define csr_swap(csr, val) ({ uint32_t v_; __asm__ volatile("csrrw %0, " STR(csr) ", %1" : "=r"(v_) : "rK"((uint32_t)(val)) : "memory"); v_; })

/* ---- console ------------------------------------------------------------
 * No format attribute: uint32_t is `long` on riscv-elf, and %x/%d/%u here
 * always take 32-bit values (an `l` modifier is accepted and ignored). */
void uart_putc(char c);
void uart_puts(const char *s);
int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- ending a run ------------------------------------------------------- */
/* exit(0) writes 0x5555 to the finisher; exit(n) writes (n << 16) | 0x3333. */
void exit(int code) __attribute__((noreturn));

/* ---- self-checking ------------------------------------------------------ */
extern int check_failures;
/* Prints "what = 0x........" and, on mismatch, the expected value; counts failures. */
void check(const char *what, uint32_t got, uint32_t expected);
/* Like check, but prints in decimal (signed). */
void check_dec(const char *what, int32_t got, int32_t expected);
void check_str(const char *what, const char *got, const char *expected);
/* Prints "PASS <name>" or "FAIL <name> (<n> failed)" and exits 0 / 1. */
void finish(const char *name) __attribute__((noreturn));

/* ---- signatures --------------------------------------------------------- */
/* Prints n words starting at addr as "label+off: xxxxxxxx" lines. */
void dump_words(const char *label, const volatile void *addr, unsigned n);

/* ---- traps -------------------------------------------------------------- */
typedef struct trap_frame {
  uint32_t x[32];   /* x[0] unused; x[2] is the interrupted sp */
  uint32_t epc;     /* resume address: a hook may change it */
  uint32_t cause;
  uint32_t tval;
  uint32_t status;  /* mstatus/sstatus at trap; written back before xRET */
} trap_frame_t;

/* A hook returns nonzero when it handled the trap; execution then resumes at
 * frame->epc with the (possibly edited) registers and status. When no hook is
 * set or it returns 0, the trap is reported as unexpected and the run exits 3. */
typedef int (*trap_hook_t)(trap_frame_t *f);
extern volatile trap_hook_t m_trap_hook;
extern volatile trap_hook_t s_trap_hook;

/* What a recording hook saw last (count counts traps since reset). */
typedef struct trap_record {
  uint32_t count, cause, epc, tval, status;
} trap_record_t;
extern volatile trap_record_t m_last_trap;
extern volatile trap_record_t s_last_trap;
/* Ready-made hooks: record an exception and resume after the faulting
 * instruction (epc + 4). Interrupts are left unhandled (reported). */
int m_record_skip(trap_frame_t *f);
int s_record_skip(trap_frame_t *f);
/* Checks that exactly one trap was recorded since count_before and that its
 * cause, epc and tval are the expected ones (one printed line each). */
void check_trap(const char *what, const volatile trap_record_t *r, uint32_t count_before,
                uint32_t cause, uint32_t epc, uint32_t tval);

/* Trap entry points in crt0.S (direct mode; 4-byte aligned). */
void m_trap_entry(void);
void s_trap_entry(void);

/* Runs fn(arg) in privilege `mode` (entered through mret) and returns its
 * result in M-mode. The lower mode leaves through an escape sequence (ecall,
 * then an M-only instruction, then ebreak) that M-mode recognises by a7. */
uint32_t run_in_mode(uint32_t mode, uint32_t (*fn)(uint32_t), uint32_t arg);

/* Marker placed in a7 by the escape sequence (not used by any test). */
#define PVRT_MAGIC_RETURN 0x5AFE0001u
#define PVRT_MAGIC_FAIL   0x5AFE0002u

/* ---- small libc --------------------------------------------------------- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strchr(const char *s, int c);

/* ---- CLINT -------------------------------------------------------------- */
uint64_t clint_mtime(void);
void clint_set_mtimecmp(uint64_t when);

#endif
