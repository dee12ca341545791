# SYNTAX TEST "source.riscv-asm" "instructions and pseudo-instructions"
# RV32I, M, A, Zicsr, Zifencei and privileged instructions, then the pseudo-instructions.
    .text
    lui a0, 0x12345
#   ^^^ meta.instruction.riscv-asm keyword.other.instruction.alu.riscv-asm
#       ^^ variable.other.register.abi.riscv-asm
#           ^^^^^^^ constant.numeric.hex.riscv-asm
    auipc t0, 0
#   ^^^^^ keyword.other.instruction.alu.riscv-asm
    jal ra, 1f
#   ^^^ keyword.control.instruction.riscv-asm
#       ^^ variable.other.register.abi.riscv-asm
#           ^^ entity.name.function.label.reference.numeric.riscv-asm
1:  jalr zero, 0(ra)
#<- entity.name.function.label.numeric.riscv-asm
#   ^^^^ keyword.control.instruction.riscv-asm
#        ^^^^ variable.other.register.abi.riscv-asm
#              ^ constant.numeric.decimal.riscv-asm
#               ^ punctuation.section.parens.begin.riscv-asm
#                ^^ variable.other.register.abi.riscv-asm
#                  ^ punctuation.section.parens.end.riscv-asm
    beq a0, a1, 1b
#   ^^^ keyword.control.instruction.riscv-asm
#               ^^ entity.name.function.label.reference.numeric.riscv-asm
    bne a0, a1, 1b
#   ^^^ keyword.control.instruction.riscv-asm
    blt a0, a1, 1b
#   ^^^ keyword.control.instruction.riscv-asm
    bge a0, a1, 1b
#   ^^^ keyword.control.instruction.riscv-asm
    bltu a0, a1, 1b
#   ^^^^ keyword.control.instruction.riscv-asm
    bgeu a0, a1, 1b
#   ^^^^ keyword.control.instruction.riscv-asm
    lb a0, 0(sp) ; lh a0, 2(sp) ; lw a0, 4(sp)
#   ^^ keyword.other.instruction.memory.riscv-asm
#                  ^^ keyword.other.instruction.memory.riscv-asm
#                                 ^^ keyword.other.instruction.memory.riscv-asm
#                                          ^^ variable.other.register.abi.riscv-asm
    lbu a0, -1(sp) ; lhu a0, -2(sp)
#   ^^^ keyword.other.instruction.memory.riscv-asm
#           ^^ constant.numeric.decimal.riscv-asm
#                    ^^^ keyword.other.instruction.memory.riscv-asm
#                            ^^ constant.numeric.decimal.riscv-asm
    sb a0, 0(sp) ; sh a0, 2(sp) ; sw a0, 4(sp)
#   ^^ keyword.other.instruction.memory.riscv-asm
#                  ^^ keyword.other.instruction.memory.riscv-asm
#                                 ^^ keyword.other.instruction.memory.riscv-asm
    addi a0, a0, -42
#   ^^^^ keyword.other.instruction.alu.riscv-asm
#                ^^^ constant.numeric.decimal.riscv-asm
    slti a0, a0, 1 ; sltiu a0, a0, 1
#   ^^^^ keyword.other.instruction.alu.riscv-asm
#                    ^^^^^ keyword.other.instruction.alu.riscv-asm
    xori a0, a0, 1 ; ori a0, a0, 1 ; andi a0, a0, 1
#   ^^^^ keyword.other.instruction.alu.riscv-asm
#                    ^^^ keyword.other.instruction.alu.riscv-asm
#                                    ^^^^ keyword.other.instruction.alu.riscv-asm
    slli a0, a0, 1 ; srli a0, a0, 1 ; srai a0, a0, 1
#   ^^^^ keyword.other.instruction.alu.riscv-asm
#                    ^^^^ keyword.other.instruction.alu.riscv-asm
#                                     ^^^^ keyword.other.instruction.alu.riscv-asm
    add a0, a1, a2 ; sub a0, a1, a2 ; sll a0, a1, a2
