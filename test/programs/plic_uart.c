/* Devices on the virt map: 16550 registers (LSR idle value, scratch
 * register, IIR), PLIC priority/enable/threshold registers, and a full
 * external-interrupt path: the UART's THR-empty interrupt (source 10) seen
 * as pending in the PLIC, mip.MEIP (context 0) and mip.SEIP (context 1),
 * threshold masking, claim/complete, and a taken interrupt (mcause 11). */
#include "pvrt.h"

#define UART_IER (UART_BASE + 1)
#define UART_IIR (UART_BASE + 2)
#define UART_LSR (UART_BASE + 5)
#define UART_SCR (UART_BASE + 7)
#define UART_IRQ 10u

#define PLIC_PRIORITY(src) (PLIC_BASE + 4u * (src))
#define PLIC_PENDING (PLIC_BASE + 0x1000u)
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004u + 0x1000u * (ctx))

static void test_uart_regs(void) {
  check("LSR THRE|TEMT when idle", MMIO8(UART_LSR) & 0x60, 0x60);
  MMIO8(UART_SCR) = 0xa5;
  check("scratch register", MMIO8(UART_SCR), 0xa5);
  MMIO8(UART_SCR) = 0x3c;
  check("scratch register again", MMIO8(UART_SCR), 0x3c);
  check("IIR: no interrupt pending", MMIO8(UART_IIR) & 0x0f, 0x01);
}

static void test_plic_regs(void) {
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 5;
  check("priority readback", MMIO32(PLIC_PRIORITY(UART_IRQ)), 5);
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 1;
  MMIO32(PLIC_ENABLE(0)) = 1u << UART_IRQ;
  check("enable readback (ctx 0)", MMIO32(PLIC_ENABLE(0)), 1u << UART_IRQ);
  MMIO32(PLIC_THRESHOLD(0)) = 3;
  check("threshold readback", MMIO32(PLIC_THRESHOLD(0)), 3);
  MMIO32(PLIC_THRESHOLD(0)) = 0;
  check("claim with nothing pending", MMIO32(PLIC_CLAIM(0)), 0);
  check("pending word", MMIO32(PLIC_PENDING) & (1u << UART_IRQ), 0);
}

/* Interrupt lines reach mip with an implementation-defined delay (QEMU's
 * SEIP lags an MMIO write by a few instructions): wait, boundedly, for the
 * expected state and report whether it was reached. */
static uint32_t wait_mip(uint32_t mask, uint32_t want) {
  for (int i = 0; i < 100000; i++) {
    uint32_t v = csr_read(mip) & mask;
    if (v == want) return v;
  }
  return csr_read(mip) & mask;
}

static volatile trap_record_t ext;
static volatile uint32_t claimed;

static int ext_hook(trap_frame_t *f) {
  if (f->cause != (CAUSE_INTERRUPT | 11u)) return 0;
  ext.count++;
  ext.cause = f->cause;
  claimed = MMIO32(PLIC_CLAIM(0));
  MMIO8(UART_IER) = 0; /* silence the source before completing */
  MMIO32(PLIC_CLAIM(0)) = claimed;
  return 1;
}

static void test_external(void) {
  csr_write(mie, MIP_MEIP);
  MMIO8(UART_IER) = 0x02; /* THR empty interrupt: the THR is empty now */
  wait_mip(MIP_MEIP, MIP_MEIP);
  /* QEMU raises the UART's line asynchronously: poll (bounded) rather than read once. */
  uint32_t pend = 0;
  for (int i = 0; i < 100000 && !pend; i++) pend = MMIO32(PLIC_PENDING) & (1u << UART_IRQ);
  check("PLIC pending bit for the UART", pend, 1u << UART_IRQ);
  check("mip.MEIP", csr_read(mip) & MIP_MEIP, MIP_MEIP);
  check("IIR: THR empty", MMIO8(UART_IIR) & 0x0f, 0x02);
  /* Threshold at the source's priority masks it. */
  MMIO32(PLIC_THRESHOLD(0)) = 1;
  check("MEIP with threshold = priority", wait_mip(MIP_MEIP, 0), 0);
  MMIO32(PLIC_THRESHOLD(0)) = 0;
  check("MEIP with threshold 0 again", wait_mip(MIP_MEIP, MIP_MEIP), MIP_MEIP);
  /* Context 1 (the hart's S-mode) drives SEIP. */
  /* QEMU 7.2 does not re-evaluate its outputs on an enable write (the next
   * threshold write does it), so each enable change is followed by one. */
  MMIO32(PLIC_ENABLE(1)) = 1u << UART_IRQ;
  MMIO32(PLIC_THRESHOLD(1)) = 0;
  check("mip.SEIP via context 1", wait_mip(MIP_SEIP, MIP_SEIP), MIP_SEIP);
  MMIO32(PLIC_ENABLE(1)) = 0;
  MMIO32(PLIC_THRESHOLD(1)) = 0;
  check("mip.SEIP after disabling", wait_mip(MIP_SEIP, 0), 0);
  MMIO8(UART_IER) = 0;
  /* Re-trigger and take it as an interrupt. */
  m_trap_hook = ext_hook;
  MMIO8(UART_IER) = 0x02;
  wait_mip(MIP_MEIP, MIP_MEIP);
  uint32_t after;
  __asm__ volatile("la %0, 1f\n csrsi mstatus, 8\n1: nop" : "=&r"(after) :: "memory");
  csr_clear(mstatus, MSTATUS_MIE);
  check_dec("external interrupts taken", (int32_t)ext.count, 1);
  check("  mcause", ext.cause, 0x8000000b);
  check("  claimed source", claimed, UART_IRQ);
  check("  MEIP after complete", wait_mip(MIP_MEIP, 0), 0);
  check("  claim now", MMIO32(PLIC_CLAIM(0)), 0);
  m_trap_hook = 0;
  csr_write(mie, 0);
  MMIO32(PLIC_ENABLE(0)) = 0;
}

int main(void) {
  test_uart_regs();
  test_plic_regs();
  test_external();
  finish("plic_uart");
}
