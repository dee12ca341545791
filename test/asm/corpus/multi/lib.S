    .text
    .global helper
    .type   helper, @function
helper:
    la      a0, shared_counter
    lw      a1, 0(a0)
    addi    a1, a1, 1
    sw      a1, 0(a0)
    beqz    a1, finish               # global in another unit: branch over jal
    bnez    a1, local
    ret
local:
    ret
    .size   helper, . - helper

    .globl  finish
finish:
    lw      a0, greeting_len
    j       local
