/* The register file: a chain of RV32IM operations in which every register
 * x1..x31 (sp, gp and tp included) is written and read as rs1 and rs2, then
 * x0 as destination and source. The final registers are stored to memory,
 * printed as the register signature and checked against values computed on
 * the host (the chain avoids results 0, 1 and -1 and repeated values, so a
 * wrong register or operation shows). A pure-assembly program: it also
 * exercises the .S build path. */
    .option norelax             /* gp is clobbered: no gp-relative relaxation */

    .text
    .globl main
main:
    la      t0, saved
    sw      ra, 0(t0)
    sw      sp, 4(t0)
    sw      gp, 8(t0)
    sw      tp, 12(t0)
    sw      s0, 16(t0)
    sw      s1, 20(t0)
    sw      s2, 24(t0)
    sw      s3, 28(t0)
    sw      s4, 32(t0)
    sw      s5, 36(t0)
    sw      s6, 40(t0)
    sw      s7, 44(t0)
    sw      s8, 48(t0)
    sw      s9, 52(t0)
    sw      s10, 56(t0)
    sw      s11, 60(t0)

    li      x1, 0x12345678
    li      x2, 0x9abcdef0
    slli    x3, x2, 25
    sra     x4, x3, x2
    mulh    x5, x4, x3
    sub     x6, x5, x4
    ori     x7, x6, 631
    slli    x8, x7, 8
    andi    x9, x8, -1889
    mul     x10, x9, x8
    mulhsu  x11, x10, x9
    or      x12, x11, x10
    rem     x13, x12, x11
    ori     x14, x13, -2013
    sll     x15, x14, x13
    srli    x16, x15, 20
    mulhu   x17, x16, x15
    andi    x18, x17, 573
    sub     x19, x18, x17
    remu    x20, x19, x18
    xor     x21, x20, x19
    addi    x22, x21, -1021
    srli    x23, x22, 19
    add     x24, x23, x22
    xori    x25, x24, -1801
    addi    x26, x25, -1198
    ori     x27, x26, 1826
    srl     x28, x27, x26
    mulhsu  x29, x28, x27
    slli    x30, x29, 7
    and     x31, x30, x29
    mulhsu  x29, x31, x29
    div     x28, x30, x28
    mulhsu  x27, x29, x27
    mul     x26, x28, x26
    add     x25, x27, x25
    divu    x24, x26, x24
    sll     x23, x25, x23
    add     x22, x24, x22
    mulhsu  x21, x23, x21
    xor     x20, x22, x20
    or      x19, x21, x19
    remu    x18, x20, x18
    sub     x17, x19, x17
    xor     x16, x18, x16
    xor     x15, x17, x15
    rem     x14, x16, x14
    or      x13, x15, x13
    or      x12, x14, x12
    add     x11, x13, x11
    and     x10, x12, x10
    sub     x9, x11, x9
    rem     x8, x10, x8
    mulhsu  x7, x9, x7
    and     x6, x8, x6
    xor     x5, x7, x5
    mulhsu  x4, x6, x4
    mulhu   x3, x5, x3
    sll     x2, x4, x2
    or      x1, x3, x1
    xor     x0, x30, x31
    add     x0, x1, x2
    sub     x30, x0, x30

    /* Store the signature: x31 goes through mscratch to free a base register. */
    csrw    mscratch, x31
    la      x31, regsig
    sw      x1, 4(x31)
    sw      x2, 8(x31)
    sw      x3, 12(x31)
    sw      x4, 16(x31)
    sw      x5, 20(x31)
    sw      x6, 24(x31)
    sw      x7, 28(x31)
    sw      x8, 32(x31)
    sw      x9, 36(x31)
    sw      x10, 40(x31)
    sw      x11, 44(x31)
    sw      x12, 48(x31)
    sw      x13, 52(x31)
    sw      x14, 56(x31)
    sw      x15, 60(x31)
    sw      x16, 64(x31)
    sw      x17, 68(x31)
    sw      x18, 72(x31)
    sw      x19, 76(x31)
    sw      x20, 80(x31)
    sw      x21, 84(x31)
    sw      x22, 88(x31)
    sw      x23, 92(x31)
    sw      x24, 96(x31)
    sw      x25, 100(x31)
    sw      x26, 104(x31)
    sw      x27, 108(x31)
    sw      x28, 112(x31)
    sw      x29, 116(x31)
    sw      x30, 120(x31)
    csrr    x1, mscratch
    sw      x1, 124(x31)

    la      t0, saved
    lw      ra, 0(t0)
    lw      sp, 4(t0)
    lw      gp, 8(t0)
    lw      tp, 12(t0)
    lw      s0, 16(t0)
    lw      s1, 20(t0)
    lw      s2, 24(t0)
    lw      s3, 28(t0)
    lw      s4, 32(t0)
    lw      s5, 36(t0)
    lw      s6, 40(t0)
    lw      s7, 44(t0)
    lw      s8, 48(t0)
    lw      s9, 52(t0)
    lw      s10, 56(t0)
    lw      s11, 60(t0)

    /* check(label[i], regsig[i + 1], expected[i]) for the 31 registers */
    li      s0, 0
