# SYNTAX TEST "source.riscv-asm" "directives, strings and symbols"
# (.attribute arch must come before any instruction)
    .attribute arch, "rv32i2p1_m2p0_a2p1_zicsr2p0_zifencei2p0"
#   ^^^^^^^^^^ keyword.other.directive.riscv-asm
#                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ string.quoted.double.riscv-asm
    .text
#   ^^^^^ meta.directive.riscv-asm keyword.other.directive.section.riscv-asm
    .data ; .bss
#   ^^^^^ keyword.other.directive.section.riscv-asm
#           ^^^^ keyword.other.directive.section.riscv-asm
    .section .text.init, "ax", @progbits
#   ^^^^^^^^ keyword.other.directive.section.riscv-asm
#            ^^^^^^^^^^ entity.name.section.riscv-asm
#                        ^ string.quoted.double.riscv-asm
#                         ^^ string.quoted.double.riscv-asm
#                              ^^^^^^^^^ support.constant.type.riscv-asm
    .section .sbss,"aw",@nobits
#            ^^^^^ entity.name.section.riscv-asm
#                       ^^^^^^^ support.constant.type.riscv-asm
    .pushsection .rodata.str ; .popsection ; .previous
#   ^^^^^^^^^^^^ keyword.other.directive.section.riscv-asm
#                ^^^^^^^^^^^ entity.name.section.riscv-asm
#                              ^^^^^^^^^^^ keyword.other.directive.section.riscv-asm
#                                            ^^^^^^^^^ keyword.other.directive.section.riscv-asm
    .text
    .globl _start ; .global main ; .local helper
#   ^^^^^^ keyword.other.directive.symbol.riscv-asm
#          ^^^^^^ meta.symbol.riscv-asm
#                   ^^^^^^^ keyword.other.directive.symbol.riscv-asm
#                                  ^^^^^^ keyword.other.directive.symbol.riscv-asm
    .type _start, @function ; .type main, %function
#   ^^^^^ keyword.other.directive.symbol.riscv-asm
#                 ^^^^^^^^^ support.constant.type.riscv-asm
#                                         ^^^^^^^^^ support.constant.type.riscv-asm - support.function.relocation.riscv-asm
_start:
#<------ entity.name.function.label.riscv-asm
main: helper: ret
#<---- entity.name.function.label.riscv-asm
#     ^^^^^^ entity.name.function.label.riscv-asm
#             ^^^ keyword.control.instruction.riscv-asm
    .size _start, . - _start
#   ^^^^^ keyword.other.directive.symbol.riscv-asm
#                 ^ variable.language.location-counter.riscv-asm
#                   ^ keyword.operator.riscv-asm
    .size main, .-main
#               ^ variable.language.location-counter.riscv-asm
#                ^ keyword.operator.riscv-asm
#                 ^^^^ meta.symbol.riscv-asm
    .equ UART_BASE, 0x10000000
#   ^^^^ keyword.other.directive.assignment.riscv-asm
#        ^^^^^^^^^ variable.other.constant.riscv-asm
#                   ^^^^^^^^^^ constant.numeric.hex.riscv-asm
    .set STACK_SIZE, 4096 ; .equiv PAGE, 1 << 12
#   ^^^^ keyword.other.directive.assignment.riscv-asm
#        ^^^^^^^^^^ variable.other.constant.riscv-asm
#                           ^^^^^^ keyword.other.directive.assignment.riscv-asm
#                                  ^^^^ variable.other.constant.riscv-asm
WORDS = 4
#<----- variable.other.constant.riscv-asm
#     ^ keyword.operator.assignment.riscv-asm
#       ^ constant.numeric.decimal.riscv-asm
    li a0, UART_BASE
#          ^^^^^^^^^ meta.symbol.riscv-asm
    .data
    .word 1, -2, 0x3 ; .4byte 4
#   ^^^^^ meta.directive.riscv-asm storage.type.directive.riscv-asm
#            ^^ constant.numeric.decimal.riscv-asm
#                      ^^^^^^ storage.type.directive.riscv-asm
    .half 1 ; .2byte 2 ; .short 3 ; .byte 4, 5
#   ^^^^^ storage.type.directive.riscv-asm
#             ^^^^^^ storage.type.directive.riscv-asm
#                        ^^^^^^ storage.type.directive.riscv-asm
#                                   ^^^^^ storage.type.directive.riscv-asm
    .zero 8 ; .space 4, 0xff ; .skip 2
#   ^^^^^ storage.type.directive.riscv-asm
#             ^^^^^^ storage.type.directive.riscv-asm
#                              ^^^^^ storage.type.directive.riscv-asm
    .ascii "ab" ; .asciz "cd" ; .string "ef"
#   ^^^^^^ storage.type.directive.riscv-asm
#                 ^^^^^^ storage.type.directive.riscv-asm
#                               ^^^^^^^ storage.type.directive.riscv-asm
    .asciz "say \"hi\"\n\t\\ \101\x41"
#          ^ string.quoted.double.riscv-asm punctuation.definition.string.begin.riscv-asm
#           ^^^ string.quoted.double.riscv-asm
#               ^^ string.quoted.double.riscv-asm constant.character.escape.riscv-asm
#                   ^^ constant.character.escape.riscv-asm
#                     ^^ constant.character.escape.riscv-asm
#                       ^^ constant.character.escape.riscv-asm
#                         ^^ constant.character.escape.riscv-asm
#                            ^^^^ constant.character.escape.riscv-asm
#                                ^^^^ constant.character.escape.riscv-asm
    .ascii "a;b#c//d/*e"
