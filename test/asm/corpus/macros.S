# Macros (positional, named and default arguments, :req, :vararg, \@, \()), .rept, .irp, .irpc, conditionals.
    .macro  push reg
    addi    sp, sp, -4
    sw      \reg, 0(sp)
    .endm

    .macro  pop reg
    lw      \reg, 0(sp)
    addi    sp, sp, 4
    .endm

    .macro  load_const rd, value=0x1234
    li      \rd, \value
    .endm

    .macro  store_all base:req, regs:vararg
    .irp    r, \regs
    sw      \r, 0(\base)
    addi    \base, \base, 4
    .endr
    .endm

    .macro  countdown n
    .if     \n
    addi    a0, a0, \n
    countdown \n - 1
    .endif
    .endm

    .macro  unique
loop\@:
    addi    t0, t0, -1
    bnez    t0, loop\@
    .endm

    .macro  suffixed op, reg
    \op\().w.aq \reg, (a0)
    .endm

    .macro  table name, count
\name:
    .rept   \count
    .word   \count
    .endr
    .endm

    .macro  maybe_nop flag
    .ifb    \flag
    nop
    .else
    ebreak
    .endif
    .endm

    .macro  pick kind
    .ifc    \kind, add
    add     a0, a0, a1
    .elseif 1
    sub     a0, a0, a1
    .endif
    .endm

    .macro  early
    addi    a0, a0, 1
    .exitm
    addi    a0, a0, 2
    .endm

    .text
    .globl  _start
_start:
    push    ra
    push    s0
    pop     s0
    pop     ra
    load_const a0
    load_const a1, 0x7fff0000
    load_const value=5, rd=a2
    store_all sp, a0, a1, a2
    countdown 3
    unique
    unique
    suffixed lr, a1
    maybe_nop
    maybe_nop x
    pick add
    pick sub
    early
    .rept   3
    addi    a0, a0, 1
    .endr
    .rept   0
    ebreak
    .endr
    .irp    reg, t0, t1, t2
    mv      \reg, zero
    .endr
    .irpc   n, 123
    addi    a0, a0, \n
    .endr
    .ifdef  _start
    nop
    .endif
    .ifndef undefined_symbol
    nop
    .else
    ebreak
    .endif
    .if     2 > 1
    li      a0, 2
    .elseif 1
    li      a0, 3
    .else
    li      a0, 4
    .endif
    .if     0
    this is not assembled at all ! @
    .endif
    .ifeq   0
    nop
    .endif
    .ifne   0
    ebreak
    .endif
    .ifgt   1
    nop
    .endif
    .iflt   -1
    nop
    .endif
    .ifnc   a, b
    nop
    .endif
    ret

    .data
    table   squares, 4
    table   ones, 1
