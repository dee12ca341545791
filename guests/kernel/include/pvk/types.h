/* pvk — the pvlab paravirtualized kernel library: basic types and helpers. */
#ifndef PVK_TYPES_H
#define PVK_TYPES_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;
typedef unsigned long size_t;
typedef unsigned long uintptr_t;
typedef long ssize_t;

#define NULL ((void *)0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))
#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12

#define barrier() __asm__ __volatile__("" ::: "memory")
/* Full fence, and the one-direction fences shared rings need (device and peer-VM visibility). */
#define mb() __asm__ __volatile__("fence rw, rw" ::: "memory")
#define wmb() __asm__ __volatile__("fence w, w" ::: "memory")
#define rmb() __asm__ __volatile__("fence r, r" ::: "memory")
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define csr_read(csr) ({ unsigned long __v; __asm__ __volatile__("csrr %0, " #csr : "=r"(__v)); __v; })
#define csr_write(csr, v) __asm__ __volatile__("csrw " #csr ", %0" ::"r"((unsigned long)(v)))
#define csr_set(csr, v) __asm__ __volatile__("csrs " #csr ", %0" ::"r"((unsigned long)(v)) : "memory")
#define csr_clear(csr, v) __asm__ __volatile__("csrc " #csr ", %0" ::"r"((unsigned long)(v)) : "memory")

#define SIE_SSIE 0x002u
#define SIE_STIE 0x020u
#define SIE_SEIE 0x200u
#define SSTATUS_SIE 0x2u

static inline u32 rd32(uintptr_t a) { return *(volatile u32 *)a; }
static inline void wr32(uintptr_t a, u32 v) { *(volatile u32 *)a = v; }
static inline u32 le16_get(const volatile void *p) { const volatile u8 *b = p; return b[0] | (b[1] << 8); }

#endif
