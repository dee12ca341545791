/**
 * What the generators of checked-in files share (gen-grammar, gen-interpreter):
 * with `--check` in the arguments, report whether `file` already holds `next`
 * (exit status 1 when stale); otherwise write it whole, through a temporary file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeOrCheck(tool: string, file: string, next: string, fresh: string): void {
  const shown = path.relative(process.cwd(), file);
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (next !== current) {
      console.error(`${tool}: ${shown} is stale; run node out/scripts/${tool}.js`);
      process.exitCode = 1;
    } else console.log(`${tool}: ${fresh}`);
    return;
  }
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, next);
  fs.renameSync(tmp, file);
  console.log(`${tool}: wrote ${shown}`);
}