#           ^^^^^^^^^^^ string.quoted.double.riscv-asm - comment.line.number-sign.riscv-asm comment.line.double-slash.riscv-asm comment.block.riscv-asm punctuation.terminator.statement.riscv-asm
    .ascii "\q"
#           ^^ invalid.illegal.unknown-escape.riscv-asm
    .align 2 ; .p2align 3 ; .balign 8
#   ^^^^^^ keyword.other.directive.riscv-asm
#              ^^^^^^^^ keyword.other.directive.riscv-asm
#                           ^^^^^^^ keyword.other.directive.riscv-asm
table: .word table, 1f, .L2
#<----- entity.name.function.label.riscv-asm
#            ^^^^^ meta.symbol.riscv-asm
#                   ^^ entity.name.function.label.reference.numeric.riscv-asm
#                       ^^^ meta.symbol.riscv-asm
1:
#<- entity.name.function.label.numeric.riscv-asm
.L2: .byte 0
#<--- entity.name.function.label.riscv-asm
#    ^^^^^ storage.type.directive.riscv-asm
    .text
    .option push ; .option norvc ; .option pop
#   ^^^^^^^ keyword.other.directive.riscv-asm
#           ^^^^ support.constant.option.riscv-asm
#                          ^^^^^ support.constant.option.riscv-asm
#                                          ^^^ support.constant.option.riscv-asm
    .option norelax
#           ^^^^^^^ support.constant.option.riscv-asm
    .file "directives.S"
#   ^^^^^ keyword.other.directive.riscv-asm
#          ^^^^^^^^^^^^ string.quoted.double.riscv-asm
    .file 1 "directives.S" ; .loc 1 42 0
#   ^^^^^ keyword.other.directive.riscv-asm
#                            ^^^^ keyword.other.directive.riscv-asm
#                                   ^^ constant.numeric.decimal.riscv-asm
    .cfi_startproc ; .cfi_endproc
#   ^^^^^^^^^^^^^^ keyword.other.directive.riscv-asm
#                    ^^^^^^^^^^^^ keyword.other.directive.riscv-asm
    .TEXT
#   ^^^^^ keyword.other.directive.section.riscv-asm
# macros and repetition
    .macro SAVE reg, off=4, extra:vararg
#   ^^^^^^ meta.directive.macro.riscv-asm keyword.control.directive.riscv-asm
#          ^^^^ entity.name.function.macro.riscv-asm
#               ^^^ variable.parameter.macro.riscv-asm
#                    ^^^ variable.parameter.macro.riscv-asm
#                       ^ keyword.operator.assignment.riscv-asm
#                        ^ constant.numeric.decimal.riscv-asm
#                           ^^^^^ variable.parameter.macro.riscv-asm
#                                 ^^^^^^ storage.modifier.riscv-asm
    sw \reg, \off(sp)
#   ^^ keyword.other.instruction.memory.riscv-asm
#      ^^^^ variable.parameter.macro.riscv-asm
#            ^^^^ variable.parameter.macro.riscv-asm
#                 ^^ variable.other.register.abi.riscv-asm
loop\@: addi a0, a0, -1
#<---- entity.name.function.label.riscv-asm
#   ^^ entity.name.function.label.riscv-asm variable.language.macro-counter.riscv-asm
#       ^^^^ keyword.other.instruction.alu.riscv-asm
    bnez a0, loop\@
#            ^^^^ meta.symbol.riscv-asm
#                ^^ variable.language.macro-counter.riscv-asm
\reg\()_saved: nop
#<---- entity.name.function.label.riscv-asm variable.parameter.macro.riscv-asm
#   ^^^ punctuation.separator.macro-concatenation.riscv-asm
#      ^^^^^^ entity.name.function.label.riscv-asm
#              ^^^ keyword.other.instruction.pseudo.riscv-asm
    .endm
#   ^^^^^ keyword.control.directive.riscv-asm
    SAVE a0, 8
#   ^^^^ entity.name.function.macro.call.riscv-asm
#        ^^ variable.other.register.abi.riscv-asm
    .rept 3
#   ^^^^^ keyword.control.directive.riscv-asm
#         ^ constant.numeric.decimal.riscv-asm
    nop
    .endr
#   ^^^^^ keyword.control.directive.riscv-asm
    .irp r, a0, a1
#   ^^^^ keyword.control.directive.riscv-asm
    mv \r, zero
    .endr
    .if WORDS > 2
#   ^^^ keyword.control.directive.riscv-asm
#       ^^^^^ meta.symbol.riscv-asm
#             ^ keyword.operator.riscv-asm
    nop
    .else
#   ^^^^^ keyword.control.directive.riscv-asm
    .endif
#   ^^^^^^ keyword.control.directive.riscv-asm
    .ifdef WORDS ; .endif
#   ^^^^^^ keyword.control.directive.riscv-asm
#                  ^^^^^^ keyword.control.directive.riscv-asm
    .if 0
    .include "macros.inc"
#   ^^^^^^^^ keyword.other.directive.riscv-asm
#             ^^^^^^^^^^ string.quoted.double.riscv-asm
    .some_future_directive 1, 2
#   ^^^^^^^^^^^^^^^^^^^^^^ keyword.other.directive.riscv-asm
# GNU as for RISC-V only takes .rodata as `.section .rodata`; other assemblers have the short form
    .rodata
#   ^^^^^^^ keyword.other.directive.section.riscv-asm
    .endif
