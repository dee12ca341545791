# .include: definitions and code from another file; the line table points into it.
    .include "inc/defs.inc"
    .text
    .globl  _start
_start:
    la      a0, UART_BASE               # a constant address: expanded like li
    lla     a2, TEST_BASE + 0x123
    li      a1, 'H'
    .include "inc/putc.inc"
    li      a1, 'i'
    .include "inc/putc.inc"
    exit    0
