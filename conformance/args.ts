// Command-line parsing for `oss-conformance`, pure so it can be tested without running anything.

export interface RunArgs {
  command: 'run';
  target: string;
  drivers: string[];
  reportDir: string;
  filter: string[];
  timeoutScale: number;
}

export type CliArgs = RunArgs | { command: 'list'; filter: string[] } | { command: 'help' };

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage:
  oss-conformance run [--target embedded|external|URL] [--driver builtin|ali-oss|process:CMD]...
                      [--report DIR] [--filter ID...] [--timeout-scale N]
  oss-conformance list [--filter ID...]

  --target    embedded (default): the mock in-process on 127.0.0.1; external: OSS_ENDPOINT; or an endpoint URL.
              External targets read OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_REGION, OSS_BUCKET.
  --driver    repeatable; default: builtin and ali-oss. process:CMD runs CMD as a driver (see PROTOCOL.md).
  --report    where results.json, junit.xml and report.html go (default: reports)
  --filter    scenario IDs or families (INT, MPU-002); repeatable, comma-separated or space-separated
  --timeout-scale  multiply every scenario timeout (slow endpoints), default 1

Exit status: 0 when every applicable scenario passed, 1 when one failed or a driver was unavailable, 2 on usage errors.`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help' };
  if (command !== 'run' && command !== 'list') throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const out: RunArgs = {
    command: 'run',
    target: 'embedded',
    drivers: [],
    reportDir: 'reports',
    filter: [],
    timeoutScale: 1,
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? rest[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--')))
        throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return { command: 'help' };
      case '--target':
        out.target = value();
        break;
      case '--driver':
        out.drivers.push(value());
        break;
      case '--report':
        out.reportDir = value();
        break;
      case '--timeout-scale': {
        const n = Number(value());
        if (!(n > 0)) throw new UsageError('--timeout-scale needs a positive number');
        out.timeoutScale = n;
        break;
      }
      case '--filter': {
        const ids = [value()];
        while (inline === undefined && i + 1 < rest.length && !rest[i + 1]!.startsWith('--')) ids.push(rest[++i]!);
        out.filter.push(
          ...ids
            .flatMap((s) => s.split(','))
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        );
        break;
      }
      default:
        throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (command === 'list') return { command: 'list', filter: out.filter };
  return out;
}
