# M and A extensions: every instruction, every ordering suffix.
    .text
    .globl _start
_start:
    mul     a0, a1, a2
    mulh    a3, a4, a5
    mulhsu  a6, a7, s2
    mulhu   s3, s4, s5
    div     s6, s7, s8
    divu    s9, s10, s11
    rem     t3, t4, t5
    remu    t6, t0, t1
    lr.w        a0, (a1)
    lr.w.aq     a0, (a1)
    lr.w.rl     a0, (a1)
    lr.w.aqrl   a0, 0(a1)
    sc.w        a2, a3, (a4)
    sc.w.aq     a2, a3, (a4)
    sc.w.rl     a2, a3, (a4)
    sc.w.aqrl   a2, a3, 0(a4)
    .irp op, amoswap.w, amoadd.w, amoxor.w, amoand.w, amoor.w, amomin.w, amomax.w, amominu.w, amomaxu.w
    \op         t0, t1, (t2)
    \op\().aq   s0, s1, (a0)
    \op\().rl   x1, x2, 0(x3)
    \op\().aqrl zero, ra, (sp)
    .endr
