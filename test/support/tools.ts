/**
 * External tools used by some tests (dtc, qemu, a cross compiler...). A test
 * that needs one calls requireTool from a mocha `before`/`it`: when the tool is
 * missing the test is skipped with a visible message, except under CI=true,
 * where a missing tool is a failure (CI must install what the tests need).
 */
import * as fs from 'fs';
import * as path from 'path';

/** Absolute path of an executable found on PATH, or undefined. */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** Returns the tool's path, or skips the current test/suite (fails under CI=true) when it is missing. */
export function requireTool(ctx: Mocha.Context, name: string): string {
  const found = findTool(name);
  if (found) return found;
  const message = `required tool '${name}' is not installed`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI must install it)`);
  console.log(`      SKIPPED: ${message}`);
  ctx.skip();
  throw new Error('unreachable'); // ctx.skip() throws; this keeps the return type honest
}

/** True when the executable is on PATH. */
export function hasTool(name: string): boolean {
  return findTool(name) !== undefined;
}

/** Skips the current test/suite with a visible reason (for prerequisites that are not tools, e.g. an unbuilt CLI). */
export function skipWithMessage(ctx: Mocha.Context, message: string): never {
  console.warn(`      SKIPPED: ${message}`);
  ctx.skip();
  throw new Error('unreachable'); // ctx.skip() throws
}
