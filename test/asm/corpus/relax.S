# Conditional branches whose target is out of reach become an inverted branch over a jal (GNU as);
# branches to another section or to a global of another unit always take that form.
    .text
    .globl  _start
_start:
    beq     a0, a1, far_forward
    bnez    a0, far_forward
    bgt     a0, a1, far_forward
    bltu    a2, a3, near
    bgeu    a2, a3, other_section
    blt     a0, zero, weak_target
near:
    nop
    .zero   4088
    beq     a0, a1, near             # just in reach backwards
    bne     a0, a1, _start           # just out of reach backwards
far_forward:
    ret
    .weak   weak_target
weak_target:
    ret

    .section .text.other, "ax", @progbits
other_section:
    bge     a0, a1, _start
    ret
