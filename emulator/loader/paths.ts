/**
 * Lexical path helpers for source file names found in debug information.
 * POSIX-style; no file system access (paths may come from another machine).
 */

export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** Removes "." segments and duplicate slashes and resolves ".." where a previous segment exists. */
export function normalizePath(p: string): string {
  if (p === '') return '';
  const abs = isAbsolutePath(p);
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (seg === '..' && abs) continue; // "/.." is "/"
    else out.push(seg);
  }
  const body = out.join('/');
  if (p.startsWith('/')) return '/' + body;
  return body === '' ? '.' : body;
}

/** `name` resolved against directory `dir` (an absolute `name` wins), normalized. */
export function joinPath(dir: string, name: string): string {
  if (dir === '' || isAbsolutePath(name)) return normalizePath(name);
  return normalizePath(`${dir}/${name}`);
}

/** Path segments for matching: backslashes count as separators, "." segments dropped. */
function segments(p: string): string[] {
  return normalizePath(p.replace(/\\/g, '/')).split('/').filter((s) => s !== '' && s !== '.');
}

/**
 * How many trailing path segments `a` and `b` share (0 when the file names
 * differ). "/home/u/proj/src/main.c" and "./src/main.c" share 2.
 */
export function commonSuffixLength(a: string, b: string): number {
  const sa = segments(a);
  const sb = segments(b);
  let n = 0;
  while (n < sa.length && n < sb.length && sa[sa.length - 1 - n] === sb[sb.length - 1 - n]) n++;
  return n;
}
