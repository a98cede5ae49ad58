// `--env NAME=VALUE` (repeatable): the environments the drivers run under, one report column each. Values given for
// the same variable are alternatives, different variables combine: `--env TZ=UTC --env TZ=Asia/Shanghai --env LANG=C`
// is two columns, {TZ=UTC, LANG=C} and {TZ=Asia/Shanghai, LANG=C}.

export type EnvSet = Readonly<Record<string, string>>;

export class EnvSpecError extends Error {
  override readonly name = 'EnvSpecError';
}

/** `NAME=VALUE` -> [name, value]; the name is a POSIX environment variable name. */
export function parseEnvPair(spec: string): [string, string] {
  const eq = spec.indexOf('=');
  const name = eq === -1 ? spec : spec.slice(0, eq);
  if (eq === -1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new EnvSpecError(`--env ${JSON.stringify(spec)}: expected NAME=VALUE, e.g. TZ=Asia/Shanghai`);
  }
  return [name, spec.slice(eq + 1)];
}

/** The environment sets the pairs describe (cartesian product over variables, first-seen order); [] for none. */
export function expandEnvMatrix(pairs: readonly string[]): EnvSet[] {
  const values = new Map<string, string[]>();
  for (const spec of pairs) {
    const [name, value] = parseEnvPair(spec);
    const list = values.get(name) ?? [];
    if (!list.includes(value)) list.push(value);
    values.set(name, list);
  }
  let sets: Array<Record<string, string>> = values.size === 0 ? [] : [{}];
  for (const [name, list] of values) {
    sets = sets.flatMap((s) => list.map((v) => ({ ...s, [name]: v })));
  }
  return sets;
}

/** `TZ=UTC LANG=C`; '' for the suite's own environment. */
export function envLabel(env: EnvSet | undefined): string {
  return env === undefined
    ? ''
    : Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
}

/**
 * Runs `fn` with `env` applied to this process's environment and restores it afterwards: how drivers running inside
 * the suite's process (builtin, ali-oss) run under an environment column. Node re-reads the time zone when TZ is
 * assigned.
 */
export async function withProcessEnv<T>(env: EnvSet | undefined, fn: () => Promise<T>): Promise<T> {
  if (env === undefined || Object.keys(env).length === 0) return fn();
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Minutes east of UTC of time zone `tz` (undefined: this process's zone) at `at`. */
export function utcOffsetMinutes(tz: string | undefined, at: Date = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}
