/**
 * A few-line "assembler" for CPU unit tests: instruction words built from the one
 * instruction table (emulator/isa/table.ts) with `place`, loaded into a bare
 * VirtMachine at the start of RAM and run. Not a test file itself.
 */
import { INSTRUCTIONS, place } from '../../emulator/isa/table';
import { VirtMachine } from '../../emulator/system/virt-machine';
import type { MachineStop } from '../../emulator/system/virt-machine';
import type { Tier } from '../../emulator/cpu/hart';

export const RAM = 0x80000000;

function def(name: string) {
  const d = INSTRUCTIONS.find((i) => i.name === name);
  if (!d) throw new Error(`no instruction ${name}`);
  return d;
}

/** rd, rs1, rs2 (R format, AMOs: rd, rs2, (rs1)). */
export const r = (name: string, rd: number, rs1: number, rs2: number) =>
  (def(name).match | place.rd(rd) | place.rs1(rs1) | place.rs2(rs2)) >>> 0;
/** rd, rs1, imm (I format, loads, jalr, shifts by immediate). */
export const i = (name: string, rd: number, rs1: number, imm: number) =>
  (def(name).match | place.rd(rd) | place.rs1(rs1) | place.immI(imm)) >>> 0;
/** rs2, imm(rs1) (stores). */
export const s = (name: string, rs2: number, rs1: number, imm: number) =>
  (def(name).match | place.rs1(rs1) | place.rs2(rs2) | place.immS(imm)) >>> 0;
/** rs1, rs2, offset (branches). */
export const b = (name: string, rs1: number, rs2: number, offset: number) =>
  (def(name).match | place.rs1(rs1) | place.rs2(rs2) | place.immB(offset)) >>> 0;
export const jal = (rd: number, offset: number) => (def('jal').match | place.rd(rd) | place.immJ(offset)) >>> 0;
export const lui = (rd: number, value: number) => (def('lui').match | place.rd(rd) | place.immU(value)) >>> 0;
/** csrrw/csrrs/csrrc rd, csr, rs1 (and the *i forms with a uimm in place of rs1). */
export const csr = (name: string, rd: number, num: number, rs1: number) =>
  (def(name).match | place.rd(rd) | place.rs1(rs1) | ((num & 0xfff) << 20)) >>> 0;
/** Instructions without operands (ecall, mret, wfi, ...). */
export const sys = (name: string) => def(name).match >>> 0;

/** `li rd, value` as lui + addi (two words). */
export function li(rd: number, value: number): number[] {
  const lo = (value << 20) >> 20;
  const hi = (value - lo) | 0;
  return [lui(rd, hi), i('addi', rd, rd, lo)];
}

/** Stops the machine through the SiFive test finisher with exit code 0 (uses t6 and t5). */
export function pass(): number[] {
  return [...li(31, 0x100000), ...li(30, 0x5555), s('sw', 30, 31, 0)];
}

/** The execution tiers every CPU test runs under. */
export const TIERS: readonly Tier[] = ['interpreter', 'jit'];

/** JIT settings for tests: compile after a few instructions, so short programs run compiled. */
export const EAGER_JIT = { hotThreshold: 16, chunk: 16 } as const;

let currentTier: Tier = 'interpreter';

/** The tier machines built by `machine`/`run` use (set per describe block). */
export function useTier(tier: Tier): void {
  currentTier = tier;
}

/** `describe` once per tier, with `machine`/`run` building harts of that tier. */
export function describeTiers(title: string, body: (tier: Tier) => void): void {
  for (const tier of TIERS) {
    describe(`${title} [${tier}]`, function () {
      beforeEach(() => useTier(tier));
      body(tier);
    });
  }
}

/** A machine with `words` at the start of RAM and the hart reset there, in M-mode. */
export function machine(words: number[], at = RAM, tier: Tier = currentTier): VirtMachine {
  const vm = new VirtMachine({ ramMiB: 4, tier, jit: EAGER_JIT });
  load(vm, at, words);
  vm.hart.reset(RAM);
  return vm;
}

/** Writes `words` into RAM at physical address `at`. */
export function load(vm: VirtMachine, at: number, words: number[]): void {
  const bytes = new Uint8Array(words.length * 4);
  const view = new DataView(bytes.buffer);
  words.forEach((w, k) => view.setUint32(k * 4, w >>> 0, true));
  vm.bus.loadBytes(at, bytes);
}

/** Runs `words` to the finisher (or the limit) and returns the machine and why it stopped. */
export function run(words: number[], limit = 10_000): { vm: VirtMachine; stop: MachineStop } {
  const vm = machine(words);
  const stop = vm.run(limit);
  return { vm, stop };
}

/** Register numbers by ABI name, for readability. */
export const X = {
  zero: 0, ra: 1, sp: 2, gp: 3, tp: 4, t0: 5, t1: 6, t2: 7, s0: 8, s1: 9,
  a0: 10, a1: 11, a2: 12, a3: 13, a4: 14, a5: 15, a6: 16, a7: 17,
  t3: 28, t4: 29, t5: 30, t6: 31,
} as const;
