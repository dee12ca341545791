/** The assembly corpus: each test/asm/corpus/*.S is a program; each directory of .S files is a multi-unit program. */
import * as fs from 'fs';
import * as path from 'path';
import type { AsmSource } from '../../../emulator/asm';

// Tests run from out/test/asm; the corpus stays in the source tree.
export const CORPUS = path.resolve(__dirname, '../../../../test/asm/corpus');

export interface Program {
  name: string;
  files: string[];
}

export function corpusPrograms(): Program[] {
  const out: Program[] = [];
  for (const entry of fs.readdirSync(CORPUS).sort()) {
    const p = path.join(CORPUS, entry);
    if (fs.statSync(p).isDirectory()) {
      const files = fs.readdirSync(p).filter((f) => f.endsWith('.S')).sort().map((f) => path.join(p, f));
      // main.S first, so unit order (and section order) is main, then the others.
      files.sort((a, b) => Number(path.basename(b) === 'main.S') - Number(path.basename(a) === 'main.S'));
      if (files.length > 0) out.push({ name: entry + '/', files });
    } else if (entry.endsWith('.S')) {
      out.push({ name: entry, files: [p] });
    }
  }
  return out;
}

export function sources(files: readonly string[]): AsmSource[] {
  return files.map((f) => ({ path: f, text: fs.readFileSync(f, 'utf8') }));
}
