# Pseudo-instructions and short forms, expanded as GNU as expands them.
    .text
    .globl _start
_start:
    nop
    li      a0, 0
    li      a0, 1
    li      a0, -1
    li      a0, 2047
    li      a0, -2048
    li      a0, 2048
    li      a0, -2049
    li      a0, 0x1000
    li      a0, 0x12345678
    li      a0, 0x7ffff800
    li      a0, 0x7fffffff
    li      a0, 0x80000000
    li      a0, -0x80000000
    li      a0, 0xfffff800
    li      a0, 0xffffffff
    li      a0, 0xdeadbeef
    li      t0, 'x'
    .equ    BIG, 0xabcd0123
    li      s1, BIG
    la      a0, message
    lla     a1, message
    la      a2, _start
    la      a3, counter + 4
    mv      a0, a1
    add     a0, a1, 5                   # immediate operand: addi (the spelling objdump prints)
    and     a0, a1, 0xff
    or      a0, a1, -1
    xor     a0, a1, 1
    sll     a0, a1, 3
    srl     a0, a1, 0x1f
    sra     a0, a1, 1
    slt     a0, a1, -5
    sltu    a0, a1, 7
    not     a2, a3
    neg     a4, a5
    seqz    a6, a7
    snez    s2, s3
    sltz    s4, s5
    sgtz    s6, s7
    beqz    a0, 1f
    bnez    a0, 1f
    blez    a0, 1f
    bgez    a0, 1f
    bltz    a0, 1f
    bgtz    a0, 1f
    bgt     a0, a1, 1f
    ble     a0, a1, 1f
    bgtu    a0, a1, 1f
    bleu    a0, a1, 1f
1:  j       1b
    j       2f
    jal     func
    jal     t0, func
    jr      a0
    jr      8(a0)
    jr      a0, 12
    jalr    a0
    jalr    a0, a1
    jalr    s0, -8(a1)
    jalr    s1, a1, 16
    jalr    4(t0)
2:  call    func
    call    t2, func
    tail    func
    jump    func, t3
    ret
    lb      a0, counter
    lh      a1, counter
    lw      a2, counter
    lbu     a3, counter + 1
    lhu     a4, counter
    sb      a0, counter, t0
    sh      a1, counter, t1
    sw      a2, counter + 4, t2
func:
    ret

    .section .rodata
message:
    .asciz "hello"

    .data
    .p2align 2
counter:
    .word 0, 0
