/*
 * pvrt start-up code: hart 0 only, stack, bss, trap vectors, and the
 * run_in_mode/escape trampolines used to visit S- and U-mode.
 *
 * QEMU `virt` with `-bios none` jumps to the start of RAM (not to the ELF
 * entry), so _start is placed first in .text.init at 0x80000000.
 */
#define FRAME_SIZE 144
#define F_EPC    128
#define F_CAUSE  132
#define F_TVAL   136
#define F_STATUS 140
#define MAGIC_RETURN 0x5AFE0001

    .file   "crt0.S"            /* a fixed FILE symbol keeps builds reproducible */
    .section .text.init, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top

    /* QEMU denies S/U accesses when no PMP entry matches: open one NAPOT
     * entry over the whole address space. A machine without PMP may trap
     * on these writes; the temporary vector just skips them. */
    la      t0, 1f
    csrw    mtvec, t0
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f            /* NAPOT | X | W | R */
    csrw    pmpcfg0, t0
    .balign 4
1:
    la      t0, m_trap_entry
    csrw    mtvec, t0
    csrw    mie, zero
    csrw    mideleg, zero
    csrw    medeleg, zero
    csrw    satp, zero
    csrw    mscratch, zero
    csrw    mstatus, zero       /* the PMP probe above may have trapped */
    /* mtimecmp resets to 0 on QEMU (timer pending at once): park it at the
     * far future so every program starts with MTIP clear. */
    li      t0, 0x02004000
    li      t1, -1
    sw      t1, 4(t0)
    sw      t1, 0(t0)

    la      t0, __bss_start
    la      t1, __bss_end
2:  bgeu    t0, t1, 3f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       2b
3:
    call    main
    call    exit
park:
    wfi
    j       park

/* ---- trap entries --------------------------------------------------------
 * Both push a trap_frame on the interrupted stack, call the C dispatcher and
 * restore everything (epc and status from the frame, so hooks can edit them).
 */
.macro SAVE_REGS
    addi    sp, sp, -FRAME_SIZE
    .irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    sw      x\n, \n * 4(sp)
    .endr
    addi    t0, sp, FRAME_SIZE
    sw      t0, 8(sp)
.endm

.macro RESTORE_REGS
    .irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
    lw      x\n, \n * 4(sp)
    .endr
    lw      x2, 8(sp)
.endm

    .text
    .balign 64
    .globl m_trap_entry
m_trap_entry:
    SAVE_REGS
    csrr    t0, mepc
    sw      t0, F_EPC(sp)
    csrr    t0, mcause
    sw      t0, F_CAUSE(sp)
    csrr    t0, mtval
    sw      t0, F_TVAL(sp)
    csrr    t0, mstatus
    sw      t0, F_STATUS(sp)
    mv      a0, sp
    call    m_trap_dispatch
    lw      t0, F_EPC(sp)
    csrw    mepc, t0
    lw      t0, F_STATUS(sp)
    csrw    mstatus, t0
    RESTORE_REGS
    mret

    .balign 64
    .globl s_trap_entry
s_trap_entry:
    SAVE_REGS
    csrr    t0, sepc
    sw      t0, F_EPC(sp)
    csrr    t0, scause
    sw      t0, F_CAUSE(sp)
    csrr    t0, stval
    sw      t0, F_TVAL(sp)
    csrr    t0, sstatus
    sw      t0, F_STATUS(sp)
    mv      a0, sp
    call    s_trap_dispatch
    lw      t0, F_EPC(sp)
    csrw    sepc, t0
    lw      t0, F_STATUS(sp)
    csrw    sstatus, t0
    RESTORE_REGS
    sret

/* ---- run_in_mode(mode, fn, arg) ---------------------------------------- */
    .globl run_in_mode
run_in_mode:
    addi    sp, sp, -64
    sw      ra, 0(sp)
    sw      s0, 4(sp)
    sw      s1, 8(sp)
    sw      s2, 12(sp)
    sw      s3, 16(sp)
    sw      s4, 20(sp)
    sw      s5, 24(sp)
    sw      s6, 28(sp)
    sw      s7, 32(sp)
    sw      s8, 36(sp)
    sw      s9, 40(sp)
    sw      s10, 44(sp)
    sw      s11, 48(sp)
    sw      gp, 52(sp)
    sw      tp, 56(sp)
    la      t0, pvrt_m_context_sp
    sw      sp, 0(t0)
    li      t0, 3 << 11
    csrc    mstatus, t0
    andi    t1, a0, 3
    slli    t1, t1, 11
    csrs    mstatus, t1
    la      t0, pvrt_lower_trampoline
    csrw    mepc, t0
    mv      a0, a2
    mret

/* Runs in the lower mode: call fn, then escape back to M with a0 = result. */
    .globl pvrt_lower_trampoline
pvrt_lower_trampoline:
    jalr    a1
    .globl pvrt_escape
pvrt_escape:
    li      a7, MAGIC_RETURN
    .globl pvrt_escape_steps
pvrt_escape_steps:          /* a7 holds the marker */
    ecall                   /* M unless ecall from this mode is delegated */
    mret                    /* illegal below M: M unless illegal is delegated */
    ebreak                  /* M unless breakpoints are delegated */
    j       pvrt_escape_steps

/* Called by the M dispatcher (in M-mode) to finish run_in_mode with a0. */
    .globl pvrt_m_unwind
pvrt_m_unwind:
    la      t0, pvrt_m_context_sp
    lw      sp, 0(t0)
    lw      ra, 0(sp)
    lw      s0, 4(sp)
    lw      s1, 8(sp)
    lw      s2, 12(sp)
    lw      s3, 16(sp)
    lw      s4, 20(sp)
    lw      s5, 24(sp)
    lw      s6, 28(sp)
    lw      s7, 32(sp)
    lw      s8, 36(sp)
    lw      s9, 40(sp)
    lw      s10, 44(sp)
    lw      s11, 48(sp)
    lw      gp, 52(sp)
    lw      tp, 56(sp)
    addi    sp, sp, 64
    ret

    .bss
    .balign 4
pvrt_m_context_sp:
    .space 4
