# Data, alignment, section, symbol and option directives.
    .file   "directives.S"
    .attribute arch, "rv32i2p1_m2p0_a2p1"
    .option push
    .option norvc
    .option norelax
    .text
    .globl  _start
    .type   _start, @function
_start:
    la      a0, table
    lw      a1, 0(a0)
    .option pop
    .option push
    .option relax
    addi    a1, a1, 1
    .option pop
    .byte   1
    .align  2               # code: ignored (no padding) without a fill value, as GNU as does
    .byte   2, 3
    .align  3               # code: zero byte, c.nop, nops
    nop
    .byte   4
    .balign 4, 0xee         # explicit fill byte
    .p2align 2, 0
    .half   0x1234
    .balign 16
    ret
    .size   _start, . - _start

    .local  helper
    .type   helper, %function
helper:
    ret
    .size   helper, .-helper

    .section .text.extra, "ax", @progbits
extra:
    nop
    ret

    .section .rodata
    .type   table, @object
table:
    .word   1, 2, 3, -1
    .4byte  0xdeadbeef
    .half   0x1234, -1
    .2byte  0xffff
    .short  7
    .byte   0, 255, -128, 'z', '\n', '\\'
    .size   table, . - table
strings:
    .ascii  "plain", "two"
    .asciz  "tab\there\n"
    .string "quote\" backslash\\ octal\101 hex\x42 bell\a"
    .ascii  "\0\1\2\377"
    .balign 4
    .zero   5
    .space  3
    .space  2, 0x5a
    .skip   1, 7
    .fill   3, 2, 0x0102
    .fill   2
    .p2align 3, 0xaa
    .dword  0x0123456789abcdef
    .8byte  -2
    .quad   1
    .long   0x11
    .int    0x22
    .hword  0x33

    .section .rodata.more, "a"
more:
    .word   table, strings + 2, _start
    .word   end_of_data - start_of_data

    .data
start_of_data:
    .byte   9
    .align  2
words:
    .word   words, . , . + 4
    .equ    COUNT, 3
    .set    SIZE, COUNT * 4
    .equ    COUNT, 4            # .equ may redefine, like .set
    .word   COUNT, SIZE
    .globl  exported
exported = 0x1234
answer = 6 * 7
    .word   answer, exported
    .weak   maybe
end_of_data:

    .section .data.extra, "aw", @progbits
    .p2align 4
aligned16:
    .word   0x16

    .bss
    .globl  buffer
    .type   buffer, @object
    .size   buffer, 64
buffer:
    .zero   64
    .balign 8
tail:
    .space  4
    .word   0                 # zero is allowed in .bss

    .section .bss.more, "aw", @nobits
    .p2align 5
big:
    .space  100
    .section .note.GNU-stack, "", @progbits
    .ident  "pvlab corpus"
