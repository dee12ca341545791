/**
 * Generates the hypervisor's TypeScript ABI constants and the guests' C header
 * from the tables in docs/abi.md, so the two sides cannot drift apart.
 *
 *   node out/scripts/gen-abi.js            rewrite the generated files
 *   node out/scripts/gen-abi.js --check    exit 1 if they differ from the doc
 *   --root DIR                             repository root (default: found upwards)
 */
import * as fs from 'fs';
import * as path from 'path';

export const DOC_PATH = 'docs/abi.md';
export const TS_OUT = 'emulator/hypervisor/abi.generated.ts';
export const C_OUT = 'guests/include/pvlab/abi.h';
const BANNER = 'Generated from docs/abi.md by scripts/gen-abi.ts; do not edit.';

// ---------------------------------------------------------------- model

export type ValueTableId = 'constants' | 'errors' | 'info-keys' | 'states' | 'registry-keys' | 'device-kinds';
export type TableId = ValueTableId | 'extensions' | 'functions' | 'registry-paths' | 'shared-info';
export type ExtensionKind = 'legacy' | 'standard' | 'firmware';

export interface AbiConstant {
  table: ValueTableId;
  name: string;
  /** A number, or a string for string-valued constants. */
  value: number | string;
  /** The literal as written in the doc (keeps hex readable in the output). */
  literal: string;
  description: string;
}

export interface AbiExtension { name: string; eid: number; literal: string; kind: ExtensionKind; description: string }

export interface AbiFunction {
  extension: string;
  name: string;
  /** null for legacy extensions, which have no function id. */
  fid: number | null;
  fidLiteral: string;
  wrapper: string;
  args: string[];
  returns: string | null;
  description: string;
}

export interface AbiRegistryPath { name: string; pattern: string; owner: string; readers: string; description: string }

export interface AbiSharedInfoField { name: string; offset: number; words: number; isArray: boolean; description: string }

export interface AbiModel {
  constants: AbiConstant[];
  extensions: AbiExtension[];
  functions: AbiFunction[];
  registryPaths: AbiRegistryPath[];
  sharedInfo: AbiSharedInfoField[];
}

export class AbiDocError extends Error {}

// ---------------------------------------------------------------- parsing

const HEADERS: Record<TableId, string[]> = {
  constants: ['Name', 'Value', 'Description'],
  errors: ['Name', 'Value', 'Description'],
  'info-keys': ['Name', 'Value', 'Description'],
  states: ['Name', 'Value', 'Description'],
  'registry-keys': ['Name', 'Value', 'Description'],
  'device-kinds': ['Name', 'Value', 'Description'],
  extensions: ['Name', 'EID', 'Kind', 'Description'],
  functions: ['Extension', 'Name', 'FID', 'Wrapper', 'Args', 'Returns', 'Description'],
  'registry-paths': ['Name', 'Pattern', 'Owner', 'Readers', 'Description'],
  'shared-info': ['Field', 'Offset', 'Type', 'Description'],
};
const VALUE_TABLES: readonly ValueTableId[] = ['constants', 'errors', 'info-keys', 'states', 'registry-keys', 'device-kinds'];
/** Value tables whose values must be strings; the others hold numbers. */
const STRING_TABLES: readonly ValueTableId[] = ['registry-keys', 'device-kinds'];
const PLACEHOLDERS: Record<string, '%u' | '%s'> = { domid: '%u', frontend: '%u', idx: '%u', kind: '%s' };
const NAME_RE = /^[A-Z][A-Z0-9_]*$/;
const IDENT_RE = /^[a-z][a-z0-9_]*$/;

interface RawTable { id: TableId; line: number; rows: { line: number; cells: string[] }[] }

