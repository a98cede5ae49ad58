// `npm run bench [-- --quick] [--only large,throttle] [--large-size MIB] [--large-rounds N] [--out FILE]`: what a run
// measures and how hard. --quick is the smoke run (under a minute): smaller bodies, shorter windows, fewer repetitions.
// --large-size and --large-rounds change the large uploads (and the peak-memory figure's object) only: 1 GiB is what
// the README reports; a smaller size is for trying a change on a busy machine.
import { GiB, MiB } from './stats.js';

export const SUITES = ['large', 'small-ops', 'scale', 'throttle', 'disable', 'abort', 'memory', 'startup'] as const;
export type Suite = (typeof SUITES)[number];

export interface BenchSettings {
  quick: boolean;
  suites: Suite[];
  out: string;
  /** one large PUT / the multipart upload / the memory figure's object */
  largeSize: number;
  partSize: number;
  /** interleaved rounds of every large-PUT target */
  largeRounds: number;
  smallSize: number;
  smallConcurrency: number;
  smallWindowMs: number;
  smallRounds: number;
  /** keys listed by the scale figure, and appends to one object */
  scaleKeys: number;
  scaleAppends: number;
  /** bytes/s */
  throttleRates: number[];
  throttleConcurrency: number[];
  throttleWindowMs: number;
  disableUploads: number;
  disableRuns: number;
  abortRuns: number;
  startupRuns: number;
}

export class BenchUsageError extends Error {}

const KiB = 1024;

function full(): Omit<BenchSettings, 'suites' | 'out'> {
  return {
    quick: false,
    largeSize: GiB,
    partSize: 8 * MiB,
    largeRounds: 3,
    smallSize: 4 * KiB,
    smallConcurrency: 32,
    smallWindowMs: 3000,
    smallRounds: 3,
    scaleKeys: 100_000,
    scaleAppends: 5000,
    throttleRates: [256 * KiB, 1 * MiB, 4 * MiB, 16 * MiB, 64 * MiB],
    throttleConcurrency: [1, 16],
    throttleWindowMs: 2000,
    disableUploads: 64,
    disableRuns: 5,
    abortRuns: 5,
    startupRuns: 5,
  };
}

function quick(): Omit<BenchSettings, 'suites' | 'out'> {
  return {
    ...full(),
    quick: true,
    largeSize: 64 * MiB,
    largeRounds: 1,
    smallWindowMs: 500,
    smallRounds: 1,
    scaleKeys: 5000,
    scaleAppends: 500,
    throttleRates: [256 * KiB, 64 * MiB],
    throttleWindowMs: 1000,
    disableRuns: 1,
    abortRuns: 1,
    startupRuns: 2,
  };
}

export function parseBenchArgs(argv: readonly string[], defaultOut: string): BenchSettings {
  let isQuick = false;
  let suites: Suite[] = [...SUITES];
  let out = defaultOut;
  let largeSize: number | undefined;
  let largeRounds: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') {
      isQuick = true;
    } else if (arg === '--large-size' || arg === '--large-rounds') {
      const value = argv[++i];
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || n < 1) {
        throw new BenchUsageError(`${arg} needs a positive whole number${arg === '--large-size' ? ' of MiB' : ''}`);
      }
      if (arg === '--large-size') largeSize = n * MiB;
      else largeRounds = n;
    } else if (arg === '--only' || arg === '--out') {
      const value = argv[++i];
      if (value === undefined) throw new BenchUsageError(`${arg} needs a value`);
      if (arg === '--out') {
        out = value;
      } else {
        const names = value.split(',').filter((s) => s !== '');
        const unknown = names.filter((n) => !(SUITES as readonly string[]).includes(n));
        if (unknown.length > 0)
          throw new BenchUsageError(`--only: unknown suite ${unknown.join(', ')}; known: ${SUITES.join(', ')}`);
        suites = SUITES.filter((s) => names.includes(s));
      }
    } else {
      throw new BenchUsageError(
        `unknown option "${arg}"; usage: bench [--quick] [--only ${SUITES.join(',')}] [--large-size MIB] ` +
          `[--large-rounds N] [--out FILE]`,
      );
    }
  }
  const base = isQuick ? quick() : full();
  return {
    ...base,
    ...(largeSize === undefined ? {} : { largeSize }),
    ...(largeRounds === undefined ? {} : { largeRounds }),
    suites,
    out,
  };
}
