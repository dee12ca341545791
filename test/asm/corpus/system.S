# Zicsr, Zifencei and privileged instructions, CSR names and numbers, CSR aliases.
    .text
    .globl _start
_start:
    csrrw   a0, mstatus, a1
    csrrs   a0, mie, zero
    csrrc   t0, mip, t1
    csrrwi  a0, mtvec, 0
    csrrsi  a0, 0x340, 31
    csrrci  a0, sstatus, 5
    csrrw   a0, mscratch, 7
    csrrs   a0, 0xfff, a1
    csrr    a0, mhartid
    csrr    a1, 0xf11
    csrw    mepc, a0
    csrw    sepc, 3
    csrs    sie, t0
    csrs    sie, 1
    csrc    sip, t1
    csrc    sip, 2
    csrwi   stvec, 4
    csrsi   satp, 31
    csrci   scause, 1
    csrr    t0, pmpaddr0
    csrw    pmpcfg0, t1
    csrr    t2, mhpmcounter3
    csrr    t3, cycle
    csrr    t4, time
    rdcycle     a0
    rdcycleh    a1
    rdtime      a2
    rdtimeh     a3
    rdinstret   a4
    rdinstreth  a5
    fence.i
    fence
    fence.tso
    sfence.vma
    sfence.vma  a0
    sfence.vma  a0, a1
    mret
    sret
    wfi
    ecall
    ebreak
    scall
    sbreak
    unimp
    .equ MY_CSR, 0x7c0
    csrr    a0, MY_CSR
