/**
 * `npm run bench -- FILE.c`: a benchmark source from outside the repository is
 * built like the workloads (corpus runtime, bench.h on the include path, the scale
 * as -DBENCH_SCALE) and runs on pvlab; a bad path or name is refused by name.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BareMetalRuntime } from '../../emulator/system/runtime';
import { CROSS_GCC, buildSource } from '../../scripts/build-programs';
import { requireTool } from '../support/tools';

describe('benchmark sources of your own', function () {
  this.timeout(60_000);
  let dir: string;
  before(function () {
    requireTool(this, CROSS_GCC);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-bench-src-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('builds a C file from anywhere with bench.h, at scales 1 and 3, and it runs', async () => {
    const src = path.join(dir, 'mine.c');
    fs.writeFileSync(
      src,
      '#include "pvrt.h"\n#include "bench.h"\nint main(void) {\n  unsigned s = 0;\n  for (int i = 0; i < 1000 * BENCH_SCALE; i++) s += i;\n  printf("sum %u\\n", s);\n  finish("mine");\n}\n',
    );
    for (const [scale, sum] of [[1, 499500], [3, 4498500]]) {
      const elf = await buildSource(src, { scale });
      assert.match(path.basename(elf), /^ext-mine(\.x3)?\.elf$/);
      const rt = BareMetalRuntime.fromElfBytes(fs.readFileSync(elf), { tier: 'jit' });
      let out = '';
      rt.on('output', (t: string) => (out += t));
      const stop = rt.runSync(10_000_000);
      assert.equal(stop.kind, 'exit');
      assert.match(out, new RegExp(`sum ${sum}\\n`));
    }
  });

  it('refuses a missing file and a name it cannot use', () => {
    assert.throws(() => buildSource(path.join(dir, 'absent.c')), /absent\.c': no such file/);
    assert.throws(() => buildSource(path.join(dir, 'two words.c')), /NAME\.c or NAME\.S/);
  });
});
