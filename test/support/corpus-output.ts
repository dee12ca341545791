/**
 * Reading the UART text of the corpus programs (see test/programs/lib/pvrt.h):
 * checks print "label = value", failed ones add " MISMATCH expected ...",
 * and the last line is "PASS name" or "FAIL name (n failed)".
 */

/** Labels of the checks that failed, in output order. */
export function mismatchedLabels(stdout: string): string[] {
  const labels: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = / MISMATCH expected /.exec(line);
    if (!m) continue;
    const eq = line.lastIndexOf(' = ', m.index);
    labels.push((eq >= 0 ? line.slice(0, eq) : line.slice(0, m.index)).trim());
  }
  return labels;
}

/** The program's verdict line ("PASS x" / "FAIL x (...)"), or undefined. */
export function verdict(stdout: string): string | undefined {
  const lines = stdout.split('\n').filter((l) => /^(PASS|FAIL) /.test(l));
  return lines.length > 0 ? lines[lines.length - 1] : undefined;
}

/** A short description of where two outputs first differ, for assertion messages. */
export function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      // (Mocha trims messages of the form "x: expected ...", hence this wording.)
      return `first difference at line ${i + 1} - reference ${JSON.stringify(a[i] ?? '<end>')}, actual ${JSON.stringify(b[i] ?? '<end>')}`;
    }
  }
  return 'outputs are identical';
}