1:  la      t0, labels
    slli    t1, s0, 2
    add     t0, t0, t1
    lw      a0, 0(t0)
    la      t0, regsig + 4
    add     t0, t0, t1
    lw      a1, 0(t0)
    la      t0, expected
    add     t0, t0, t1
    lw      a2, 0(t0)
    call    check
    addi    s0, s0, 1
    li      t0, 31
    blt     s0, t0, 1b
    la      a0, name
    call    finish                  /* does not return */

    .section .rodata
    .balign 4
expected:
    .word 0xdffffe7d   /* x1 */
    .word 0x23ff0000   /* x2 */
    .word 0xdffffc7d   /* x3 */
    .word 0x000023ff   /* x4 */
    .word 0xfffffbfd   /* x5 */
    .word 0x00002400   /* x6 */
    .word 0xfffffffd   /* x7 */
    .word 0x00267600   /* x8 */
    .word 0xffef74ef   /* x9 */
    .word 0x7e100000   /* x10 */
    .word 0x0015e4ef   /* x11 */
    .word 0x7e12edff   /* x12 */
    .word 0x0002f768   /* x13 */
    .word 0x000000fc   /* x14 */
    .word 0x00028300   /* x15 */
    .word 0x00000de5   /* x16 */
    .word 0xffffe800   /* x17 */
    .word 0x0000021a   /* x18 */
    .word 0xfffff7fe   /* x19 */
    .word 0x0014f25e   /* x20 */
    .word 0x800007ea   /* x21 */
    .word 0x0014f04c   /* x22 */
    .word 0x80000000   /* x23 */
    .word 0x0015041d   /* x24 */
    .word 0xfffff8d7   /* x25 */
    .word 0xfff82555   /* x26 */
    .word 0x000003fe   /* x27 */
    .word 0x0000007f   /* x28 */
    .word 0x000003ff   /* x29 */
    .word 0xf0000200   /* x30 */
    .word 0x001ffe00   /* x31 */
labels:
    .word lbl_x1
    .word lbl_x2
    .word lbl_x3
    .word lbl_x4
    .word lbl_x5
    .word lbl_x6
    .word lbl_x7
    .word lbl_x8
    .word lbl_x9
    .word lbl_x10
    .word lbl_x11
    .word lbl_x12
    .word lbl_x13
    .word lbl_x14
    .word lbl_x15
    .word lbl_x16
    .word lbl_x17
    .word lbl_x18
    .word lbl_x19
    .word lbl_x20
    .word lbl_x21
    .word lbl_x22
    .word lbl_x23
    .word lbl_x24
    .word lbl_x25
    .word lbl_x26
    .word lbl_x27
    .word lbl_x28
    .word lbl_x29
    .word lbl_x30
    .word lbl_x31
lbl_x1: .asciz "x1"
lbl_x2: .asciz "x2"
lbl_x3: .asciz "x3"
lbl_x4: .asciz "x4"
lbl_x5: .asciz "x5"
lbl_x6: .asciz "x6"
lbl_x7: .asciz "x7"
lbl_x8: .asciz "x8"
lbl_x9: .asciz "x9"
lbl_x10: .asciz "x10"
lbl_x11: .asciz "x11"
lbl_x12: .asciz "x12"
lbl_x13: .asciz "x13"
lbl_x14: .asciz "x14"
lbl_x15: .asciz "x15"
lbl_x16: .asciz "x16"
lbl_x17: .asciz "x17"
lbl_x18: .asciz "x18"
lbl_x19: .asciz "x19"
lbl_x20: .asciz "x20"
lbl_x21: .asciz "x21"
lbl_x22: .asciz "x22"
lbl_x23: .asciz "x23"
lbl_x24: .asciz "x24"
lbl_x25: .asciz "x25"
lbl_x26: .asciz "x26"
lbl_x27: .asciz "x27"
lbl_x28: .asciz "x28"
lbl_x29: .asciz "x29"
lbl_x30: .asciz "x30"
lbl_x31: .asciz "x31"
name: .asciz "rv32i_regs"

    .bss
    .balign 4
saved:  .space 64
regsig: .space 128
