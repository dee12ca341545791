/*
 * Test-guest entry: S-mode, a0 = hart id, a1 = DTB address (docs/hypervisor.md).
 * Sets a stack per vCPU, the trap vector (unless NO_TRAP_HANDLER), clears bss
 * on vCPU 0, calls guest_main(hartid, dtb), then shuts the VM down with SRST.
 */
#include <pvlab/abi.h>

#define FRAME 136

    .section .text.start, "ax"
    .globl _start
_start:
    la      sp, __stack_top
    slli    t0, a0, 14
    sub     sp, sp, t0
#ifndef NO_TRAP_HANDLER
    la      t0, trap_entry
    csrw    stvec, t0
#endif
    bnez    a0, 2f
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  call    guest_main
    li      a7, SBI_EXT_SRST
    li      a6, SBI_SRST_SYSTEM_RESET
    li      a0, SBI_SRST_TYPE_SHUTDOWN
    li      a1, SBI_SRST_REASON_NONE
    ecall
3:  wfi
    j       3b

/* Secondary vCPUs started with HSM enter here: a0 = hart id, a1 = opaque. */
    .globl secondary_entry
secondary_entry:
    la      sp, __stack_top
    slli    t0, a0, 14
    sub     sp, sp, t0
#ifndef NO_TRAP_HANDLER
    la      t0, trap_entry
    csrw    stvec, t0
#endif
    call    secondary_main
    li      a7, SBI_EXT_HSM
    li      a6, SBI_HSM_HART_STOP
    ecall
4:  j       4b

#ifndef NO_TRAP_HANDLER
    .balign 4
trap_entry:
    addi    sp, sp, -FRAME
    sw      ra, 0(sp)
    sw      t0, 4(sp)
    sw      t1, 8(sp)
    sw      t2, 12(sp)
    sw      a0, 16(sp)
    sw      a1, 20(sp)
    sw      a2, 24(sp)
    sw      a3, 28(sp)
    sw      a4, 32(sp)
    sw      a5, 36(sp)
    sw      a6, 40(sp)
    sw      a7, 44(sp)
    sw      t3, 48(sp)
    sw      t4, 52(sp)
    sw      t5, 56(sp)
    sw      t6, 60(sp)
    csrr    t0, sepc
    sw      t0, 64(sp)
    mv      a0, sp
    call    trap_handler
    lw      t0, 64(sp)
    csrw    sepc, t0
    lw      ra, 0(sp)
    lw      t0, 4(sp)
    lw      t1, 8(sp)
    lw      t2, 12(sp)
    lw      a0, 16(sp)
    lw      a1, 20(sp)
    lw      a2, 24(sp)
    lw      a3, 28(sp)
    lw      a4, 32(sp)
    lw      a5, 36(sp)
    lw      a6, 40(sp)
    lw      a7, 44(sp)
    lw      t3, 48(sp)
    lw      t4, 52(sp)
    lw      t5, 56(sp)
    lw      t6, 60(sp)
    addi    sp, sp, FRAME
    sret
#endif
