# SYNTAX TEST "source.riscv-asm" "labels, statements, comments and the C preprocessor"
    .text
start:
#<----- entity.name.function.label.riscv-asm
#    ^ punctuation.separator.label.riscv-asm
loop: addi a0, a0, -1
#<---- entity.name.function.label.riscv-asm
#     ^^^^ keyword.other.instruction.alu.riscv-asm
#                  ^^ constant.numeric.decimal.riscv-asm
    bnez a0, loop
#            ^^^^ meta.symbol.riscv-asm
.Lnext:beqz a0, 1f
#<------ entity.name.function.label.riscv-asm
#      ^^^^ keyword.control.instruction.riscv-asm
1:  nop ; nop ; li a0, 1
#<- entity.name.function.label.numeric.riscv-asm
#   ^^^ keyword.other.instruction.pseudo.riscv-asm
#         ^^^ keyword.other.instruction.pseudo.riscv-asm
#       ^ punctuation.terminator.statement.riscv-asm
#               ^^ keyword.other.instruction.pseudo.riscv-asm
a: b: c: nop
#<- entity.name.function.label.riscv-asm
#  ^ entity.name.function.label.riscv-asm
#     ^ entity.name.function.label.riscv-asm
#        ^^^ keyword.other.instruction.pseudo.riscv-asm
$dollar.sym: nop
#<----------- entity.name.function.label.riscv-asm
# comments
# a whole-line comment with addi a0, a0, 1
#<- comment.line.number-sign.riscv-asm punctuation.definition.comment.riscv-asm
# ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.number-sign.riscv-asm - keyword.other.instruction.alu.riscv-asm variable.other.register.abi.riscv-asm
    addi a0, a0, 1 # trailing comment
#   ^^^^ keyword.other.instruction.alu.riscv-asm
#                  ^^^^^^^^^^^^^^^^^^ comment.line.number-sign.riscv-asm
    addi a0, a0, 1# no space before it
#                ^ constant.numeric.decimal.riscv-asm
#                 ^^^^^^^^^^^^^^^^^^^^ comment.line.number-sign.riscv-asm
    addi a0, a0, 1 // C++ comment (cpp strips it)
#                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.double-slash.riscv-asm
// a whole-line C++ comment
#<--------------------------- comment.line.double-slash.riscv-asm
    addi a0, a0, /* inline */ 1
#                ^^ comment.block.riscv-asm punctuation.definition.comment.begin.riscv-asm
#                   ^^^^^^ comment.block.riscv-asm
#                          ^^ comment.block.riscv-asm
#                             ^ constant.numeric.decimal.riscv-asm
    /* a block comment
#   ^^ comment.block.riscv-asm
#      ^^^^^^^^^^^^^^^ comment.block.riscv-asm
       over lines with addi a0, a0, 1 and # and "quotes"
#      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.block.riscv-asm - keyword.other.instruction.alu.riscv-asm comment.line.number-sign.riscv-asm string.quoted.double.riscv-asm
    */ addi a0, a0, 2
#   ^^ comment.block.riscv-asm punctuation.definition.comment.end.riscv-asm
#      ^^^^ keyword.other.instruction.alu.riscv-asm
#                   ^ constant.numeric.decimal.riscv-asm
# comment vs preprocessor: only a cpp keyword after # makes a directive
# ^^^^^^^ comment.line.number-sign.riscv-asm
#includes is a comment, not a directive
#<--------------------------------------- comment.line.number-sign.riscv-asm - keyword.control.directive.include.riscv-asm
#   elsewhere is a comment too
#   ^^^^^^^^^ comment.line.number-sign.riscv-asm
    .word 1 # include this is a comment (not at line start)
#           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ comment.line.number-sign.riscv-asm
# preprocessor lines (cpp runs on .S files)
#define UART0 0x10000000
#<- meta.preprocessor.macro.riscv-asm keyword.control.directive.define.riscv-asm punctuation.definition.directive.riscv-asm
#^^^^^^ keyword.control.directive.define.riscv-asm
#       ^^^^^ entity.name.function.preprocessor.riscv-asm
#             ^^^^^^^^^^ constant.numeric.hex.riscv-asm
#define REG_SIZE 4 /* bytes */
#       ^^^^^^^^ entity.name.function.preprocessor.riscv-asm
#                     ^^^^^ meta.preprocessor.macro.riscv-asm comment.block.riscv-asm
#if 0 /* for cpp the assertion lines below would join the continued lines, so this is not assembled */
#define PUSH(reg, n) \
#       ^^^^ entity.name.function.preprocessor.riscv-asm
#            ^^^ variable.parameter.preprocessor.riscv-asm
#                 ^ variable.parameter.preprocessor.riscv-asm
#                    ^ constant.character.escape.line-continuation.riscv-asm
    addi sp, sp, -REG_SIZE ; \
