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
	.irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sw	x\n, \n * 4(sp)	/* x<n> at word n of the frame (x2 apart) */
	.endr
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
	.irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lw	x\n, \n * 4(sp)
	.endr
	lw	sp, 8(sp)
	sret
