/**
 * The disassemble request: exactly the instructions asked for (unreadable ones
 * marked invalid), with symbols where a function starts and source locations
 * from the line table, so VS Code's Disassembly view interleaves source.
 */
import { DebugProtocol } from '@vscode/debugprotocol';
import { baseName, hex32 } from './format';
import type { TargetRuntime } from './system';

export const MAX_INSTRUCTIONS = 10_000;

export function disassemble(
  rt: TargetRuntime, base: number, instructionOffset: number, count: number, resolveSymbols: boolean,
  source: (file: string) => DebugProtocol.Source = (file) => ({ name: baseName(file), path: file }),
): DebugProtocol.DisassembledInstruction[] {
  if (count > MAX_INSTRUCTIONS) throw new Error(`at most ${MAX_INSTRUCTIONS} instructions per request`);
  const out: DebugProtocol.DisassembledInstruction[] = [];
  const start = base - (((base % 4) + 4) % 4) + 4 * instructionOffset;
  let lastFile: string | undefined;
  for (let i = 0; i < count; i++) {
    const a = start + 4 * i;
    if (a < 0 || a > 0xfffffffc) {
      out.push({ address: a < 0 ? String(a) : '0x' + a.toString(16), instruction: '', presentationHint: 'invalid' });
      continue;
    }
    const [d] = rt.disassemble(a, 1, false);
    if (d.word === undefined) {
      out.push({ address: hex32(a), instruction: '<unreadable>', presentationHint: 'invalid' });
      lastFile = undefined;
      continue;
    }
    const ins: DebugProtocol.DisassembledInstruction = {
      address: hex32(a),
      instructionBytes: d.word.toString(16).padStart(8, '0'),
      instruction: resolveSymbols ? d.text : rt.disassemble(a, 1, false)[0].text.replace(/ <[^>]*>$/, ''),
    };
    if (resolveSymbols) {
      const s = rt.symbols.lookup(a);
      if (s && s.symbol.type !== 'object') ins.symbol = s.name;
    }
    const loc = rt.lines?.lookup(a);
    // DAP: the location on the first instruction and where the file changes; the line on every one.
    if (loc) {
      if (loc.file !== lastFile) ins.location = source(loc.file);
      ins.line = loc.line;
      if (loc.column > 0) ins.column = loc.column;
    }
    lastFile = loc?.file;
    out.push(ins);
  }
  return out;
}
