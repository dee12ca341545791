/**
 * Host cost of the hypervisor's paths (a benchmark, not a test; medians of
 * several runs, on whatever machine runs it):
 *   - a hypercall round trip from a guest (ecall → dispatch → trace → return),
 *     and the dispatcher alone driven from TypeScript;
 *   - a VM switch (the scheduler handing the machine to a vCPU of another VM);
 *   - containing and restarting a 4 MiB VM (target: at most 10 ms).
 * Needs riscv64-unknown-elf-gcc for the test guests.
 *
 *   npx tsc -p . && node out/bench/hypervisor-bench.js [--runs N]
 */
import { performance } from 'node:perf_hooks';
import { SBI_BASE_GET_SPEC_VERSION, SBI_EXT_BASE } from '../emulator/hypervisor/abi.generated';
import type { SystemRuntime } from '../emulator/system/system-runtime';
import { buildGuest, systemFrom } from '../test/hypervisor-core/support';
import { findTool } from '../test/support/tools';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function spinSystem(image: string, vms: number, quantum: number, ramMiB = 4): SystemRuntime {
  return systemFrom({
    name: 'bench',
    vms: Array.from({ length: vms }, (_, i) => ({
      name: `vm${i}`, image, ramMiB, role: 'client', restart: { maxRestarts: 1_000_000, initialBackoffMs: 0, maxBackoffMs: 0 },
    })),
    scheduler: { quantum },
  });
}

/** Host seconds to run `instructions` on the system. */
function timeRun(rt: SystemRuntime, instructions: number): number {
  const t0 = performance.now();
  rt.hypervisor.run({ instructions });
  return (performance.now() - t0) / 1000;
}

function hypercallFromGuest(runs: number): { nsPerCall: number; nsPerCallNet: number; callsPerRun: number } {
  const loop = buildGuest('spin.c', ['HYPERCALL_LOOP']);
  const spin = buildGuest('spin.c');
  const N = 3_000_000;
  const perCall: number[] = [];
  const net: number[] = [];
  let calls = 0;
  for (let r = 0; r < runs; r++) {
    const a = spinSystem(loop, 1, 10_000);
    a.hypervisor.run({ instructions: 10_000 }); // warm up
    const c0 = a.hypervisor.stats.hypercalls;
    const i0 = a.hypervisor.vcpus[0].hart.retired;
    const t = timeRun(a, N);
    calls = a.hypervisor.stats.hypercalls - c0;
    const insns = a.hypervisor.vcpus[0].hart.retired - i0;
    const b = spinSystem(spin, 1, 10_000);
    b.hypervisor.run({ instructions: 10_000 });
    const tb = timeRun(b, N);
    const secPerInsn = tb / N;
    perCall.push((t / calls) * 1e9);
    net.push(((t - insns * secPerInsn) / calls) * 1e9);
  }
  return { nsPerCall: median(perCall), nsPerCallNet: median(net), callsPerRun: calls };
}

function hypercallDirect(runs: number): number {
  const rt = spinSystem(buildGuest('spin.c'), 1, 10_000);
  const hv = rt.hypervisor;
  const vm = hv.vms[0];
  const args = [0, 0, 0, 0, 0, 0];
  const N = 1_000_000;
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) hv.hypercall(vm, vm.vcpus[0], SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, args);
    samples.push(((performance.now() - t0) / N) * 1e6);
  }
  return median(samples);
}

/**
 * A VM switch: the host time of a slice boundary that hands the machine to a
 * vCPU of another VM (two VMs sharing the machine in quanta of Q
 * instructions), against one where the same vCPU goes on (one VM, same
 * quanta), both net of the time the instructions take (one VM, one huge
 * quantum). Minimum over the runs: the machine's noise only adds.
 */
function vmSwitch(runs: number): { nsWithSwitch: number; nsWithout: number; switches: number } {
  const spin = buildGuest('spin.c');
  const N = 4_000_000;
  const Q = 100;
  const withSwitch: number[] = [];
  const without: number[] = [];
  let switches = 0;
  const measure = (vms: number, quantum: number) => {
    const rt = spinSystem(spin, vms, quantum);
    rt.hypervisor.run({ instructions: 200_000 }); // warm up
    const s0 = rt.hypervisor.stats.vmSwitches;
    const l0 = rt.hypervisor.stats.slices;
    const t = timeRun(rt, N);
    return { t, switches: rt.hypervisor.stats.vmSwitches - s0, slices: rt.hypervisor.stats.slices - l0 };
  };
  for (let r = 0; r < runs; r++) {
    const big = measure(1, 1_000_000);
    const two = measure(2, Q);
    const one = measure(1, Q);
    switches = two.switches;
    withSwitch.push(((two.t - big.t) / two.slices) * 1e9);
    without.push(((one.t - big.t) / one.slices) * 1e9);
  }
  return { nsWithSwitch: Math.min(...withSwitch), nsWithout: Math.min(...without), switches };
}

function restart4MiB(runs: number): { medianMs: number; maxMs: number; samples: number } {
  const rt = spinSystem(buildGuest('spin.c'), 2, 10_000, 4);
  const hv = rt.hypervisor;
  const vm = hv.vms[0];
  hv.run({ instructions: 100_000 });
  const samples: number[] = [];
  for (let r = 0; r < Math.max(20, runs * 4); r++) {
    // Dirty some memory first, as a running driver would.
    vm.bus.ram.fill(r & 0xff, 0x10000, 0x200000);
    const t0 = performance.now();
    hv.failVm(vm, 'panic', 'benchmark');
    hv.settle();
    samples.push(performance.now() - t0);
    if (vm.state !== 'running') throw new Error(`VM did not restart: ${vm.state}`);
  }
  return { medianMs: median(samples), maxMs: Math.max(...samples), samples: samples.length };
}

function main(): void {
  const args = process.argv.slice(2);
  const i = args.indexOf('--runs');
  const runs = i >= 0 ? Math.max(1, Number(args[i + 1]) || 5) : 5;
  if (!findTool('riscv64-unknown-elf-gcc')) {
    process.stderr.write('hypervisor-bench: riscv64-unknown-elf-gcc is needed to build the test guests\n');
    process.exitCode = 1;
    return;
  }
  const hc = hypercallFromGuest(runs);
  const direct = hypercallDirect(runs);
  const sw = vmSwitch(runs);
  const rs = restart4MiB(runs);
  const rows = [
    ['hypercall round trip from a guest', `${hc.nsPerCall.toFixed(0)} ns per call (${hc.nsPerCallNet.toFixed(0)} ns without the guest's loop instructions; ${hc.callsPerRun} calls per run)`],
    ['hypercall, dispatcher driven directly', `${direct.toFixed(0)} ns per call (dispatch, cost, trace)`],
    ['VM switch (slice boundary to another VM)', `${sw.nsWithSwitch.toFixed(0)} ns (a boundary where the same vCPU goes on: ${sw.nsWithout.toFixed(0)} ns; ${sw.switches} switches per run)`],
    ['restart of a 4 MiB VM (contain + restore + start)', `median ${rs.medianMs.toFixed(2)} ms, max ${rs.maxMs.toFixed(2)} ms over ${rs.samples} (target <= 10 ms: ${rs.maxMs <= 10 ? 'met' : 'NOT met'})`],
  ];
  process.stdout.write(`pvlab hypervisor benchmark (host time; medians of ${runs} runs, VM switch: minimum)\n`);
  for (const [what, value] of rows) process.stdout.write(`  ${what.padEnd(52)} ${value}\n`);
}

main();
