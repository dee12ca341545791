# SYNTAX TEST "source.riscv-asm" "registers, CSRs, numbers, label references, relocations"
    .text
# every register name: numeric, ABI, and fp
    add x0, x1, x2 ; add x9, x10, x19 ; add x20, x30, x31
#       ^^ variable.other.register.numeric.riscv-asm
#           ^^ variable.other.register.numeric.riscv-asm
#               ^^ variable.other.register.numeric.riscv-asm
#                        ^^ variable.other.register.numeric.riscv-asm
#                            ^^^ variable.other.register.numeric.riscv-asm
#                                 ^^^ variable.other.register.numeric.riscv-asm
#                                           ^^^ variable.other.register.numeric.riscv-asm
#                                                ^^^ variable.other.register.numeric.riscv-asm
#                                                     ^^^ variable.other.register.numeric.riscv-asm
    add zero, ra, sp ; add gp, tp, fp
#       ^^^^ variable.other.register.abi.riscv-asm
#             ^^ variable.other.register.abi.riscv-asm
#                 ^^ variable.other.register.abi.riscv-asm
#                          ^^ variable.other.register.abi.riscv-asm
#                              ^^ variable.other.register.abi.riscv-asm
#                                  ^^ variable.other.register.abi.riscv-asm
    add t0, t1, t2 ; add t3, t4, t5 ; add t6, t6, t6
#       ^^ variable.other.register.abi.riscv-asm
#           ^^ variable.other.register.abi.riscv-asm
#               ^^ variable.other.register.abi.riscv-asm
#                        ^^ variable.other.register.abi.riscv-asm
#                            ^^ variable.other.register.abi.riscv-asm
#                                ^^ variable.other.register.abi.riscv-asm
#                                         ^^ variable.other.register.abi.riscv-asm
    add s0, s1, s2 ; add s9, s10, s11
#       ^^ variable.other.register.abi.riscv-asm
#           ^^ variable.other.register.abi.riscv-asm
#               ^^ variable.other.register.abi.riscv-asm
#                        ^^ variable.other.register.abi.riscv-asm
#                            ^^^ variable.other.register.abi.riscv-asm
#                                 ^^^ variable.other.register.abi.riscv-asm
    add a0, a1, a2 ; add a5, a6, a7
#       ^^ variable.other.register.abi.riscv-asm
#           ^^ variable.other.register.abi.riscv-asm
#               ^^ variable.other.register.abi.riscv-asm
#                        ^^ variable.other.register.abi.riscv-asm
#                            ^^ variable.other.register.abi.riscv-asm
#                                ^^ variable.other.register.abi.riscv-asm
# not registers (x32, s12, t7, a8, upper case A0, f1 without the F extension): symbols
    la a0, x32 ; la a0, s12 ; la a0, t7 ; la a0, a8 ; la a0, A0 ; la a0, f1
#          ^^^ meta.symbol.riscv-asm - variable.other.register.numeric.riscv-asm
#                       ^^^ meta.symbol.riscv-asm - variable.other.register.abi.riscv-asm
#                                    ^^ meta.symbol.riscv-asm - variable.other.register.abi.riscv-asm
#                                                ^^ meta.symbol.riscv-asm - variable.other.register.abi.riscv-asm
#                                                            ^^ meta.symbol.riscv-asm - variable.other.register.abi.riscv-asm
#                                                                        ^^ meta.symbol.riscv-asm
    la a0, a0.b ; la a0, sp_top
#          ^^^^ meta.symbol.riscv-asm - variable.other.register.abi.riscv-asm
#                        ^^^^^^ meta.symbol.riscv-asm
# CSR names pvlab knows (emulator/isa/csr-names.ts)
    csrr a0, misa ; csrr a0, mvendorid ; csrr a0, marchid ; csrr a0, mimpid
#            ^^^^ support.variable.csr.riscv-asm
#                            ^^^^^^^^^ support.variable.csr.riscv-asm
#                                                 ^^^^^^^ support.variable.csr.riscv-asm
#                                                                    ^^^^^^ support.variable.csr.riscv-asm
    csrr a0, medeleg ; csrr a0, mideleg ; csrr a0, mepc ; csrr a0, mcause ; csrr a0, mtval
