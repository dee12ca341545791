/* Tiny runtime for the hypervisor test guests (S-mode, no libc). */
#ifndef PVRT_H
#define PVRT_H
#include <pvlab/abi.h>

typedef unsigned int u32;
typedef unsigned char u8;

#define SIP_SSIP 0x2u
#define SIP_STIP 0x20u
#define csr_read(csr) ({ unsigned long __v; __asm__ __volatile__("csrr %0, " #csr : "=r"(__v)); __v; })
#define csr_write(csr, v) __asm__ __volatile__("csrw " #csr ", %0" ::"r"((unsigned long)(v)))
#define csr_set(csr, v) __asm__ __volatile__("csrs " #csr ", %0" ::"r"((unsigned long)(v)))
#define csr_clear(csr, v) __asm__ __volatile__("csrc " #csr ", %0" ::"r"((unsigned long)(v)))

struct trap_frame {
	u32 ra, t0, t1, t2, a0, a1, a2, a3, a4, a5, a6, a7, t3, t4, t5, t6;
	u32 sepc;
};

/* Called for every trap; return 1 to resume after the faulting instruction, 0 to panic. */
extern int (*trap_hook)(struct trap_frame *f, u32 scause, u32 stval);

#define SI ((volatile struct pvio_shared_info *)PVIO_SHARED_INFO_GPA)

void putc(char c);
void puts(const char *s);
void put_hex(u32 v);
void put_dec(u32 v);
void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);
unsigned long strlen(const char *s);
int strcmp(const char *a, const char *b);
void panic(const char *why) __attribute__((noreturn));
void verdict(int pass, const char *what);
u32 time_now(void);

/* Registry helpers: 0 or a negative SBI error. */
long reg_write_str(const char *path, const char *value);
long reg_write_u32(const char *path, u32 v);
/* Reads a node into buf (NUL-terminated); length or a negative SBI error. */
long reg_read_str(const char *path, char *buf, u32 len);
/* Decimal value of a node, or -1. */
long reg_read_u32(const char *path);
long reg_watch(const char *path, u32 token);
/* Drains the watch queue; returns how many events were read. */
int drain_watches(void);

/* Waits until an event port in word 0 is pending or the timer fires; returns the pending bits taken (bit 31: timer). */
#define WAIT_TIMER 0x80000000u
u32 wait_events(void);

/* Path building: out = a + b (+ c). */
char *cat3(char *out, const char *a, const char *b, const char *c);
char *u32_to_str(char *out, u32 v);
#endif

/* Enables the event and timer interrupts in sie (sstatus.SIE stays 0: guests poll after wfi). */
static inline void pvrt_init(void) { csr_set(sie, SIP_SSIP | SIP_STIP); }