function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '\\' && body[i + 1] === '|') { cur += '|'; i++; continue; }
    if (body[i] === '|') { cells.push(cur); cur = ''; continue; }
    cur += body[i];
  }
  cells.push(cur);
  return cells.map((c) => {
    const t = c.trim();
    const code = /^`([^`]*)`$/.exec(t);
    return code ? code[1] : t;
  });
}

function readTables(text: string): RawTable[] {
  const lines = text.split(/\r?\n/);
  const tables: RawTable[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = /^\s*<!--\s*abi-table:\s*([a-z-]+)\s*-->\s*$/.exec(lines[i]);
    if (!marker) continue;
    const where = `${DOC_PATH}:${i + 1}`;
    const id = marker[1];
    if (!(id in HEADERS)) throw new AbiDocError(`${where}: unknown table id '${id}'`);
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    if (j + 1 >= lines.length || !lines[j].trim().startsWith('|')) throw new AbiDocError(`${where}: table '${id}' must follow its marker`);
    const header = splitRow(lines[j]);
    const want = HEADERS[id as TableId];
    if (header.join('|') !== want.join('|')) {
      throw new AbiDocError(`${DOC_PATH}:${j + 1}: table '${id}' header must be | ${want.join(' | ')} |, got | ${header.join(' | ')} |`);
    }
    if (!/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[j + 1])) throw new AbiDocError(`${DOC_PATH}:${j + 2}: expected a separator row`);
    const rows: RawTable['rows'] = [];
    for (j += 2; j < lines.length && lines[j].trim().startsWith('|'); j++) {
      const cells = splitRow(lines[j]);
      if (cells.length !== want.length) throw new AbiDocError(`${DOC_PATH}:${j + 1}: expected ${want.length} cells, got ${cells.length}`);
      if (cells.some((c) => c === '')) throw new AbiDocError(`${DOC_PATH}:${j + 1}: empty cell (use '-' for none)`);
      rows.push({ line: j + 1, cells });
    }
    if (rows.length === 0) throw new AbiDocError(`${where}: table '${id}' has no rows`);
    tables.push({ id: id as TableId, line: i + 1, rows });
    i = j - 1;
  }
  return tables;
}

/** Parses an integer literal: decimal, negative decimal or 0x hex, within 32-bit signed/unsigned range. */
export function parseIntLiteral(s: string): number | undefined {
  let v: number;
  if (/^0x[0-9A-Fa-f]{1,8}$/.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^-?(0|[1-9][0-9]{0,9})$/.test(s)) v = Number(s);
  else return undefined;
  return v >= -0x80000000 && v <= 0xffffffff ? v : undefined;
}

function parseStringLiteral(s: string): string | undefined {
  const m = /^"([\x20-\x21\x23-\x5b\x5d-\x7e]*)"$/.exec(s);
  return m ? m[1] : undefined;
}

export function parseAbiDoc(text: string): AbiModel {
  const tables = readTables(text);
  const model: AbiModel = { constants: [], extensions: [], functions: [], registryPaths: [], sharedInfo: [] };
  const seen = new Map<TableId, number>();
  const names = new Map<string, number>();
  const claim = (name: string, line: number) => {
    if (!NAME_RE.test(name)) throw new AbiDocError(`${DOC_PATH}:${line}: '${name}' is not an UPPER_CASE name`);
    const prev = names.get(name);
    if (prev !== undefined) throw new AbiDocError(`${DOC_PATH}:${line}: '${name}' is already defined on line ${prev}`);
    names.set(name, line);
  };
  const fail = (line: number, msg: string): never => { throw new AbiDocError(`${DOC_PATH}:${line}: ${msg}`); };

  names.set('PVIO_SI_SIZE', 0); // generated from the shared-info table, not a row of its own
  for (const t of tables) {
    seen.set(t.id, (seen.get(t.id) ?? 0) + 1);
    for (const { line, cells } of t.rows) {
      if ((VALUE_TABLES as readonly string[]).includes(t.id)) {
        const [name, literal, description] = cells;
        claim(name, line);
        const wantString = (STRING_TABLES as readonly string[]).includes(t.id);
        const value = wantString ? parseStringLiteral(literal) : parseIntLiteral(literal);
        if (value === undefined) fail(line, `'${literal}' is not a valid ${wantString ? 'string' : 'integer'} literal for ${name}`);
        model.constants.push({ table: t.id as ValueTableId, name, value: value as number | string, literal, description });
      } else if (t.id === 'extensions') {
        const [name, literal, kind, description] = cells;
        claim(name, line);
        const eid = parseIntLiteral(literal);
        if (eid === undefined || eid < 0) fail(line, `bad EID '${literal}'`);
        if (kind !== 'legacy' && kind !== 'standard' && kind !== 'firmware') fail(line, `kind must be legacy, standard or firmware, got '${kind}'`);
        if (kind === 'firmware' && ((eid as number) < 0x0a000000 || (eid as number) > 0x0affffff)) fail(line, `firmware EID ${literal} is outside 0x0A000000-0x0AFFFFFF`);
        model.extensions.push({ name, eid: eid as number, literal, kind: kind as ExtensionKind, description });
      } else if (t.id === 'functions') {
        const [extension, name, fidLiteral, wrapper, argsCell, returnsCell, description] = cells;
        claim(name, line);
        if (!IDENT_RE.test(wrapper)) fail(line, `wrapper '${wrapper}' must be a lower_case C identifier`);
        const args = argsCell === '-' ? [] : argsCell.split(',').map((a) => a.trim());
        for (const a of args) if (!IDENT_RE.test(a)) fail(line, `argument '${a}' must be a lower_case identifier`);
        if (new Set(args).size !== args.length) fail(line, 'duplicate argument name');
        if (args.length > 6) fail(line, 'at most 6 arguments (a0..a5)');
        if (returnsCell !== '-' && !IDENT_RE.test(returnsCell)) fail(line, `returns '${returnsCell}' must be '-' or a lower_case identifier`);
        let fid: number | null = null;
        if (fidLiteral !== '-') {
          const v = parseIntLiteral(fidLiteral);
          if (v === undefined || v < 0) fail(line, `bad FID '${fidLiteral}'`);
          fid = v as number;
        }
        model.functions.push({ extension, name, fid, fidLiteral, wrapper, args, returns: returnsCell === '-' ? null : returnsCell, description });
      } else if (t.id === 'registry-paths') {
        const [name, pattern, owner, readers, description] = cells;
        claim(name, line);
        checkPattern(pattern, line);
        model.registryPaths.push({ name, pattern, owner, readers, description });
      } else {
        const [name, offsetLiteral, type, description] = cells;
        if (!IDENT_RE.test(name)) fail(line, `field '${name}' must be a lower_case identifier`);
        claim(siName(name), line);
        const offset = parseIntLiteral(offsetLiteral);
        if (offset === undefined || offset < 0 || offset % 4 !== 0) fail(line, `offset '${offsetLiteral}' must be a non-negative multiple of 4`);
        const m = /^u32(?:\[([1-9][0-9]*)\])?$/.exec(type);
        if (!m) fail(line, `type must be u32 or u32[N], got '${type}'`);
        const words = m && m[1] ? Number(m[1]) : 1;
        if (m && m[1]) claim(`${siName(name)}_WORDS`, line);
        const prev = model.sharedInfo[model.sharedInfo.length - 1];
        if (prev && (offset as number) < prev.offset + prev.words * 4) fail(line, `field '${name}' overlaps or precedes '${prev.name}'`);
        model.sharedInfo.push({ name, offset: offset as number, words, isArray: !!(m && m[1]), description });
      }
    }
  }

  for (const id of Object.keys(HEADERS) as TableId[]) {
    const n = seen.get(id) ?? 0;
    if (n === 0) throw new AbiDocError(`${DOC_PATH}: missing table '${id}'`);
    if (n > 1 && id !== 'constants') throw new AbiDocError(`${DOC_PATH}: table '${id}' appears ${n} times`);
  }
  crossCheck(model);
  return model;
}

function checkPattern(pattern: string, line: number): void {
  if (!pattern.startsWith('/')) throw new AbiDocError(`${DOC_PATH}:${line}: pattern '${pattern}' must be absolute`);
  for (const comp of pattern.slice(1).split('/')) {
    const ph = /^\{([a-z]+)\}$/.exec(comp);
    if (ph ? !(ph[1] in PLACEHOLDERS) : !/^[A-Za-z0-9_.@-]+$/.test(comp)) {
      throw new AbiDocError(`${DOC_PATH}:${line}: bad pattern component '${comp}' (placeholders: ${Object.keys(PLACEHOLDERS).join(', ')})`);
    }
  }
}

function crossCheck(model: AbiModel): void {
  const exts = new Map(model.extensions.map((e) => [e.name, e]));
  const eids = new Set<number>();
  for (const e of model.extensions) {
    if (eids.has(e.eid)) throw new AbiDocError(`${DOC_PATH}: EID ${e.literal} is used twice`);
    eids.add(e.eid);
  }
  const fids = new Set<string>();
  const wrappers = new Set<string>();
  for (const f of model.functions) {
    const ext = exts.get(f.extension);
    if (!ext) throw new AbiDocError(`${DOC_PATH}: function ${f.name} names unknown extension '${f.extension}'`);
    if (ext.kind === 'legacy' && (f.fid !== null || f.args.length > 1)) throw new AbiDocError(`${DOC_PATH}: legacy function ${f.name} takes no FID and at most one argument`);
    if (ext.kind !== 'legacy' && f.fid === null) throw new AbiDocError(`${DOC_PATH}: function ${f.name} needs a FID`);
    const key = `${ext.eid}/${f.fid}`;
    if (fids.has(key)) throw new AbiDocError(`${DOC_PATH}: ${f.name} repeats FID ${f.fidLiteral} of ${f.extension}`);
    fids.add(key);
    if (wrappers.has(f.wrapper)) throw new AbiDocError(`${DOC_PATH}: wrapper ${f.wrapper} is used twice`);
    wrappers.add(f.wrapper);
  }
}

function siSize(model: AbiModel): number {
  const last = model.sharedInfo[model.sharedInfo.length - 1];
  return last.offset + last.words * 4;
}

export function siName(field: string): string {
  return `PVIO_SI_${field.toUpperCase()}`;
}

// ---------------------------------------------------------------- rendering helpers

const TABLE_TITLES: Record<ValueTableId, string> = {
  constants: 'Constants',
  errors: 'SBI error codes (a0 on return)',
  'info-keys': 'Keys of PVIO_FID_GET_INFO',
  states: 'Split-driver handshake states (registry "state" values)',
  'registry-keys': 'Registry key names',
  'device-kinds': 'Split-device kinds',
};
/** TS name of the value -> name lookup generated for enumeration-like tables. */
const NAME_MAPS: Partial<Record<ValueTableId, string>> = {
  errors: 'SBI_ERROR_NAMES',
  'info-keys': 'PVIO_INFO_NAMES',
  states: 'PVIO_STATE_NAMES',
};

function comment(text: string): string {
  return text.replace(/\*\//g, '* /');
}

function tsString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function cValue(c: AbiConstant | AbiExtension | { value: number; literal: string }): string {
  const value = 'eid' in c ? c.eid : c.value;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value < 0) return `(${c.literal})`;
  return value > 0x7fffffff ? `PVLAB_U(${c.literal})` : c.literal;
}

function groupConstants(model: AbiModel): Map<ValueTableId, AbiConstant[]> {
  const groups = new Map<ValueTableId, AbiConstant[]>();
  for (const c of model.constants) {
    const g = groups.get(c.table) ?? [];
    g.push(c);
    groups.set(c.table, g);
  }
  return groups;
}

// ---------------------------------------------------------------- TypeScript

export function renderTs(model: AbiModel): string {
  const out: string[] = [`// ${BANNER}`, '// The hypervisor side of the paravirtual ABI; the guest side is guests/include/pvlab/abi.h.', ''];
  for (const [table, list] of groupConstants(model)) {
    out.push(`// ---- ${TABLE_TITLES[table]}`, '');
    for (const c of list) {
      out.push(`/** ${comment(c.description)} */`);
      out.push(`export const ${c.name} = ${typeof c.value === 'string' ? tsString(c.value) : c.literal};`);
    }
    out.push('');
    const mapName = NAME_MAPS[table];
    if (mapName) {
      out.push(`export const ${mapName}: ReadonlyMap<number, string> = new Map<number, string>([`);
      for (const c of list) out.push(`  [${c.name}, ${tsString(c.name)}],`);
      out.push(']);', '');
    }
    if (table === 'errors') out.push(`export type SbiErrorCode = ${list.map((c) => `typeof ${c.name}`).join(' | ')};`, '');
  }

  out.push('// ---- SBI extensions', '');
  for (const e of model.extensions) {
    out.push(`/** ${comment(e.description)} */`, `export const ${e.name} = ${e.literal};`);
  }
  out.push('');
  out.push("export type SbiExtensionKind = 'legacy' | 'standard' | 'firmware';");
  out.push('export interface SbiExtensionInfo { readonly name: string; readonly eid: number; readonly kind: SbiExtensionKind }');
  out.push('export const SBI_EXTENSIONS: readonly SbiExtensionInfo[] = [');
  for (const e of model.extensions) out.push(`  { name: ${tsString(e.name)}, eid: ${e.name}, kind: ${tsString(e.kind)} },`);
  out.push('];', '');

  out.push('// ---- Function ids', '');
  for (const f of model.functions) {
    if (f.fid === null) continue;
    out.push(`/** ${comment(`${f.wrapper}(${f.args.join(', ')})${f.returns ? ` -> ${f.returns}` : ''}: ${f.description}`)} */`);
    out.push(`export const ${f.name} = ${f.fidLiteral};`);
  }
  out.push('');
  out.push('/** One hypercall, for tracing and the debugger: arguments in a0.., and what a1 carries back. */');
  out.push('export interface SbiFunctionInfo {');
  out.push('  readonly extension: string;');
  out.push('  readonly eid: number;');
  out.push('  readonly name: string;');
  out.push('  /** null for legacy extensions, which have no function id. */');
  out.push('  readonly fid: number | null;');
  out.push('  readonly wrapper: string;');
  out.push('  readonly args: readonly string[];');
  out.push('  readonly returns: string | null;');
  out.push('}');
  out.push('export const SBI_FUNCTIONS: readonly SbiFunctionInfo[] = [');
  for (const f of model.functions) {
    const args = `[${f.args.map(tsString).join(', ')}]`;
    out.push(`  { extension: ${tsString(f.extension)}, eid: ${f.extension}, name: ${tsString(f.name)}, fid: ${f.fid === null ? 'null' : f.name}, wrapper: ${tsString(f.wrapper)}, args: ${args}, returns: ${f.returns === null ? 'null' : tsString(f.returns)} },`);
  }
  out.push('];', '');

  out.push('// ---- Registry layout: patterns with {domid}, {frontend}, {kind}, {idx} placeholders', '');
  for (const p of model.registryPaths) {
    out.push(`/** ${comment(`${p.description} Owner: ${p.owner}; readers: ${p.readers}.`)} */`);
    out.push(`export const ${p.name} = ${tsString(p.pattern)};`);
  }
  out.push('');

  out.push('// ---- Shared-info page: byte offsets of little-endian u32 fields (word counts for arrays)', '');
  for (const f of model.sharedInfo) {
    out.push(`/** ${comment(f.description)} */`, `export const ${siName(f.name)} = 0x${f.offset.toString(16).padStart(3, '0')};`);
    if (f.isArray) out.push(`export const ${siName(f.name)}_WORDS = ${f.words};`);
  }
  out.push('/** Bytes of the shared-info page that carry fields. */');
  out.push(`export const PVIO_SI_SIZE = 0x${siSize(model).toString(16).padStart(3, '0')};`, '');
  return out.join('\n');
}