#            ^^^^^^^ support.variable.csr.riscv-asm
#                               ^^^^^^^ support.variable.csr.riscv-asm
#                                                  ^^^^ support.variable.csr.riscv-asm
#                                                                  ^^^^^^ support.variable.csr.riscv-asm
#                                                                                    ^^^^^ support.variable.csr.riscv-asm
    csrr a0, mcounteren ; csrr a0, mcountinhibit ; csrr a0, mstatush
#            ^^^^^^^^^^ support.variable.csr.riscv-asm
#                                  ^^^^^^^^^^^^^ support.variable.csr.riscv-asm
#                                                           ^^^^^^^^ support.variable.csr.riscv-asm
    csrr a0, stvec ; csrr a0, sepc ; csrr a0, scause ; csrr a0, stval ; csrr a0, sip ; csrr a0, satp
#            ^^^^^ support.variable.csr.riscv-asm
#                             ^^^^ support.variable.csr.riscv-asm
#                                             ^^^^^^ support.variable.csr.riscv-asm
#                                                               ^^^^^ support.variable.csr.riscv-asm
#                                                                                ^^^ support.variable.csr.riscv-asm
#                                                                                               ^^^^ support.variable.csr.riscv-asm
    csrr a0, scounteren ; csrr a0, cycle ; csrr a0, timeh ; csrr a0, instret
#            ^^^^^^^^^^ support.variable.csr.riscv-asm
#                                  ^^^^^ support.variable.csr.riscv-asm
#                                                   ^^^^^ support.variable.csr.riscv-asm
#                                                                    ^^^^^^^ support.variable.csr.riscv-asm
    csrr a0, mcycle ; csrr a0, minstreth ; csrr a0, hpmcounter3 ; csrr a0, hpmcounter31h
#            ^^^^^^ support.variable.csr.riscv-asm
#                              ^^^^^^^^^ support.variable.csr.riscv-asm
#                                                   ^^^^^^^^^^^ support.variable.csr.riscv-asm
#                                                                          ^^^^^^^^^^^^^ support.variable.csr.riscv-asm
    csrr a0, mhpmcounter4 ; csrr a0, mhpmcounter29h ; csrr a0, mhpmevent3 ; csrr a0, mhpmevent31
#            ^^^^^^^^^^^^ support.variable.csr.riscv-asm
#                                    ^^^^^^^^^^^^^^ support.variable.csr.riscv-asm
#                                                              ^^^^^^^^^^ support.variable.csr.riscv-asm
#                                                                                    ^^^^^^^^^^^ support.variable.csr.riscv-asm
    csrr a0, pmpcfg0 ; csrr a0, pmpcfg3 ; csrr a0, pmpaddr0 ; csrr a0, pmpaddr15
#            ^^^^^^^ support.variable.csr.riscv-asm
#                               ^^^^^^^ support.variable.csr.riscv-asm
#                                                  ^^^^^^^^ support.variable.csr.riscv-asm
#                                                                      ^^^^^^^^^ support.variable.csr.riscv-asm
    csrr a0, tselect ; csrr a0, tdata1 ; csrr a0, tdata2 ; csrr a0, tdata3
#            ^^^^^^^ support.variable.csr.riscv-asm
#                               ^^^^^^ support.variable.csr.riscv-asm
#                                                 ^^^^^^ support.variable.csr.riscv-asm
#                                                                   ^^^^^^ support.variable.csr.riscv-asm
# not CSRs: upper case (GNU as rejects it), and out-of-range numbers
    la a0, MSTATUS ; la a0, pmpaddr64 ; la a0, hpmcounter2 ; la a0, mhpmevent32
#          ^^^^^^^ meta.symbol.riscv-asm - support.variable.csr.riscv-asm
#                           ^^^^^^^^^ meta.symbol.riscv-asm - support.variable.csr.riscv-asm
#                                              ^^^^^^^^^^^ meta.symbol.riscv-asm - support.variable.csr.riscv-asm
#                                                                   ^^^^^^^^^^^ meta.symbol.riscv-asm - support.variable.csr.riscv-asm
# numbers
    li a0, 42 ; li a0, -42 ; li a0, 0