#   ^^^ keyword.other.instruction.alu.riscv-asm
#                    ^^^ keyword.other.instruction.alu.riscv-asm
#                                     ^^^ keyword.other.instruction.alu.riscv-asm
#               ^^ variable.other.register.abi.riscv-asm
    slt a0, a1, a2 ; sltu a0, a1, a2 ; xor a0, a1, a2
#   ^^^ keyword.other.instruction.alu.riscv-asm
#                    ^^^^ keyword.other.instruction.alu.riscv-asm
#                                      ^^^ keyword.other.instruction.alu.riscv-asm
    srl a0, a1, a2 ; sra a0, a1, a2 ; or a0, a1, a2 ; and a0, a1, a2
#   ^^^ keyword.other.instruction.alu.riscv-asm
#                    ^^^ keyword.other.instruction.alu.riscv-asm
#                                     ^^ keyword.other.instruction.alu.riscv-asm
#                                                     ^^^ keyword.other.instruction.alu.riscv-asm
    fence
#   ^^^^^ keyword.other.instruction.fence.riscv-asm
    fence rw, w
#   ^^^^^ meta.instruction.riscv-asm keyword.other.instruction.fence.riscv-asm
#         ^^ support.constant.fence-set.riscv-asm
#             ^ support.constant.fence-set.riscv-asm
    fence iorw, iorw
#         ^^^^ support.constant.fence-set.riscv-asm
    fence.tso
#   ^^^^^^^^^ keyword.other.instruction.fence.riscv-asm
    fence.i
#   ^^^^^^^ keyword.other.instruction.fence.riscv-asm
    ecall ; ebreak
#   ^^^^^ keyword.control.instruction.riscv-asm
#           ^^^^^^ keyword.control.instruction.riscv-asm
# M
    mul a0, a1, a2 ; mulh a0, a1, a2 ; mulhsu a0, a1, a2 ; mulhu a0, a1, a2
#   ^^^ keyword.other.instruction.muldiv.riscv-asm
#                    ^^^^ keyword.other.instruction.muldiv.riscv-asm
#                                      ^^^^^^ keyword.other.instruction.muldiv.riscv-asm
#                                                          ^^^^^ keyword.other.instruction.muldiv.riscv-asm
    div a0, a1, a2 ; divu a0, a1, a2 ; rem a0, a1, a2 ; remu a0, a1, a2
#   ^^^ keyword.other.instruction.muldiv.riscv-asm
#                    ^^^^ keyword.other.instruction.muldiv.riscv-asm
#                                      ^^^ keyword.other.instruction.muldiv.riscv-asm
#                                                       ^^^^ keyword.other.instruction.muldiv.riscv-asm
# A, with and without ordering suffixes
    lr.w a0, (a1)
#   ^^^^ keyword.other.instruction.atomic.riscv-asm
#            ^ punctuation.section.parens.begin.riscv-asm
#             ^^ variable.other.register.abi.riscv-asm
    lr.w.aq a0, (a1)
#   ^^^^^^^ meta.instruction.riscv-asm keyword.other.instruction.atomic.riscv-asm
    sc.w.rl a2, a0, (a1)
#   ^^^^^^^ keyword.other.instruction.atomic.riscv-asm
    sc.w.aqrl a2, a0, (a1)
#   ^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
    amoswap.w a0, a1, (a2) ; amoadd.w.aq a0, a1, (a2)
#   ^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
#                            ^^^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
    amoxor.w.rl a0, a1, (a2) ; amoand.w.aqrl a0, a1, (a2)
#   ^^^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
#                              ^^^^^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
    amoor.w a0, a1, (a2) ; amomin.w a0, a1, (a2) ; amomax.w a0, a1, (a2)