// ---------------------------------------------------------------- C

export function renderC(model: AbiModel): string {
  const out: string[] = [
    `/* ${BANNER} */`,
    '/* The guest side of the paravirtual ABI: constants, the shared-info page and hypercall wrappers. */',
    '#ifndef PVLAB_ABI_H',
    '#define PVLAB_ABI_H',
    '',
    '/* Unsigned literals that assembler sources can still use. */',
    '#ifdef __ASSEMBLER__',
    '#define PVLAB_U(x) x',
    '#else',
    '#define PVLAB_U(x) x##u',
    '#endif',
    '',
  ];
  for (const [table, list] of groupConstants(model)) {
    out.push(`/* ---- ${TABLE_TITLES[table]} */`);
    for (const c of list) out.push(`#define ${c.name} ${cValue(c)} /* ${comment(c.description)} */`);
    out.push('');
  }
  out.push('/* ---- SBI extensions */');
  for (const e of model.extensions) out.push(`#define ${e.name} ${cValue(e)} /* ${comment(e.description)} */`);
  out.push('', '/* ---- Function ids */');
  for (const f of model.functions) if (f.fid !== null) out.push(`#define ${f.name} ${f.fidLiteral}`);
  out.push('', '/* ---- Registry layout (printf formats) */');
  for (const p of model.registryPaths) {
    const fmt = p.pattern.replace(/\{([a-z]+)\}/g, (_m, name: string) => PLACEHOLDERS[name]);
    out.push(`#define ${p.name}_FMT ${JSON.stringify(fmt)} /* ${comment(p.pattern)} */`);
  }
  out.push('', '/* ---- Shared-info page offsets */');
  for (const f of model.sharedInfo) {
    out.push(`#define ${siName(f.name)} 0x${f.offset.toString(16).padStart(3, '0')}`);
    if (f.isArray) out.push(`#define ${siName(f.name)}_WORDS ${f.words}`);
  }
  out.push(`#define PVIO_SI_SIZE 0x${siSize(model).toString(16).padStart(3, '0')} /* bytes that carry fields */`);
  out.push('');

  // No #includes: Debian's bare-metal toolchain has no libc headers without -ffreestanding.
  out.push('#ifndef __ASSEMBLER__', '', 'typedef __UINT32_TYPE__ pvio_u32;', '');
  out.push('struct pvio_shared_info {');
  let at = 0;
  for (const f of model.sharedInfo) {
    if (f.offset > at) out.push(`\tpvio_u32 _reserved_${at.toString(16).padStart(3, '0')}[${(f.offset - at) / 4}];`);
    out.push(`\tpvio_u32 ${f.name}${f.isArray ? `[${f.words}]` : ''}; /* ${comment(f.description)} */`);
    at = f.offset + f.words * 4;
  }
  out.push('};');
  for (const f of model.sharedInfo) {
    out.push(`_Static_assert(__builtin_offsetof(struct pvio_shared_info, ${f.name}) == ${siName(f.name)}, "shared-info layout");`);
  }
  out.push('');

  out.push('/* SBI return pair: a0 = error (SBI_SUCCESS or SBI_ERR_*), a1 = value. */');
  out.push('struct sbiret {', '\tlong error;', '\tlong value;', '};', '');
  out.push('/* One hypercall: a7 = EID, a6 = FID, a0..a5 = arguments. Arguments are guest-physical where they are addresses. */');
  out.push('static inline struct sbiret pvlab_sbi_ecall(unsigned long eid, unsigned long fid,');
  out.push('\t\t\t\t\t      unsigned long arg0, unsigned long arg1, unsigned long arg2,');
  out.push('\t\t\t\t\t      unsigned long arg3, unsigned long arg4, unsigned long arg5)');
  out.push('{');
  for (let i = 0; i < 6; i++) out.push(`\tregister unsigned long a${i} __asm__("a${i}") = arg${i};`);
  out.push('\tregister unsigned long a6 __asm__("a6") = fid;');
  out.push('\tregister unsigned long a7 __asm__("a7") = eid;');
  out.push('\t__asm__ __volatile__("ecall"');
  out.push('\t\t\t     : "+r"(a0), "+r"(a1)');
  out.push('\t\t\t     : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)');
  out.push('\t\t\t     : "memory");');
  out.push('\tstruct sbiret ret = { (long)a0, (long)a1 };');
  out.push('\treturn ret;');
  out.push('}', '');
  out.push('/* A legacy call: a7 = EID, a0 = argument; the result comes back in a0 (a1 is treated as clobbered, to be safe). */');
  out.push('static inline long pvlab_sbi_legacy_ecall(unsigned long eid, unsigned long arg0)');
  out.push('{');
  out.push('\tregister unsigned long a0 __asm__("a0") = arg0;');
  out.push('\tregister unsigned long a7 __asm__("a7") = eid;');
  out.push('\t__asm__ __volatile__("ecall" : "+r"(a0) : "r"(a7) : "a1", "memory");');
  out.push('\treturn (long)a0;');
  out.push('}', '');

  const legacy = new Set(model.extensions.filter((e) => e.kind === 'legacy').map((e) => e.name));
  for (const f of model.functions) {
    const params = f.args.length ? f.args.map((a) => `unsigned long ${a}`).join(', ') : 'void';
    out.push(`/* ${comment(f.description)}${f.returns ? ` Value: ${f.returns}.` : ''} */`);
    if (legacy.has(f.extension)) {
      out.push(`static inline long ${f.wrapper}(${params})`, '{', `\treturn pvlab_sbi_legacy_ecall(${f.extension}, ${f.args[0] ?? '0'});`, '}', '');
    } else {
      const regs = [...f.args, ...Array<string>(6 - f.args.length).fill('0')].join(', ');
      out.push(`static inline struct sbiret ${f.wrapper}(${params})`, '{', `\treturn pvlab_sbi_ecall(${f.extension}, ${f.name}, ${regs});`, '}', '');
    }
  }
  out.push('#endif /* !__ASSEMBLER__ */', '', '#endif /* PVLAB_ABI_H */', '');
  return out.join('\n');
}

