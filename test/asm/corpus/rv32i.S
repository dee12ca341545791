# Every RV32I instruction of the table, with ABI, numeric and fp register names.
    .option norvc
    .text
    .globl _start
    .type _start, @function
_start:
    lui     a0, 0x12345
    lui     x31, 0
    lui     t6, 1048575
    auipc   sp, 0x80000
    auipc   x0, 1
    jal     ra, target
    jal     x5, target
    jalr    ra, 0(a0)
    jalr    t0, -4(t1)
    jalr    x0, 2047(x31)
    beq     a0, a1, target
    bne     s0, s1, target
    blt     fp, a2, target
    bge     x8, x9, target
    bltu    t3, t4, target
    bgeu    t5, t6, target
target:
    lb      a0, 0(sp)
    lh      a1, -2(sp)
    lw      a2, 2047(gp)
    lbu     a3, -2048(tp)
    lhu     a4, 16(s11)
    sb      a5, 0(sp)
    sh      a6, -2(s10)
    sw      a7, 2044(s9)
    addi    s2, s3, -1
    slti    s4, s5, 100
    sltiu   s6, s7, 0x7ff
    xori    s8, s9, -2048
    ori     s10, s11, 0x0f0
    andi    t3, t4, 0xff
    slli    t5, t6, 0
    srli    a0, a1, 31
    srai    a2, a3, 7
    add     zero, ra, sp
    sub     gp, tp, t0
    sll     t1, t2, s0
    slt     s1, a0, a1
    sltu    a2, a3, a4
    xor     a5, a6, a7
    srl     s2, s3, s4
    sra     s5, s6, s7
    or      s8, s9, s10
    and     s11, t3, t4
    fence   iorw, iorw
    fence   rw, rw
    fence   r, w
    fence   io, ir
    fence   ow, i
    ecall
    ebreak
    lw      a0, (sp)
    sw      a0, (sp)
    addi    x1, x2, 0b1010
    addi    x3, x4, 017
    addi    x5, x6, 'A'
    .size _start, . - _start
