// The one command-line layer of both bins (`oss-mock`, `oss-conformance`): node:util.parseArgs underneath, a table of
// options that also renders the help, and the conventions users of Unix tools expect: `--help` prints the help and
// exits 0, `--version` the version; a usage error prints the error and one line pointing at --help and exits 2.
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** repeatable: the values collect into an array */
  multiple?: boolean;
  short?: string;
  /** placeholder shown in the help, e.g. `DIR` */
  value?: string;
  help: string;
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
}

/** Parses argv against the spec; unknown options, missing values and stray positionals are UsageErrors. */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): Parsed {
  const options = Object.fromEntries(
    Object.entries(spec.options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: spec.positionals === true,
      strict: true,
    });
    return { values: values as ParsedValues, positionals };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(tidy(err as Error));
    throw err;
  }
}

/** node's parseArgs messages, shortened to what a user needs. */
function tidy(err: Error): string {
  const m = err.message;
  const unknown = /Unknown option '([^']+)'/.exec(m);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(?:-\w, )?(--[\w-]+)(?: <value>)?' argument missing/.exec(m);
  if (missing) return `${missing[1]} needs a value`;
  const positional = /Unexpected argument '([^']+)'/.exec(m);
  if (positional) return `unexpected argument ${positional[1]}`;
  return m.split('\n')[0] ?? m;
}

/** The help text: usage line, summary, one line per option (wrapped descriptions aligned), footer. */
export function renderHelp(spec: CommandSpec): string {
  const entries = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    return [flag, o.help + (o.multiple ? ' (repeatable)' : '')] as const;
  });
  const width = Math.min(30, Math.max(...entries.map(([f]) => f.length)) + 2);
  const lines = [`Usage: ${spec.name} ${spec.synopsis}`.trimEnd()];
  if (spec.summary) lines.push('', spec.summary);
  if (entries.length) {
    lines.push('', 'Options:');
    for (const [flag, help] of entries) {
      const [first, ...rest] = help.split('\n');
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
