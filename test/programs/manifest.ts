/**
 * The bare-metal program corpus: what each program checks and how the
 * differential test judges it. Sources are test/programs/NAME.(c|S) and
 * bench/programs/NAME.(c|S); scripts/build-programs.ts builds them.
 */

export interface ProgramSpec {
  name: string;
  /** What the program exercises (one line, for reports and docs). */
  checks: string;
  /**
   * 'qemu': pvlab must reproduce QEMU's UART output and exit status exactly.
   * 'spec-only': QEMU 7.2 is known to differ; pvlab must pass the program's
   * own checks and QEMU must fail exactly `qemuFails`.
   */
  compare: 'qemu' | 'spec-only';
  /** Exit status of a correct run (finisher code). */
  exitCode: number;
  /** spec-only: the check labels QEMU 7.2 fails (its known differences). */
  qemuFails?: string[];
  /** Instruction budget passed to `pvlab run --max-insns`. */
  maxInsns?: number;
}

export const CORPUS: ProgramSpec[] = [
  { name: 'rv32i_alu', compare: 'qemu', exitCode: 0,
    checks: 'every RV32I register/immediate ALU op, shifts by 0/31/>31, slt/sltu with negatives, lui/auipc, x0, fence hints' },
  { name: 'rv32i_mem', compare: 'qemu', exitCode: 0,
    checks: 'lb/lh/lw/lbu/lhu sign and zero extension, sb/sh/sw partial writes, +-2048 offsets, memory signature' },
  { name: 'rv32i_ctrl', compare: 'qemu', exitCode: 0,
    checks: 'all branches taken/not taken (signed/unsigned), loops, jal/jalr links and offsets, jalr bit 0, rd=rs1' },
  { name: 'rv32i_regs', compare: 'qemu', exitCode: 0,
    checks: 'register file (assembly): all of x1..x31 written and read through an RV32IM chain, x0 discards, register signature' },
  { name: 'rv32m', compare: 'qemu', exitCode: 0,
    checks: 'mul/mulh/mulhsu/mulhu/div/divu/rem/remu incl. division by zero and INT_MIN/-1, aliasing, identities' },
  { name: 'rv32a', compare: 'qemu', exitCode: 0,
    checks: 'lr/sc success and failure, retry loop, all AMOs incl. signed/unsigned min/max, aq/rl, misaligned lr.w' },
  { name: 'zicsr', compare: 'qemu', exitCode: 0,
    checks: 'csrrw/s/c and immediate forms on mscratch, read-only and unknown CSRs, misa, mtvec modes, sstatus/sie views' },
  { name: 'counters', compare: 'qemu', exitCode: 0,
    checks: 'cycle/instret/time advance, time vs CLINT mtime, mcounteren/scounteren gating from S and U' },
  { name: 'fencei_smc', compare: 'qemu', exitCode: 0,
    checks: 'generated and patched code with fence.i, hot-loop patching, byte patches, code rewriting itself' },
  { name: 'misaligned', compare: 'qemu', exitCode: 0,
    checks: 'misaligned lw/lh/lhu/sw/sh at every offset performed without traps, incl. across a page boundary' },
  { name: 'traps_m', compare: 'qemu', exitCode: 0,
    checks: 'illegal instruction, ebreak, ecall from M, access faults, fetch fault, misaligned jump targets, MIE/MPIE/MPP' },
  { name: 'traps_priv', compare: 'qemu', exitCode: 0,
    checks: 'mret into S/U, ecall from U/S, medeleg to an S handler, instructions illegal below M/S, TSR/TVM/TW, sret to U' },
  { name: 'interrupts', compare: 'qemu', exitCode: 0,
    checks: 'CLINT timer and msip interrupts, wfi wake-up, priority, vectored mtvec, interrupts from U, delegated SSI/STI' },
  { name: 'plic_uart', compare: 'qemu', exitCode: 0,
    checks: '16550 registers, PLIC priority/enable/threshold, UART THRE interrupt through PLIC to MEIP/SEIP, claim/complete' },
  { name: 'sv32_basic', compare: 'qemu', exitCode: 0,
    checks: 'Sv32 4 KiB and 4 MiB pages, load/store/fetch page faults to S, A/D updates, sfence.vma, MPRV, satp' },
  { name: 'sv32_perm', compare: 'qemu', exitCode: 0,
    checks: 'U bit for S and U, SUM, MXR, U faults taken in M, MPRV with MPP=S/U plus SUM/MXR' },
  { name: 'sort', compare: 'qemu', exitCode: 0,
    checks: 'workload: insertion/quick/merge/heap sort of 3000 signed integers, cross-checked' },
  { name: 'crc32', compare: 'qemu', exitCode: 0,
    checks: 'workload: CRC-32 (bitwise/table), CRC-32C, CRC-16, Adler-32 check values, 64 KiB CRC and residue' },
  { name: 'matmul', compare: 'qemu', exitCode: 0,
    checks: 'workload: 24x24 matrix products and identities, Q16.16, Bareiss determinants, libgcc 64-bit division' },
  { name: 'strings', compare: 'qemu', exitCode: 0,
    checks: 'workload: mem*/str* on unaligned and overlapping buffers, integer conversions, tokenising, word counts' },
  { name: 'printf_stress', compare: 'qemu', exitCode: 0,
    checks: 'workload: printf/snprintf conversions, flags, widths, truncation, a 64-line UART table' },
  { name: 'exit_code', compare: 'qemu', exitCode: 42,
    checks: 'finisher failure encoding: exit status 42 after output' },
  { name: 'spec_quirks', compare: 'spec-only', exitCode: 0,
    checks: 'where QEMU 7.2 deviates from the specification (or from Sail where the spec allows both): mtval of misaligned branch/jal and ebreak, misaligned AMO/SC, csrrs on read-only CSRs, mepc masking, minstret writes',
    qemuFails: [
      'Q1 beq to pc+10: mtval = target',
      'Q2 jal to pc+6: mtval = target',
      'Q3 misaligned amoadd.w: cause 6',
      'Q4 misaligned sc.w: cause 6',
      'Q5 csrrs mvendorid, t1 (t1 = 0): illegal',
      'Q6 mepc/sepc[1:0] read as zero',
      'Q7 minstret reads back the written value',
      'Q8 ebreak: mtval = pc',
    ] },
];

/** The CoreMark-style benchmark (bench/programs/pvmark.c) and its known result. */
export const BENCH = {
  name: 'pvmark',
  iterations: 3300,
  checksum: 0xef0fe3eb,
  /** About 303 M instructions (counted with QEMU -icount). */
  approxInstructions: 303_000_000,
} as const;

/** Default instruction budget for corpus programs under pvlab (all need far fewer). */
export const DEFAULT_MAX_INSNS = 50_000_000;
