/*
 * pvk entry and trap vector.
 *
 * The hypervisor enters here in S-mode on vCPU 0 with a0 = hart id and
 * a1 = guest-physical address of the DTB (docs/devicetree.md). Secondary
 * vCPUs are never started by pvk (single-vCPU kernel).
 *
 * Traps: sscratch always holds the top of a dedicated trap stack, so an
 * exception caused by a corrupted sp still reaches the C handler, which
 * reports it through SBI SRST (a fault of this VM, never a silent hang).
 */
#include <pvlab/abi.h>

#define FRAME_WORDS 34

	.section .text.start, "ax"
	.globl _start
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	sp, __stack_top
	la	t0, __trap_stack_top
	csrw	sscratch, t0
	la	t0, trap_entry
	csrw	stvec, t0
	csrw	sie, zero
	csrci	sstatus, 2		/* SIE = 0: interrupts only wake wfi */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sw	zero, 0(t0)
	addi	t0, t0, 4
	j	1b
2:	call	pvk_start		/* (hartid, dtb); does not return */
	li	a7, SBI_EXT_SRST
	li	a6, SBI_SRST_SYSTEM_RESET
	li	a0, SBI_SRST_TYPE_SHUTDOWN
	li	a1, SBI_SRST_REASON_SYSTEM_FAILURE
	ecall
3:	wfi
	j	3b

	.balign 4
	.globl trap_entry
trap_entry:
	csrrw	sp, sscratch, sp	/* sp = trap stack, sscratch = interrupted sp */
	addi	sp, sp, -(FRAME_WORDS * 4)
	sw	x1, 4(sp)
	sw	x3, 12(sp)
	sw	x4, 16(sp)
	sw	x5, 20(sp)
	sw	x6, 24(sp)
	sw	x7, 28(sp)
	sw	x8, 32(sp)
	sw	x9, 36(sp)
	sw	x10, 40(sp)
	sw	x11, 44(sp)
	sw	x12, 48(sp)
	sw	x13, 52(sp)
	sw	x14, 56(sp)
	sw	x15, 60(sp)
	sw	x16, 64(sp)
	sw	x17, 68(sp)
	sw	x18, 72(sp)
	sw	x19, 76(sp)
	sw	x20, 80(sp)
	sw	x21, 84(sp)
	sw	x22, 88(sp)
	sw	x23, 92(sp)
	sw	x24, 96(sp)
	sw	x25, 100(sp)
	sw	x26, 104(sp)
	sw	x27, 108(sp)
	sw	x28, 112(sp)
	sw	x29, 116(sp)
	sw	x30, 120(sp)
	sw	x31, 124(sp)
	csrr	t0, sscratch
	sw	t0, 8(sp)		/* the interrupted sp */
	csrr	t0, sepc
	sw	t0, 128(sp)
	addi	t0, sp, FRAME_WORDS * 4
	csrw	sscratch, t0		/* a nested trap gets a fresh frame */
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	mv	a0, sp
	call	trap_handler		/* returns only for interrupts */
	lw	t0, 128(sp)
	csrw	sepc, t0
	lw	x1, 4(sp)
	lw	x3, 12(sp)
	lw	x4, 16(sp)
	lw	x5, 20(sp)
	lw	x6, 24(sp)
	lw	x7, 28(sp)
	lw	x8, 32(sp)
	lw	x9, 36(sp)
	lw	x10, 40(sp)
	lw	x11, 44(sp)
	lw	x12, 48(sp)
	lw	x13, 52(sp)
	lw	x14, 56(sp)
	lw	x15, 60(sp)
	lw	x16, 64(sp)
	lw	x17, 68(sp)
	lw	x18, 72(sp)
	lw	x19, 76(sp)
	lw	x20, 80(sp)
	lw	x21, 84(sp)
	lw	x22, 88(sp)
	lw	x23, 92(sp)
	lw	x24, 96(sp)
	lw	x25, 100(sp)
	lw	x26, 104(sp)
	lw	x27, 108(sp)
	lw	x28, 112(sp)
	lw	x29, 116(sp)
	lw	x30, 120(sp)
	lw	x31, 124(sp)
	lw	sp, 8(sp)
	sret
