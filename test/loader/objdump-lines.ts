/** Parser for `objdump -w --dwarf=decodedline`, the reference for decoded line tables. */

export interface ReferenceRow {
  /** File name as objdump prints it (no directory). */
  readonly name: string;
  /** undefined for an end-of-sequence row (objdump prints "-"). */
  readonly line: number | undefined;
  readonly address: number;
  readonly isStmt: boolean;
  /** The path of the last "<path>:" heading (directory entry + name, as recorded). */
  readonly heading: string;
}

const ROW = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+|\d+)(?:\s+\d+)?(?:\s+(x))?$/;

export function parseDecodedLine(text: string): ReferenceRow[] {
  const rows: ReferenceRow[] = [];
  let heading = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const m = ROW.exec(line);
    if (m) {
      rows.push({
        name: m[1],
        line: m[2] === '-' ? undefined : Number(m[2]),
        address: parseInt(m[3].replace(/^0x/, ''), 16),
        isStmt: m[4] === 'x',
        heading,
      });
    } else if (line.endsWith(':') && !line.startsWith('Contents of')) {
      heading = line.replace(/^CU: /, '').slice(0, -1);
    }
  }
  return rows;
}
