/**
 * CSR numbers and names (RISC-V privileged spec 1.12, RV32). This is the one list of
 * names: the disassembler prints them, the assembler parses them, the debugger shows them.
 * Whether the CPU implements a CSR is decided in emulator/cpu/csr.ts, not here.
 */
const table: Array<[number, string]> = [
  // Floating-point CSRs: not implemented (no F), but named so disassembly reads as GNU objdump's
  [0x001, 'fflags'], [0x002, 'frm'], [0x003, 'fcsr'],
  // Unprivileged counters (Zicntr)
  [0xc00, 'cycle'], [0xc01, 'time'], [0xc02, 'instret'],
  [0xc80, 'cycleh'], [0xc81, 'timeh'], [0xc82, 'instreth'],
  // Supervisor
  [0x100, 'sstatus'], [0x104, 'sie'], [0x105, 'stvec'], [0x106, 'scounteren'], [0x10a, 'senvcfg'],
  [0x140, 'sscratch'], [0x141, 'sepc'], [0x142, 'scause'], [0x143, 'stval'], [0x144, 'sip'],
  [0x180, 'satp'],
  // Machine information
  [0xf11, 'mvendorid'], [0xf12, 'marchid'], [0xf13, 'mimpid'], [0xf14, 'mhartid'], [0xf15, 'mconfigptr'],
  // Machine trap setup and handling
  [0x300, 'mstatus'], [0x301, 'misa'], [0x302, 'medeleg'], [0x303, 'mideleg'], [0x304, 'mie'],
  [0x305, 'mtvec'], [0x306, 'mcounteren'], [0x30a, 'menvcfg'], [0x310, 'mstatush'], [0x31a, 'menvcfgh'],
  [0x340, 'mscratch'], [0x341, 'mepc'], [0x342, 'mcause'], [0x343, 'mtval'], [0x344, 'mip'],
  [0x34a, 'mtinst'], [0x34b, 'mtval2'],
  // Machine counters
  [0xb00, 'mcycle'], [0xb02, 'minstret'], [0xb80, 'mcycleh'], [0xb82, 'minstreth'],
  [0x320, 'mcountinhibit'],
  // Debug/trace triggers
  [0x7a0, 'tselect'], [0x7a1, 'tdata1'], [0x7a2, 'tdata2'], [0x7a3, 'tdata3'],
  // Debug mode
  [0x7b0, 'dcsr'], [0x7b1, 'dpc'], [0x7b2, 'dscratch0'], [0x7b3, 'dscratch1'],
];
for (let i = 0; i < 16; i++) table.push([0x3a0 + i, `pmpcfg${i}`]);
for (let i = 0; i < 64; i++) table.push([0x3b0 + i, `pmpaddr${i}`]);
// CSRs of extensions pvlab does not implement (V, Zkr, Sstc, Smstateen, AIA, H, Sscofpmf,
// Smepmp, Sdtrig), named so that disassembly and the assembler know them as GNU tools do.
table.push(
  [0x008, 'vstart'], [0x009, 'vxsat'], [0x00a, 'vxrm'], [0x00f, 'vcsr'], [0xc20, 'vl'], [0xc21, 'vtype'], [0xc22, 'vlenb'],
  [0x015, 'seed'],
  [0x14d, 'stimecmp'], [0x15d, 'stimecmph'], [0x24d, 'vstimecmp'], [0x25d, 'vstimecmph'],
  [0x114, 'sieh'], [0x150, 'siselect'], [0x151, 'sireg'], [0x154, 'siph'], [0x15c, 'stopei'], [0xdb0, 'stopi'],
  [0x308, 'mvien'], [0x309, 'mvip'], [0x313, 'midelegh'], [0x314, 'mieh'], [0x318, 'mvienh'], [0x319, 'mviph'],
  [0x350, 'miselect'], [0x351, 'mireg'], [0x354, 'miph'], [0x35c, 'mtopei'], [0xfb0, 'mtopi'],
  [0x200, 'vsstatus'], [0x204, 'vsie'], [0x205, 'vstvec'], [0x214, 'vsieh'], [0x240, 'vsscratch'], [0x241, 'vsepc'],
  [0x242, 'vscause'], [0x243, 'vstval'], [0x244, 'vsip'], [0x250, 'vsiselect'], [0x251, 'vsireg'], [0x254, 'vsiph'],
  [0x25c, 'vstopei'], [0x280, 'vsatp'], [0xeb0, 'vstopi'],
  [0x600, 'hstatus'], [0x602, 'hedeleg'], [0x603, 'hideleg'], [0x604, 'hie'], [0x605, 'htimedelta'], [0x606, 'hcounteren'],
  [0x607, 'hgeie'], [0x608, 'hvien'], [0x609, 'hvictl'], [0x60a, 'henvcfg'], [0x613, 'hidelegh'], [0x615, 'htimedeltah'],
  [0x618, 'hvienh'], [0x61a, 'henvcfgh'], [0x643, 'htval'], [0x644, 'hip'], [0x645, 'hvip'], [0x646, 'hviprio1'],
  [0x647, 'hviprio2'], [0x64a, 'htinst'], [0x655, 'hviph'], [0x656, 'hviprio1h'], [0x657, 'hviprio2h'], [0x680, 'hgatp'],
  [0xe12, 'hgeip'], [0x6a8, 'hcontext'],
  [0xda0, 'scountovf'], [0x747, 'mseccfg'], [0x757, 'mseccfgh'],
  [0x5a8, 'scontext'], [0x7a4, 'tinfo'], [0x7a5, 'tcontrol'], [0x7a8, 'mcontext'], [0x7aa, 'mscontext'],
);
for (let i = 0; i < 4; i++) {
  table.push([0x10c + i, `sstateen${i}`], [0x30c + i, `mstateen${i}`], [0x31c + i, `mstateen${i}h`]);
  table.push([0x60c + i, `hstateen${i}`], [0x61c + i, `hstateen${i}h`]);
}
for (let i = 3; i < 32; i++) table.push([0x720 + i, `mhpmevent${i}h`]);
for (let i = 3; i < 32; i++) {
  table.push([0xc00 + i, `hpmcounter${i}`], [0xc80 + i, `hpmcounter${i}h`]);
  table.push([0xb00 + i, `mhpmcounter${i}`], [0xb80 + i, `mhpmcounter${i}h`]);
  table.push([0x320 + i, `mhpmevent${i}`]);
}

export const CSR_NAMES: ReadonlyMap<number, string> = new Map(table);
const numbers = new Map<string, number>(table.map(([n, s]) => [s, n]));

export function csrName(num: number): string | undefined {
  return CSR_NAMES.get(num);
}

export function csrNumber(name: string): number | undefined {
  return numbers.get(name.toLowerCase());
}
