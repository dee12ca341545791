# Expressions (GNU precedence), number bases, character constants, local labels, relocation operators.
    .data
start:
    .word   1, 2, 3
end:
value:
    .word   0x55, 0x66, 0x77
    .word   value - start, end - start + 0x100
msg:
    .ascii  "hello"
    .equ    msg_len, . - msg          # a constant: same fragment

    .text
    .globl _start
_start:
    addi    a0, zero, 1 + 2 * 3
    addi    a0, zero, (1 + 2) * 3
    addi    a0, zero, 1 + 2 << 3         # GNU: << binds tighter than +
    addi    a0, zero, 1 | 2 + 1          # GNU: | binds tighter than +
    addi    a0, zero, 100 / 7
    addi    a0, zero, -100 / 7
    addi    a0, zero, 100 % 7
    addi    a0, zero, -100 % 7
    addi    a0, zero, 0x7f & ~0x0f
    addi    a0, zero, 0x0f ^ 0xff
    addi    a0, zero, 256 >> 2
    addi    a0, zero, -(5)
    addi    a0, zero, - -5
    addi    a0, zero, ~-1
    addi    a0, zero, 3 == 3
    addi    a0, zero, 3 != 3
    addi    a0, zero, 2 < 3
    addi    a0, zero, 2 >= 3
    addi    a0, zero, 1 && 2
    addi    a0, zero, 0 || 0
    addi    a0, zero, 0x7FF
    addi    a0, zero, 0X10
    addi    a0, zero, 0b111
    addi    a0, zero, 0B11
    addi    a0, zero, 0777
    addi    a0, zero, '0'
    addi    a0, zero, '\t'
    addi    a0, zero, '\''
    addi    a0, zero, '\\'
    addi    a0, zero, '\0'              # GNU as: a character escape it does not know is the character itself
    addi    a0, zero, 'a - 'A'
    .equ    K, 10
    .equ    L, K * K + 1
    addi    a0, zero, L
    addi    a0, zero, L - K * 2
    slli    a1, a1, K / 2 + 1
    .set    ONE, 1
    .set    ONE, ONE + 1
    addi    a0, zero, ONE
1:  addi    a0, a0, 1
    bnez    a0, 1b
    bnez    a0, 1f
    j       1f
1:  j       1b
2:  nop
    beq     a0, a1, 2b
    beq     a0, a1, 2f
2:  nop
    lui     a0, %hi(value)
    addi    a0, a0, %lo(value)
    lw      a1, %lo(value)(a0)
    sw      a1, %lo(value + 4)(a0)
    lui     t0, %hi(0x12345fff)
    addi    t0, t0, %lo(0x12345fff)
    lui     t1, %hi(value + 0x800)
    jalr    ra, %lo(_start)(t1)
.Lpc:
    auipc   a2, %pcrel_hi(value)
    addi    a2, a2, %pcrel_lo(.Lpc)
    lw      a3, %pcrel_lo(.Lpc)(a2)
    sw      a3, %pcrel_lo(.Lpc)(a2)
3:  auipc   a4, %pcrel_hi(value + 8)
    lw      a4, %pcrel_lo(3b)(a4)
    li      a2, msg_len
    addi    a2, a2, msg_len * 2
    .word   . - _start

