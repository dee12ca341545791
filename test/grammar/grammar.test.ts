/**
 * The RISC-V assembly grammar (syntaxes/riscv-asm.tmLanguage.json): the scope assertions in
 * test/grammar/*.test.S, run through the vscode-tmgrammar-test CLI; the structure of the
 * grammar and of its language configuration; and, when the cross toolchain is installed,
 * that the sample files are real GNU as input (so the tests describe code people write).
 */
import * as assert from 'assert';
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { requireTool } from '../support/tools';
import { generateGrammar } from '../../scripts/gen-grammar';

/** The repository root: the nearest ancestor holding package.json (works from test/ and out/test/). */
function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'syntaxes'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no repository root above ${__dirname}`);
    dir = parent;
  }
}

const ROOT = repoRoot();
const GRAMMAR = 'syntaxes/riscv-asm.tmLanguage.json';
const CONFIG = 'syntaxes/riscv-asm.language-configuration.json';
const SAMPLES = 'test/grammar/*.test.S';

interface RunResult {
  code: number;
  output: string;
}

function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

function sampleFiles(): string[] {
  const dir = path.join(ROOT, 'test/grammar');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.test.S')).sort().map((f) => path.join('test/grammar', f));
}

function readJson(rel: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(ROOT, rel), 'utf8')) as Record<string, unknown>;
}

describe('RISC-V assembly grammar', () => {
  it('passes every scope assertion in test/grammar/*.test.S (vscode-tmgrammar-test)', async () => {
    const pkgJson = require.resolve('vscode-tmgrammar-test/package.json', { paths: [ROOT] });
    const bin = (JSON.parse(fs.readFileSync(pkgJson, 'utf8')) as { bin: Record<string, string> }).bin['vscode-tmgrammar-test'];
    const cli = path.join(path.dirname(pkgJson), bin);
    const files = sampleFiles();
    assert.ok(files.length >= 4, `expected the sample files in test/grammar, found ${files.join(', ')}`);
    const { code, output } = await run(process.execPath, [cli, '-g', GRAMMAR, SAMPLES]);
    assert.strictEqual(code, 0, `vscode-tmgrammar-test failed:\n${output}`);
    for (const f of files) assert.ok(output.includes(f), `${f} was not run:\n${output}`);
  });

  it('has the scope name and only includes rules it defines', () => {
    const grammar = readJson(GRAMMAR);
    assert.strictEqual(grammar.scopeName, 'source.riscv-asm');
    const repository = grammar.repository as Record<string, unknown>;
    const missing: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
      } else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'include' && typeof value === 'string' && value.startsWith('#') && !(value.slice(1) in repository)) {
            missing.push(value);
          }
          walk(value);
        }
      }
    };
    walk(grammar);
    assert.deepStrictEqual(missing, []);
  });
});

describe('RISC-V assembly language configuration', () => {
  const config = readJson(CONFIG) as {
    comments: { lineComment: string; blockComment: [string, string] };
    wordPattern: string;
    folding: { markers: { start: string; end: string } };
  };

  /** The word VS Code would select at `column` of `line` (what a double-click picks). */
  function wordAt(line: string, column: number): string | undefined {
    const re = new RegExp(config.wordPattern, 'g');
    for (let m = re.exec(line); m; m = re.exec(line)) {
      if (m.index <= column && column < m.index + m[0].length) return m[0];
      if (m[0].length === 0) re.lastIndex++;
    }
    return undefined;
  }

  it('declares # and /* */ comments', () => {
    assert.strictEqual(config.comments.lineComment, '#');
    assert.deepStrictEqual(config.comments.blockComment, ['/*', '*/']);
  });

  it('keeps ordering suffixes, relocation functions and numeric label references in one word', () => {
    const line = '1:  lr.w.aq a0, %pcrel_lo(1b)(a1) ; addi a0, a0, 0x1F ; sw \\reg, 4(sp) ; .section .text.init';
    const cases: Array<[string, string]> = [
      ['lr.w.aq', 'w.aq'], ['%pcrel_lo', 'pcrel'], ['1b', '1b'], ['0x1F', 'x1F'], ['\\reg', 'reg'],
      ['.section', 'section'], ['.text.init', 'text.init'], ['sp', 'sp)'], ['a1', 'a1)'],
    ];
    for (const [word, probe] of cases) {
      assert.strictEqual(wordAt(line, line.indexOf(probe)), word, `word at '${probe}'`);
    }
  });

  it('folds .macro/.endm, .rept/.endr, .irp/.endr, .if/.endif and #if/#endif', () => {
    const start = new RegExp(config.folding.markers.start);
    const end = new RegExp(config.folding.markers.end);
    for (const s of ['    .macro SAVE reg', '.rept 4', '  .irp r, a0, a1', '.irpc c, 0123', '.if X > 1', '.ifdef X', '#if 0', '#  ifndef X']) {
      assert.ok(start.test(s), `start: ${s}`);
      assert.ok(!end.test(s), `not end: ${s}`);
    }
    for (const s of ['    .endm', '.endr', '  .endif', '#endif', '# endif']) {
      assert.ok(end.test(s), `end: ${s}`);
      assert.ok(!start.test(s), `not start: ${s}`);
    }
    for (const s of ['    .macros', '    .word 1', 'repeat: .rept_not', '# iffy comment', '    .else']) {
      assert.ok(!start.test(s) && !end.test(s), `neither: ${s}`);
    }
  });
});

describe('RISC-V assembly grammar samples', () => {
  it('assemble with GNU as (riscv64-unknown-elf-gcc, RV32IMA)', async function () {
    const gcc = requireTool(this, 'riscv64-unknown-elf-gcc');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pvlab-grammar-'));
    try {
      for (const file of sampleFiles()) {
        const out = path.join(tmp, `${path.basename(file)}.o`);
        const args = ['-c', '-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', file, '-o', out];
        const { code, output } = await run(gcc, args);
        assert.strictEqual(code, 0, `${file} does not assemble:\n${output}`);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('grammar lists', function () {
  it('are the ones scripts/gen-grammar.ts derives from the instruction table and CSR names', function () {
    const file = path.join(repoRoot(), 'syntaxes', 'riscv-asm.tmLanguage.json');
    const current = fs.readFileSync(file, 'utf8');
    assert.ok(generateGrammar(current) === current, 'syntaxes/riscv-asm.tmLanguage.json is stale: run node out/scripts/gen-grammar.js');
  });
});
