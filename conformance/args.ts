// Command-line parsing for `oss-conformance`, pure so it can be tested without running anything.
import { list, parseCommand, renderHelp, str, UsageError, type CommandSpec } from '../cli/command-line.js';
import { DRIVER_NAMES_HELP } from './drivers/index.js';
import { expandEnvMatrix, EnvSpecError, type EnvSet } from './env-matrix.js';

export { UsageError };

export interface RunArgs {
  command: 'run';
  target: string;
  drivers: string[];
  reportDir: string;
  filter: string[];
  timeoutScale: number;
  envMatrix: EnvSet[];
  envFilter: string[];
  summaryFile?: string;
  cacheDir?: string;
}

export type CliArgs =
  | RunArgs
  | { command: 'list'; filter: string[]; json: boolean }
  | { command: 'help'; topic?: 'run' | 'list' }
  | { command: 'version' };

export const PROGRAM = 'oss-conformance';

export const RUN_SPEC: CommandSpec = {
  name: `${PROGRAM} run`,
  synopsis: '[options] [ID...]',
  summary:
    'Runs the scenarios (all, or the IDs and families given as arguments or with --filter) against the target with\n' +
    'every driver, and writes results.json, junit.xml, report.html and summary.md.',
  options: {
    target: {
      type: 'string',
      value: 'T',
      help:
        'embedded (default): the mock in-process on 127.0.0.1; external: OSS_ENDPOINT; or an endpoint URL.\n' +
        'External targets read OSS_ACCESS_KEY_ID, OSS_ACCESS_KEY_SECRET, OSS_REGION, OSS_BUCKET',
    },
    driver: {
      type: 'string',
      multiple: true,
      value: 'NAME',
      help:
        `${DRIVER_NAMES_HELP}.\n` + 'Default: every driver; those whose toolchain is missing are reported unavailable',
    },
    filter: {
      type: 'string',
      multiple: true,
      value: 'IDS',
      help: 'scenario IDs or families (INT, MPU-002), comma-separated',
    },
    env: {
      type: 'string',
      multiple: true,
      value: 'NAME=VALUE',
      help: 'run the drivers under this environment variable; each value set is one more report column',
    },
    'env-filter': {
      type: 'string',
      multiple: true,
      value: 'IDS',
      help: "only these scenarios run in the --env columns; every scenario also runs in the suite's own environment",
    },
    report: { type: 'string', value: 'DIR', help: 'where the reports go (default: reports)' },
    summary: {
      type: 'string',
      value: 'FILE',
      help: 'also write the Markdown summary to FILE ($GITHUB_STEP_SUMMARY is appended to when set)',
    },
    'timeout-scale': {
      type: 'string',
      value: 'N',
      help: 'multiply every scenario timeout (slow endpoints), default 1',
    },
    cache: {
      type: 'string',
      value: 'DIR',
      help: 'where SDK drivers are installed (default $OSS_CONFORMANCE_CACHE, $XDG_CACHE_HOME/oss-mock, ~/.cache/oss-mock)',
    },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  positionals: true,
  footer:
    'Exit status: 0 when every applicable scenario passed (known SDK defects are reported, not counted), 1 when one\n' +
    'failed, a requested driver was unavailable, the target was unreachable or nothing ran, 2 on usage errors.',
};

export const LIST_SPEC: CommandSpec = {
  name: `${PROGRAM} list`,
  synopsis: '[--json] [ID...]',
  summary: 'Lists the scenarios: ID, title, what each needs and the source its expectations were verified against.',
  options: {
    filter: { type: 'string', multiple: true, value: 'IDS', help: 'scenario IDs or families, comma-separated' },
    json: { type: 'boolean', help: 'print JSON (one array of scenario descriptions)' },
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  },
  positionals: true,
};

export const MAIN_SPEC: CommandSpec = {
  name: PROGRAM,
  synopsis: '<command> [options]',
  summary:
    'The OSS conformance suite.\n\nCommands:\n' +
    '  run     run the scenarios and write the reports (oss-conformance run --help)\n' +
    '  list    list the scenarios (oss-conformance list --help)',
  options: {
    help: { type: 'boolean', short: 'h', help: 'show this help' },
    version: { type: 'boolean', short: 'V', help: 'print the version' },
  },
};

export const USAGE = renderHelp(MAIN_SPEC);

function ids(values: string[]): string[] {
  return values
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('missing command (run or list)');
  if (command === 'help')
    return rest[0] === 'run' || rest[0] === 'list' ? { command: 'help', topic: rest[0] } : { command: 'help' };
  if (command.startsWith('-')) {
    const { values } = parseCommand(MAIN_SPEC, argv);
    if (values.version) return { command: 'version' };
    return { command: 'help' };
  }
  if (command === 'list') {
    const { values, positionals } = parseCommand(LIST_SPEC, rest);
    if (values.help) return { command: 'help', topic: 'list' };
    return { command: 'list', filter: ids([...list(values.filter), ...positionals]), json: values.json === true };
  }
  if (command !== 'run') throw new UsageError(`unknown command ${JSON.stringify(command)} (run or list)`);
  const { values, positionals } = parseCommand(RUN_SPEC, rest);
  if (values.help) return { command: 'help', topic: 'run' };
  const scale = str(values['timeout-scale']);
  const timeoutScale = scale === undefined ? 1 : Number(scale);
  if (!(timeoutScale > 0)) throw new UsageError('--timeout-scale needs a positive number');
  let envMatrix: EnvSet[];
  try {
    envMatrix = expandEnvMatrix(list(values.env));
  } catch (err) {
    if (err instanceof EnvSpecError) throw new UsageError(err.message);
    throw err;
  }
  const envFilter = ids(list(values['env-filter']));
  if (envFilter.length > 0 && envMatrix.length === 0) throw new UsageError('--env-filter needs at least one --env');
  const out: RunArgs = {
    command: 'run',
    target: str(values.target) ?? 'embedded',
    drivers: list(values.driver),
    reportDir: str(values.report) ?? 'reports',
    filter: ids([...list(values.filter), ...positionals]),
    timeoutScale,
    envMatrix,
    envFilter,
  };
  const summary = str(values.summary);
  if (summary !== undefined) out.summaryFile = summary;
  const cache = str(values.cache);
  if (cache !== undefined) out.cacheDir = cache;
  return out;
}
