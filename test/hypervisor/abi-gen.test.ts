import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as abi from '../../emulator/hypervisor/abi.generated';
import { AbiDocError, C_OUT, DOC_PATH, TS_OUT, parseAbiDoc, staleFiles, type AbiModel } from '../../scripts/gen-abi';
import { requireTool } from '../support/tools';

const ROOT = path.resolve(__dirname, '../../..');
const DOC = fs.readFileSync(path.join(ROOT, DOC_PATH), 'utf8');
const GEN_SCRIPT = path.join(ROOT, 'out/scripts/gen-abi.js');

/** The doc with one table's first data row replaced, to probe the parser's strictness. */
function withRow(id: string, row: string): string {
  const marker = `<!-- abi-table: ${id} -->`;
  const at = DOC.indexOf(marker);
  assert.ok(at >= 0, `no table ${id}`);
  const lines = DOC.slice(at).split('\n');
  lines[3] = row;
  return DOC.slice(0, at) + lines.join('\n');
}

describe('ABI generator (scripts/gen-abi.ts)', () => {
  let model: AbiModel;
  before(() => {
    model = parseAbiDoc(DOC);
  });

  it('generated files are up to date with docs/abi.md', () => {
    assert.deepStrictEqual(staleFiles(ROOT), [], 'run: node out/scripts/gen-abi.js');
  });

  it('generated files say where they come from', () => {
    for (const f of [TS_OUT, C_OUT]) assert.match(fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n')[0], /Generated from docs\/abi\.md .*do not edit/);
  });

  it('reads the key ABI facts from the doc', () => {
    const ext = new Map(model.extensions.map((e) => [e.name, e]));
    assert.strictEqual(ext.get('SBI_EXT_PVIO')?.eid, 0x0a505649);
    assert.strictEqual(ext.get('SBI_EXT_PVIO')?.kind, 'firmware');
    assert.strictEqual(ext.get('SBI_EXT_BASE')?.eid, 0x10);
    assert.strictEqual(ext.get('SBI_EXT_LEGACY_CONSOLE_PUTCHAR')?.kind, 'legacy');
    const map = model.functions.find((f) => f.name === 'PVIO_FID_GRANT_MAP');
    assert.deepStrictEqual(map?.args, ['granter', 'gref', 'slot', 'writable']);
    assert.strictEqual(map?.returns, 'gpa');
    assert.strictEqual(model.functions.find((f) => f.name === 'SBI_LEGACY_CONSOLE_PUTCHAR')?.fid, null);
    const pending = model.sharedInfo.find((f) => f.name === 'evtchn_pending');
    assert.deepStrictEqual([pending?.offset, pending?.words, pending?.isArray], [0x40, 4, true]);
  });

  it('TS constants carry the doc values (including hex and negative ones)', () => {
    assert.strictEqual(abi.SBI_ERR_NO_SHMEM, -9);
    assert.strictEqual(abi.SBI_ERROR_NAMES.get(-4), 'SBI_ERR_DENIED');
    assert.strictEqual(abi.PVIO_REG_WATCH_TOKEN_OVERFLOW, 0xffffffff);
    assert.strictEqual(abi.PVIO_STATE_NAMES.get(4), 'PVIO_STATE_CONNECTED');
    assert.strictEqual(abi.PVIO_KEY_EVENT_CHANNEL, 'event-channel');
    assert.strictEqual(abi.PVIO_REG_BACKEND_DIR, '/vm/{domid}/backend/{kind}/{frontend}/{idx}');
    const send = abi.SBI_FUNCTIONS.find((f) => f.name === 'PVIO_FID_EVTCHN_SEND');
    assert.deepStrictEqual(send, { extension: 'SBI_EXT_PVIO', eid: 0x0a505649, name: 'PVIO_FID_EVTCHN_SEND', fid: 0x22, wrapper: 'pvio_evtchn_send', args: ['port'], returns: 'delivered' });
  });

  it('the ABI is self-consistent', () => {
    // The bitmaps in the shared-info page must hold every port, and the page must fit one page.
    assert.ok(abi.PVIO_SI_EVTCHN_PENDING_WORDS * 32 >= abi.PVIO_EVTCHN_MAX_PORTS);
    assert.ok(abi.PVIO_SI_EVTCHN_MASK_WORDS * 32 >= abi.PVIO_EVTCHN_MAX_PORTS);
    assert.ok(abi.PVIO_SI_SIZE <= abi.PVIO_PAGE_SIZE);
    // The PV regions must not overlap each other, RAM, or the QEMU virt devices below 0x30000000.
    const windowEnd = abi.PVIO_GRANT_WINDOW_BASE + abi.PVIO_GRANT_WINDOW_SLOTS * abi.PVIO_PAGE_SIZE;
    assert.ok(abi.PVIO_SHARED_INFO_GPA + abi.PVIO_PAGE_SIZE <= abi.PVIO_GRANT_WINDOW_BASE);
    assert.ok(windowEnd <= 0x80000000);
    assert.ok(abi.PVIO_EVTCHN_PORT_WATCH < abi.PVIO_EVTCHN_FIRST_DYNAMIC);
    for (const f of abi.SBI_FUNCTIONS) assert.ok(f.args.length <= 6);
  });

  describe('rejects a malformed doc', () => {
    const cases: [string, string, RegExp][] = [
      ['bad integer', withRow('constants', '| `PVIO_ABI_VERSION` | 1.5 | x |'), /not a valid integer/],
      ['string in a number table', withRow('states', '| `PVIO_STATE_UNKNOWN` | "0" | x |'), /not a valid integer/],
      ['number in a string table', withRow('registry-keys', '| `PVIO_KEY_STATE` | 7 | x |'), /not a valid string/],
      ['duplicate name', withRow('info-keys', '| `PVIO_ABI_VERSION` | 0 | x |'), /already defined/],
      ['lower-case name', withRow('errors', '| `sbi_success` | 0 | x |'), /UPPER_CASE/],
      ['wrong cell count', withRow('errors', '| `SBI_SUCCESS` | 0 |'), /expected 3 cells/],
      ['empty cell', withRow('errors', '| `SBI_SUCCESS` |  | x |'), /empty cell/],
      ['unknown extension', withRow('functions', '| `SBI_EXT_NOPE` | `X_FID` | - | `x_fn` | - | - | x |'), /unknown extension/],
      ['legacy function with a FID', withRow('functions', '| `SBI_EXT_LEGACY_CONSOLE_PUTCHAR` | `SBI_LEGACY_CONSOLE_PUTCHAR` | 0 | `sbi_console_putchar` | ch | - | x |'), /legacy function/],
      ['too many arguments', withRow('functions', '| `SBI_EXT_PVIO` | `X_FID` | 0x7f | `x_fn` | a, b, c, d, e, f, g | - | x |'), /at most 6/],
      ['firmware EID outside its range', withRow('extensions', '| `SBI_EXT_LEGACY_CONSOLE_PUTCHAR` | 0x0B000000 | firmware | x |'), /outside/],
      ['bad path placeholder', withRow('registry-paths', '| `PVIO_REG_VM_DIR` | `/vm/{who}` | a | b | c |'), /bad pattern component/],
      ['misaligned shared-info field', withRow('shared-info', '| `magic` | 0x002 | u32 | x |'), /multiple of 4/],
      ['unknown table id', DOC.replace('<!-- abi-table: states -->', '<!-- abi-table: statez -->'), /unknown table id/],
      ['wrong header', DOC.replace('| Field | Offset | Type | Description |', '| Field | Offset | Kind | Description |'), /header must be/],
      ['missing table', DOC.replace('<!-- abi-table: device-kinds -->', ''), /missing table 'device-kinds'/],
    ];
    for (const [name, text, re] of cases) {
      it(name, () => assert.throws(() => parseAbiDoc(text), (e: unknown) => e instanceof AbiDocError && re.test(e.message)));
    }

    it('a repeated FID within one extension', () => {
      const text = DOC.replace('| `SBI_EXT_PVIO` | `PVIO_FID_GRANT_END` | 0x11 |', '| `SBI_EXT_PVIO` | `PVIO_FID_GRANT_END` | 0x10 |');
      assert.throws(() => parseAbiDoc(text), /repeats FID 0x10/);
    });
  });

  describe('--check mode', () => {
    let tmp: string;
    const run = (...args: string[]) => spawnSync(process.execPath, [GEN_SCRIPT, ...args, '--root', tmp], { encoding: 'utf8' });

    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-abi-'));
      for (const f of [DOC_PATH, TS_OUT, C_OUT]) {
        fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(tmp, f));
      }
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('passes when the files match, fails when a generated file was edited', () => {
      assert.strictEqual(run('--check').status, 0);
      fs.appendFileSync(path.join(tmp, C_OUT), '/* hand edit */\n');
      const r = run('--check');
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /guests\/include\/pvlab\/abi\.h/);
    });

    it('fails when the doc changed, and regenerating fixes it', () => {
      const doc = path.join(tmp, DOC_PATH);
      fs.writeFileSync(doc, fs.readFileSync(doc, 'utf8').replace('| `PVIO_GRANT_WINDOW_SLOTS` | 256 |', '| `PVIO_GRANT_WINDOW_SLOTS` | 128 |'));
      assert.strictEqual(run('--check').status, 1);
      assert.strictEqual(run().status, 0);
      assert.match(fs.readFileSync(path.join(tmp, TS_OUT), 'utf8'), /PVIO_GRANT_WINDOW_SLOTS = 128;/);
      assert.strictEqual(run('--check').status, 0);
    });

    it('fails with a message on a malformed doc, writing nothing', () => {
      const doc = path.join(tmp, DOC_PATH);
      const before = fs.readFileSync(path.join(tmp, TS_OUT), 'utf8');
      fs.writeFileSync(doc, fs.readFileSync(doc, 'utf8').replace('| `PVIO_PAGE_SIZE` | 4096 |', '| `PVIO_PAGE_SIZE` | 4k |'));
      const r = run();
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /docs\/abi\.md:\d+: '4k' is not a valid integer/);
      assert.strictEqual(fs.readFileSync(path.join(tmp, TS_OUT), 'utf8'), before);
    });
  });

  describe('C header', function () {
    let gcc: string;
    let tmp: string;
    const FLAGS = ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-std=c11', '-Wall', '-Wextra', '-Werror', '-pedantic'];

    before(function () {
      gcc = requireTool(this, 'riscv64-unknown-elf-gcc');
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-abih-'));
    });
    after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

    const compile = (name: string, source: string, extra: string[]) => {
      const file = path.join(tmp, name);
      fs.writeFileSync(file, source);
      const r = spawnSync(gcc, [...FLAGS, `-I${path.join(ROOT, 'guests/include')}`, ...extra, file], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
    };

    it('compiles (-fsyntax-only) and its shared-info static asserts hold', () => {
      compile('syntax.c', '#include <pvlab/abi.h>\n', ['-fsyntax-only']);
    });

    it('agrees with the TypeScript constants, value for value', () => {
      // Every numeric constant, checked by the C compiler against the TS module's value.
      const lines = ['#include <pvlab/abi.h>'];
      for (const [name, value] of Object.entries(abi)) {
        if (typeof value !== 'number') continue;
        lines.push(`_Static_assert((long long)(${name}) == ${value}LL, "${name}");`);
      }
      for (const [name, value] of Object.entries(abi)) {
        if (typeof value !== 'string' || /\{/.test(value)) continue;
        lines.push(`_Static_assert(sizeof(${name}) == ${value.length + 1}, "${name}");`);
      }
      assert.ok(lines.length > 100);
      compile('values.c', `${lines.join('\n')}\n`, ['-fsyntax-only']);
      // String contents and printf formats, compared textually.
      const header = fs.readFileSync(path.join(ROOT, C_OUT), 'utf8');
      assert.match(header, /#define PVIO_KEY_RING_REF "ring-ref"/);
      assert.match(header, /#define PVIO_REG_BACKEND_DIR_FMT "\/vm\/%u\/backend\/%s\/%u\/%u"/);
    });

    it('every wrapper compiles to an ecall with the right EID and FID registers', () => {
      const calls = abi.SBI_FUNCTIONS.map((f, i) => `long call${i}(void) { ${f.fid === null ? 'return' : 'return (long)'} ${f.wrapper}(${f.args.map((_a, j) => j + 1).join(', ')})${f.fid === null ? '' : '.error'}; }`);
      compile('calls.c', `#include <pvlab/abi.h>\n${calls.join('\n')}\n`, ['-O2', '-c', '-o', path.join(tmp, 'calls.o')]);
      const objdump = spawnSync(gcc.replace(/gcc$/, 'objdump'), ['-d', '-M', 'no-aliases', path.join(tmp, 'calls.o')], { encoding: 'utf8' });
      if (objdump.status !== 0) return; // objdump is optional here; compiling already proved the asm constraints
      const ecalls = objdump.stdout.match(/\becall\b/g) ?? [];
      assert.strictEqual(ecalls.length, abi.SBI_FUNCTIONS.length);
      // GRANT_MAP: a6 = 0x12 = 18 must be loaded before the ecall.
      const fn = objdump.stdout.split(/\n(?=[0-9a-f]+ <)/).find((s) => s.includes(`<call${abi.SBI_FUNCTIONS.findIndex((f) => f.name === 'PVIO_FID_GRANT_MAP')}>`));
      assert.match(fn ?? '', /addi\s+a6,zero,18/);
    });

    it('can be included from assembler sources', () => {
      compile('asm.S', '#include <pvlab/abi.h>\n\tli a7, SBI_EXT_PVIO\n\tli a6, PVIO_FID_EVTCHN_SEND\n\tli t0, PVIO_REG_WATCH_TOKEN_OVERFLOW\n\tecall\n', ['-c', '-o', path.join(tmp, 'asm.o')]);
    });
  });
});
