/* Shared by the CPU benchmarks (bench/cpu-bench.ts). BENCH_SCALE multiplies each
 * benchmark's work (`npm run bench -- --scale N` builds with -DBENCH_SCALE=N), so
 * that start-up and warm-up become a small part of a run. The checksum of a
 * correct run at scales 1 and 10 is compiled in (as computed by QEMU 7.2); other
 * scales are reported but not judged. */
#ifndef PVLAB_BENCH_H
#define PVLAB_BENCH_H

#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif
#define BENCH_EXPECTED(at1, at10) (BENCH_SCALE == 1 ? (at1) : BENCH_SCALE == 10 ? (at10) : 0u)

#endif