// ---------------------------------------------------------------- files and CLI

export interface GeneratedFile { path: string; content: string }

export function generate(root: string): GeneratedFile[] {
  const model = parseAbiDoc(fs.readFileSync(path.join(root, DOC_PATH), 'utf8'));
  return [
    { path: TS_OUT, content: renderTs(model) },
    { path: C_OUT, content: renderC(model) },
  ];
}

/** Generated files (relative paths) whose content on disk differs from what the doc gives. */
export function staleFiles(root: string): string[] {
  return generate(root)
    .filter((f) => {
      const file = path.join(root, f.path);
      return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== f.content;
    })
    .map((f) => f.path);
}

export function writeGenerated(root: string): string[] {
  const files = generate(root);
  for (const f of files) {
    const file = path.join(root, f.path);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, f.content);
  }
  return files.map((f) => f.path);
}

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, DOC_PATH))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${DOC_PATH} above ${start}`);
  }
}

export function main(argv: string[]): number {
  let check = false;
  let root: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--check') check = true;
    else if (argv[i] === '--root' && i + 1 < argv.length) root = argv[++i];
    else {
      console.error(`usage: gen-abi [--check] [--root DIR] (unexpected '${argv[i]}')`);
      return 2;
    }
  }
  try {
    root = root ?? findRoot(__dirname);
    if (check) {
      const stale = staleFiles(root);
      if (stale.length) {
        console.error(`gen-abi: out of date with ${DOC_PATH}: ${stale.join(', ')}\n  run: node out/scripts/gen-abi.js`);
        return 1;
      }
      console.log(`gen-abi: generated files match ${DOC_PATH}`);
    } else {
      for (const p of writeGenerated(root)) console.log(`gen-abi: wrote ${p}`);
    }
    return 0;
  } catch (e) {
    console.error(`gen-abi: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