#          ^^ constant.numeric.decimal.riscv-asm
#                      ^^^ constant.numeric.decimal.riscv-asm
#                                   ^ constant.numeric.decimal.riscv-asm
    li a0, 0x1F ; li a0, 0XdeadBEEF ; li a0, -0x10
#          ^^^^ constant.numeric.hex.riscv-asm
#                        ^^^^^^^^^^ constant.numeric.hex.riscv-asm
#                                            ^^^^^ constant.numeric.hex.riscv-asm
    li a0, 0b1010 ; li a0, 0B1 ; li a0, 017
#          ^^^^^^ constant.numeric.binary.riscv-asm
#                          ^^^ constant.numeric.binary.riscv-asm
#                                       ^^^ constant.numeric.octal.riscv-asm
    li a0, 'a' ; li a0, '\n' ; li a0, '\'' ; li a0, ';' ; li a0, '#'
#          ^^^ constant.numeric.character.riscv-asm
#                        ^^ constant.numeric.character.riscv-asm constant.character.escape.riscv-asm
#                                      ^^ constant.character.escape.riscv-asm
#                                                   ^^^ constant.numeric.character.riscv-asm
#                                                                ^^^ constant.numeric.character.riscv-asm - comment.line.number-sign.riscv-asm
    li a0, 'a + 1
#          ^^ constant.numeric.character.riscv-asm
#             ^ keyword.operator.riscv-asm
#               ^ constant.numeric.decimal.riscv-asm
# a minus sign is unary after a comma, a parenthesis or a space, and binary before a space
    li a0, (-1) ; la a0, x - 1 ; la a0, x-1
#           ^^ constant.numeric.decimal.riscv-asm
#                          ^ keyword.operator.riscv-asm
#                                        ^ keyword.operator.riscv-asm
#                                         ^ constant.numeric.decimal.riscv-asm
    li a0, (1 << 4) | (3 >> 1) & ~2
#             ^^ keyword.operator.riscv-asm
#                   ^ keyword.operator.riscv-asm
#                        ^^ keyword.operator.riscv-asm
#                              ^ keyword.operator.riscv-asm
#                                ^ keyword.operator.riscv-asm
# numeric labels and their references: 1f and 1b are references, f1 and b1 are symbols
1:  j 1f
#<- entity.name.function.label.numeric.riscv-asm
#^ punctuation.separator.label.riscv-asm
#     ^^ entity.name.function.label.reference.numeric.riscv-asm - constant.numeric.decimal.riscv-asm
1:  j 1b
#     ^^ entity.name.function.label.reference.numeric.riscv-asm - constant.numeric.decimal.riscv-asm
    la a0, f1 ; la a0, b1
#          ^^ meta.symbol.riscv-asm - entity.name.function.label.reference.numeric.riscv-asm
#                      ^^ meta.symbol.riscv-asm - entity.name.function.label.reference.numeric.riscv-asm
0:  j 0b ; li a0, 0b0 ; j 0f
#     ^^ entity.name.function.label.reference.numeric.riscv-asm
#                 ^^^ constant.numeric.binary.riscv-asm
#                         ^^ entity.name.function.label.reference.numeric.riscv-asm
0:  j 10f
#     ^^^ entity.name.function.label.reference.numeric.riscv-asm
10: j .
#<-- entity.name.function.label.numeric.riscv-asm
#     ^ variable.language.location-counter.riscv-asm
# relocation functions
    lui a0, %hi(message)
#           ^^^ support.function.relocation.riscv-asm
#              ^ punctuation.section.parens.begin.riscv-asm
#               ^^^^^^^ meta.symbol.riscv-asm
    addi a0, a0, %lo(message)
#                ^^^ support.function.relocation.riscv-asm
    lw a1, %lo(message)(a0)
#          ^^^ support.function.relocation.riscv-asm
#                       ^^ variable.other.register.abi.riscv-asm
1:  auipc a0, %pcrel_hi(message)
#             ^^^^^^^^^ support.function.relocation.riscv-asm
    addi a0, a0, %pcrel_lo(1b)
#                ^^^^^^^^^ support.function.relocation.riscv-asm
#                          ^^ entity.name.function.label.reference.numeric.riscv-asm
#                            ^ punctuation.section.parens.end.riscv-asm
    .data
message: .word 0