#   ^^^^^^^ keyword.other.instruction.atomic.riscv-asm
#                          ^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
#                                                  ^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
    amominu.w a0, a1, (a2) ; amomaxu.w.aq a0, a1, (a2)
#   ^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
#                            ^^^^^^^^^^^^ keyword.other.instruction.atomic.riscv-asm
# Zicsr
    csrrw a0, mscratch, a1 ; csrrs a0, mstatus, a1 ; csrrc a0, mie, a1
#   ^^^^^ keyword.other.instruction.csr.riscv-asm
#             ^^^^^^^^ support.variable.csr.riscv-asm
#                            ^^^^^ keyword.other.instruction.csr.riscv-asm
#                                      ^^^^^^^ support.variable.csr.riscv-asm
#                                                    ^^^^^ keyword.other.instruction.csr.riscv-asm
#                                                              ^^^ support.variable.csr.riscv-asm
    csrrwi a0, sscratch, 1 ; csrrsi a0, sstatus, 2 ; csrrci a0, sie, 31
#   ^^^^^^ keyword.other.instruction.csr.riscv-asm
#                            ^^^^^^ keyword.other.instruction.csr.riscv-asm
#                                                    ^^^^^^ keyword.other.instruction.csr.riscv-asm
#                                       ^^^^^^^ support.variable.csr.riscv-asm
#                                                                    ^^ constant.numeric.decimal.riscv-asm
    csrrw zero, 0x340, a0
#               ^^^^^ constant.numeric.hex.riscv-asm
# privileged
    mret ; sret ; wfi
#   ^^^^ keyword.control.instruction.riscv-asm
#          ^^^^ keyword.control.instruction.riscv-asm
#                 ^^^ keyword.other.instruction.privileged.riscv-asm
    sfence.vma ; sfence.vma a0, zero
#   ^^^^^^^^^^ keyword.other.instruction.privileged.riscv-asm
#                ^^^^^^^^^^ keyword.other.instruction.privileged.riscv-asm
#                               ^^^^ variable.other.register.abi.riscv-asm
# pseudo-instructions
    nop
#   ^^^ meta.instruction.riscv-asm keyword.other.instruction.pseudo.riscv-asm
    li a0, -42
#   ^^ keyword.other.instruction.pseudo.riscv-asm
#          ^^^ constant.numeric.decimal.riscv-asm
    la a0, message ; lla a1, message
#   ^^ keyword.other.instruction.pseudo.riscv-asm
#          ^^^^^^^ meta.symbol.riscv-asm
#                    ^^^ keyword.other.instruction.pseudo.riscv-asm
    mv a0, a1 ; not a0, a1 ; neg a0, a1
#   ^^ keyword.other.instruction.pseudo.riscv-asm
#               ^^^ keyword.other.instruction.pseudo.riscv-asm
#                            ^^^ keyword.other.instruction.pseudo.riscv-asm
    seqz a0, a1 ; snez a0, a1 ; sltz a0, a1 ; sgtz a0, a1
#   ^^^^ keyword.other.instruction.pseudo.riscv-asm
#                 ^^^^ keyword.other.instruction.pseudo.riscv-asm
#                               ^^^^ keyword.other.instruction.pseudo.riscv-asm
#                                             ^^^^ keyword.other.instruction.pseudo.riscv-asm
2:  beqz a0, 2b ; bnez a0, 2b ; blez a0, 2b
#   ^^^^ keyword.control.instruction.riscv-asm
#                 ^^^^ keyword.control.instruction.riscv-asm
#                               ^^^^ keyword.control.instruction.riscv-asm
#                                        ^^ entity.name.function.label.reference.numeric.riscv-asm
    bgez a0, 2b ; bltz a0, 2b ; bgtz a0, 2b
#   ^^^^ keyword.control.instruction.riscv-asm
#                 ^^^^ keyword.control.instruction.riscv-asm
#                               ^^^^ keyword.control.instruction.riscv-asm
    bgt a0, a1, 2b ; ble a0, a1, 2b ; bgtu a0, a1, 2b ; bleu a0, a1, 2b
