// The one command-line layer of both bins (`oss-mock`, `oss-conformance`): node:util.parseArgs underneath, a table of
// options that also renders the help and names each option's environment variable, and the conventions users of Unix
// tools expect: `--help` prints the help and exits 0, `--version` the version; a usage error prints the error and one
// line pointing at --help and exits 2.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** repeatable: the values collect into an array */
  multiple?: boolean;
  short?: string;
  /** placeholder shown in the help, e.g. `DIR` */
  value?: string;
  help: string;
  /** what applies when the option is not given, as the help shows it: `(default: 9000)` */
  default?: string;
  /**
   * The environment variable that supplies the option when the command line does not give it. A repeatable
   * option's variable holds several values separated by whitespace; a boolean one 1/true/yes/on or 0/false/no/off.
   */
  env?: string;
}

export interface CommandSpec {
  /** `oss-conformance run` */
  name: string;
  /** the usage line after the name, e.g. `[options] [ID...]` */
  synopsis: string;
  summary?: string;
  options: Record<string, OptionSpec>;
  /** positional arguments allowed (their meaning is in the synopsis) */
  positionals?: boolean;
  /** text after the options (exit status, examples) */
  footer?: string;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type ParsedValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Parsed {
  values: ParsedValues;
  positionals: string[];
  /** option name -> the environment variable its value came from (options the command line did not give) */
  fromEnv: Record<string, string>;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/**
 * Parses argv against the spec, then fills the options it did not give from their environment variables (`env`).
 * Unknown options, missing values and stray positionals are UsageErrors. A value may start with one dash
 * (`--clock-offset -90s`), as the POSIX utility conventions allow; one starting with `--` is taken for the next
 * option, so `--port --help` says that --port needs a value.
 */
export function parseCommand(
  spec: CommandSpec,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Parsed {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  // strict: false, checked below token by token: strict parseArgs refuses every value that starts with a dash
  const { values, positionals, tokens } = parseArgs({
    args: [...argv],
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (spec.positionals !== true) throw new UsageError(`unexpected argument "${token.value}"`);
      continue;
    }
    if (token.kind !== 'option') continue;
    const o = spec.options[token.name];
    if (o === undefined) throw new UsageError(`unknown option "${token.rawName}"`);
    const flag = `--${token.name}`;
    if (o.type === 'boolean' && token.value !== undefined) throw new UsageError(`${flag} takes no value`);
    if (o.type === 'string' && (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))) {
      throw new UsageError(`${flag} needs a value`);
    }
  }
  const parsed: Parsed = { values: values as ParsedValues, positionals, fromEnv: {} };
  for (const [name, o] of Object.entries(spec.options)) {
    const raw = o.env === undefined ? undefined : env[o.env];
    if (raw === undefined || raw.trim() === '' || parsed.values[name] !== undefined) continue;
    parsed.fromEnv[name] = o.env!;
    if (o.type === 'boolean') {
      const word = raw.trim().toLowerCase();
      if (!TRUE.includes(word) && !FALSE.includes(word)) {
        throw new UsageError(`${o.env}: "${raw}" is neither ${TRUE.join('/')} nor ${FALSE.join('/')}`);
      }
      parsed.values[name] = TRUE.includes(word);
    } else {
      parsed.values[name] = o.multiple ? raw.split(/\s+/).filter((v) => v !== '') : raw;
    }
  }
  return parsed;
}

/** How wide the help may get: a `(default: ...)` or `(repeatable)` that would pass it starts a line of its own. */
const HELP_COLUMNS = 118;

/** The help text: usage line, summary, one line per option (wrapped descriptions aligned), footer. */
export function renderHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options).map(
    ([name, o]) => `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
  );
  const width = Math.min(30, Math.max(...flags.map((f) => f.length)) + 2);
  const entries = Object.values(spec.options).map((o, i) => {
    const suffix = (o.default === undefined ? '' : ` (default: ${o.default})`) + (o.multiple ? ' (repeatable)' : '');
    const lines = o.help.split('\n');
    // the suffix goes on a line of its own when the last line would grow past HELP_COLUMNS
    if (2 + width + lines[lines.length - 1]!.length + suffix.length <= HELP_COLUMNS) lines[lines.length - 1] += suffix;
    else if (suffix !== '') lines.push(suffix.trimStart());
    return [flags[i]!, lines] as const;
  });
  const lines = [`Usage: ${spec.name} ${spec.synopsis}`.trimEnd()];
  if (spec.summary) lines.push('', spec.summary);
  if (entries.length) {
    lines.push('', 'Options:');
    for (const [flag, [first, ...rest]] of entries) {
      lines.push(
        flag.length >= width ? `  ${flag}\n  ${' '.repeat(width)}${first}` : `  ${flag.padEnd(width)}${first}`,
      );
      for (const l of rest) lines.push(`  ${' '.repeat(width)}${l}`);
    }
  }
  if (spec.footer) lines.push('', spec.footer);
  return lines.join('\n') + '\n';
}

/** `prog: message` + `Try 'prog --help' for more information.`, as GNU tools print a usage error. */
export function usageErrorText(program: string, err: Error, helpCommand = `${program} --help`): string {
  return `${program}: ${err.message}\nTry '${helpCommand}' for more information.\n`;
}

export const str = (v: ParsedValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);
export const list = (v: ParsedValues[string]): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
