/**
 * Loading a system file (docs/system-file.md): JSON syntax, then the JSON
 * Schema, then consistency checks; either a complete SystemConfig or one
 * ConfigError listing every problem found.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildSystemConfig, type RawSystemFile } from './config-build';
import { checkSystemSemantics } from './config-check';
import { ConfigError, IssueList, isWithin } from './config-error';
import { JsonSyntaxError, parseJsonLocated } from './config-json';
import { validateAgainstSchema } from './config-schema';
import type { SystemConfig } from './config-types';

export { ConfigError, type ConfigIssue } from './config-error';
export { SYSTEM_SCHEMA } from './config-schema';
export * from './config-types';

/**
 * Validates system-file text. `baseDir` resolves relative paths; `sourcePath`
 * (the file's path, if any) appears in messages and in the result.
 */
export function parseSystemConfig(jsonText: string, baseDir: string, sourcePath?: string): SystemConfig {
  const source = sourcePath ?? '<system file>';
  const absBase = path.resolve(baseDir);
  let parsed;
  try {
    parsed = parseJsonLocated(jsonText);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    throw new ConfigError([{ path: '', message: `JSON syntax error: ${e.detail}`, ...e.location }], source);
  }
  const issues = new IssueList(parsed.locations);
  for (const d of parsed.duplicateKeys) issues.add(d.path, 'duplicate key (JSON keeps only the last one)');
  const schemaIssues = validateAgainstSchema(parsed.value);
  for (const i of schemaIssues) issues.add(i.path, i.message);

  // Consistency problems under a path the schema already rejected would only repeat it.
  const semantic = new IssueList(parsed.locations);
  checkSystemSemantics(semantic, parsed.value, absBase);
  for (const i of semantic.issues) {
    if (!schemaIssues.some((s) => isWithin(i.path, s.path))) issues.issues.push(i);
  }
  if (issues.issues.length > 0) throw new ConfigError(issues.issues, source);
  return buildSystemConfig(parsed.value as RawSystemFile, absBase, sourcePath);
}

/** Reads and validates a system file; relative paths in it are resolved against its folder. */
export function loadSystemFile(file: string): SystemConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message;
    throw new ConfigError([{ path: '', message: `cannot read the system file: ${reason}` }], abs);
  }
  return parseSystemConfig(text, path.dirname(abs), abs);
}