#   ^^^ keyword.control.instruction.riscv-asm
#                    ^^^ keyword.control.instruction.riscv-asm
#                                     ^^^^ keyword.control.instruction.riscv-asm
#                                                       ^^^^ keyword.control.instruction.riscv-asm
    j 2b ; jr a0 ; jal 2b ; jalr a0
#   ^ keyword.control.instruction.riscv-asm
#          ^^ keyword.control.instruction.riscv-asm
#                  ^^^ keyword.control.instruction.riscv-asm
#                           ^^^^ keyword.control.instruction.riscv-asm
    call memcpy ; tail memcpy
#   ^^^^ keyword.control.instruction.riscv-asm
#        ^^^^^^ meta.symbol.riscv-asm
#                 ^^^^ keyword.control.instruction.riscv-asm
    ret
#   ^^^ meta.instruction.riscv-asm keyword.control.instruction.riscv-asm
    csrr a0, mhartid ; csrw mtvec, a0 ; csrs mie, a0 ; csrc mip, a0
#   ^^^^ keyword.other.instruction.csr.riscv-asm
#            ^^^^^^^ support.variable.csr.riscv-asm
#                      ^^^^ keyword.other.instruction.csr.riscv-asm
#                                       ^^^^ keyword.other.instruction.csr.riscv-asm
#                                                      ^^^^ keyword.other.instruction.csr.riscv-asm
#                                                           ^^^ support.variable.csr.riscv-asm
    csrwi mscratch, 0 ; csrsi mstatus, 8 ; csrci mstatus, 8
#   ^^^^^ keyword.other.instruction.csr.riscv-asm
#                       ^^^^^ keyword.other.instruction.csr.riscv-asm
#                                          ^^^^^ keyword.other.instruction.csr.riscv-asm
    rdcycle a0 ; rdtime a0 ; rdinstret a0
#   ^^^^^^^ keyword.other.instruction.csr.riscv-asm
#                ^^^^^^ keyword.other.instruction.csr.riscv-asm
#                            ^^^^^^^^^ keyword.other.instruction.csr.riscv-asm
    rdcycleh a0 ; rdtimeh a0 ; rdinstreth a0
#   ^^^^^^^^ keyword.other.instruction.csr.riscv-asm
#                 ^^^^^^^ keyword.other.instruction.csr.riscv-asm
#                              ^^^^^^^^^^ keyword.other.instruction.csr.riscv-asm
# mnemonics are case-insensitive in GNU as
    ADDI a0, a0, 1
#   ^^^^ keyword.other.instruction.alu.riscv-asm
    LR.W.AQ a0, (a1)
#   ^^^^^^^ keyword.other.instruction.atomic.riscv-asm
# an operand never reads as a mnemonic: these are symbols
    call ret
#   ^^^^ keyword.control.instruction.riscv-asm
#        ^^^ meta.symbol.riscv-asm - keyword.control.instruction.riscv-asm
    la a0, j
#          ^ meta.symbol.riscv-asm - keyword.control.instruction.riscv-asm
# mnemonics pvlab does not know are macro calls, not instructions
    .macro pvlab_noop
    .endm
    pvlab_noop
#   ^^^^^^^^^^ meta.instruction.macro-call.riscv-asm entity.name.function.macro.call.riscv-asm
    .if 0
    addiw a0, a0, 1
#   ^^^^^ entity.name.function.macro.call.riscv-asm - keyword.other.instruction.alu.riscv-asm
    lr.w.rlaq a0, (a1)
#   ^^^^^^^^^ entity.name.function.macro.call.riscv-asm - keyword.other.instruction.atomic.riscv-asm
    lr.d a0, (a1)
#   ^^^^ entity.name.function.macro.call.riscv-asm - keyword.other.instruction.atomic.riscv-asm
    .endif
    .data
message: .asciz "hi"
