/**
 * Token-level DTB assembler for tests: writes whatever it is told, including
 * streams the real writer refuses to produce, so the reader's checks can be hit.
 */
export type RawToken =
  | { begin: string }
  | { end: true }
  | { prop: string; value?: number[]; len?: number; nameOff?: number }
  | { nop: true }
  | { fdtEnd: true }
  | { word: number };

export interface RawDtbOptions {
  version?: number;
  lastComp?: number;
  reserve?: [bigint, bigint][];
  /** Header field overrides by index (0 = magic ... 9 = size_dt_struct). */
  header?: Partial<Record<number, number>>;
}

export function rawDtb(tokens: RawToken[], opts: RawDtbOptions = {}): Uint8Array {
  const names: string[] = [];
  const strOff = (n: string): number => {
    let off = 0;
    for (const s of names) {
      if (s === n) return off;
      off += s.length + 1;
    }
    names.push(n);
    return off;
  };
  const words: number[] = [];
  const pushBytes = (bytes: number[]): void => {
    while (bytes.length % 4) bytes.push(0);
    for (let i = 0; i < bytes.length; i += 4) words.push(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
  };
  for (const t of tokens) {
    if ('begin' in t) {
      words.push(1);
      pushBytes([...Buffer.from(t.begin), 0]);
    } else if ('end' in t) words.push(2);
    else if ('prop' in t) {
      const value = t.value ?? [];
      words.push(3, t.len ?? value.length, t.nameOff ?? strOff(t.prop));
      pushBytes([...value]);
    } else if ('nop' in t) words.push(4);
    else if ('fdtEnd' in t) words.push(9);
    else words.push(t.word);
  }
  const strings = Buffer.from(names.map((n) => `${n}\0`).join(''));
  const reserve = opts.reserve ?? [];
  const rsvOff = 40;
  const structOff = rsvOff + 16 * (reserve.length + 1);
  const stringsOff = structOff + words.length * 4;
  const total = stringsOff + strings.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header = [0xd00dfeed, total, structOff, stringsOff, rsvOff, opts.version ?? 17, opts.lastComp ?? 16, 0, strings.length, words.length * 4];
  for (const [i, v] of Object.entries(opts.header ?? {})) header[Number(i)] = v as number;
  header.forEach((v, i) => dv.setUint32(i * 4, v >>> 0));
  reserve.forEach(([a, s], i) => {
    dv.setBigUint64(rsvOff + 16 * i, a);
    dv.setBigUint64(rsvOff + 16 * i + 8, s);
  });
  words.forEach((w, i) => dv.setUint32(structOff + 4 * i, w));
  out.set(strings, stringsOff);
  return out;
}
