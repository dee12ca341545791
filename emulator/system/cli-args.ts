/** Option parsing for the CLI: `--name value`, `--name=value` and flags; unknown options are usage errors. */

/** An error the user caused by how pvlab was called. */
export class UsageError extends Error {}
/** An error in the user's input files or environment. */
export class CliError extends Error {}

export type OptionKind = 'flag' | 'count' | 'string' | 'list';
export type OptionSpec = Record<string, OptionKind>;
export type OptionValues = Record<string, boolean | number | string | string[] | undefined>;

export function parseOptions(args: string[], spec: OptionSpec): { options: OptionValues; positional: string[] } {
  const options: OptionValues = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option '${name}'`);
    if (kind === 'flag') {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
      options[name] = true;
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else {
      if (i + 1 >= args.length) throw new UsageError(`${name} needs a value`);
      value = args[++i];
    }
    if (kind === 'count') {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) <= 0) {
        throw new UsageError(`${name}: '${value}' is not a positive whole number`);
      }
      options[name] = Number(value);
    } else if (kind === 'list') {
      const list = (options[name] as string[] | undefined) ?? [];
      list.push(value);
      options[name] = list;
    } else options[name] = value;
  }
  return { options, positional };
}