#   ^^^^ meta.preprocessor.macro.riscv-asm keyword.other.instruction.alu.riscv-asm
#        ^^ variable.other.register.abi.riscv-asm
#                ^ keyword.operator.riscv-asm
#                 ^^^^^^^^ meta.symbol.riscv-asm
    sw reg, n(sp)
#   ^^ meta.preprocessor.macro.riscv-asm keyword.other.instruction.memory.riscv-asm
    PUSH(a0, 0)
#   ^^^^ entity.name.function.macro.call.riscv-asm - meta.preprocessor.macro.riscv-asm
#endif
  #  define SPACED 1
# ^ keyword.control.directive.define.riscv-asm
#    ^^^^^^ keyword.control.directive.define.riscv-asm
#           ^^^^^^ entity.name.function.preprocessor.riscv-asm
#undef SPACED
#<- keyword.control.directive.undef.riscv-asm
#^^^^^ keyword.control.directive.undef.riscv-asm
#      ^^^^^^ entity.name.function.preprocessor.riscv-asm
#ifdef UART0
#<- meta.preprocessor.conditional.riscv-asm keyword.control.directive.conditional.riscv-asm punctuation.definition.directive.riscv-asm
#^^^^^ keyword.control.directive.conditional.riscv-asm
#      ^^^^^ meta.preprocessor.conditional.riscv-asm
    li a0, UART0
#   ^^ keyword.other.instruction.pseudo.riscv-asm - meta.preprocessor.conditional.riscv-asm
#elif defined(OTHER) && OTHER > 1
#^^^^ keyword.control.directive.conditional.riscv-asm
#     ^^^^^^^ keyword.operator.defined.riscv-asm
#                    ^^ keyword.operator.riscv-asm
#                               ^ constant.numeric.decimal.riscv-asm
#else
#^^^^ keyword.control.directive.conditional.riscv-asm
#endif // UART0
#^^^^^ keyword.control.directive.conditional.riscv-asm
#      ^^^^^^^^ comment.line.double-slash.riscv-asm
#ifndef UART0
#^^^^^^ keyword.control.directive.conditional.riscv-asm
#if 0
#<- keyword.control.directive.conditional.riscv-asm
#^^ keyword.control.directive.conditional.riscv-asm
#   ^ constant.numeric.decimal.riscv-asm
#include "platform.h"
#<- meta.preprocessor.include.riscv-asm keyword.control.directive.include.riscv-asm punctuation.definition.directive.riscv-asm
#^^^^^^^ keyword.control.directive.include.riscv-asm
#        ^^^^^^^^^^^^ string.quoted.double.include.riscv-asm
#include <sys/regs.h>
#        ^^^^^^^^^^^^ string.quoted.other.lt-gt.include.riscv-asm
# include "spaced.h"
# ^^^^^^^ keyword.control.directive.include.riscv-asm
#         ^^^^^^^^^^ string.quoted.double.include.riscv-asm
#error this build isn't supported
#^^^^^ keyword.control.directive.diagnostic.riscv-asm
#      ^^^^^^^^^^^^^^^^^^^^^^^^^^ string.unquoted.preprocessor.message.riscv-asm - constant.numeric.character.riscv-asm
#warning "deprecated"
#^^^^^^^ keyword.control.directive.diagnostic.riscv-asm
#pragma once
#^^^^^^ keyword.control.directive.riscv-asm
#line 10 "other.S"
#^^^^ keyword.control.directive.riscv-asm
#     ^^ constant.numeric.decimal.riscv-asm
#endif
#endif
# linemarkers that cpp leaves in its output for as
# 1 "comments-preprocessor.S"
#<- meta.preprocessor.line-marker.riscv-asm
# ^ meta.preprocessor.line-marker.riscv-asm constant.numeric.decimal.riscv-asm
#   ^^^^^^^^^^^^^^^^^^^^^^^^^ meta.preprocessor.line-marker.riscv-asm string.quoted.double.riscv-asm
# 12 "comments-preprocessor.S" 2
# ^^ constant.numeric.decimal.riscv-asm
#                              ^ constant.numeric.decimal.riscv-asm
# 3 is a comment without a file name
#<------------------------------------ comment.line.number-sign.riscv-asm - meta.preprocessor.line-marker.riscv-asm
