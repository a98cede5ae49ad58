// Documented defects of SDK versions the suite drives. A scenario that fails the way an entry describes, for that
// SDK, version and environment, is reported as `known-defect` (shown, with the entry's source, and not counted as a
// failure), so CI can stay green on a pinned SDK while the report still says what is wrong with it. An entry that
// applies but does not reproduce is flagged: the run says the registry may be out of date (the SDK was fixed, or the
// defect needs another condition).
import { utcOffsetMinutes, type EnvSet } from './env-matrix.js';
import type { SdkInfo } from './drivers/driver.js';
import type { KnownDefectRef, ScenarioResult } from './scenario.js';

export interface KnownDefect {
  /** stable, e.g. `GO-V1-RESUME-TZ` */
  id: string;
  /** the driver names it applies to (`go-v1`, also matching `go-v1@1.9.8`) */
  drivers: string[];
  /** the SDK versions it is known in: an inclusive range, `*` for all */
  versions: { from?: string; to?: string } | '*';
  scenarios: string[];
  /** the condition of the environment the driver ran under; absent: always */
  when?: (env: EffectiveEnv) => boolean;
  /** the failure must match this (so a different failure of the same scenario is still a failure) */
  symptom: RegExp;
  summary: string;
  /** public URL: the SDK source line or issue */
  source: string;
}

/** What a condition can look at: the column's variables over the suite's own, and the resolved time zone. */
export interface EffectiveEnv {
  vars: Readonly<Record<string, string | undefined>>;
  /** the driver's time zone's offset from UTC now, in minutes */
  utcOffsetMinutes: number;
}

export const KNOWN_DEFECTS: readonly KnownDefect[] = [
  {
    id: 'GO-V1-RESUME-TZ',
    drivers: ['go-v1'],
    // v2.0.4 compares the times with Equal
    versions: { to: '2.0.3' },
    scenarios: ['RES-001', 'RES-003'],
    when: (env) => env.utcOffsetMinutes === 0,
    symptom: /Initiate|upload ID|uploadId|upload\.initiated/i,
    summary:
      "UploadFile's checkpoint compares the file's modification time with != after a JSON round trip: on a machine " +
      'whose local zone is UTC the decoded time carries time.UTC instead of time.Local, the checkpoint is judged ' +
      'invalid, and the resume starts a new upload (sending every part again and leaving the old upload behind)',
    source: 'https://github.com/aliyun/aliyun-oss-go-sdk/blob/v2.0.3/oss/upload.go#L302',
  },
];

export function effectiveEnv(column: EnvSet | undefined, base: NodeJS.ProcessEnv = process.env): EffectiveEnv {
  const vars = { ...base, ...column };
  const tz = vars.TZ === undefined || vars.TZ === '' ? undefined : vars.TZ.replace(/^:/, '');
  let offset: number;
  try {
    offset = utcOffsetMinutes(tz);
  } catch {
    offset = tz === 'UTC' || tz === 'GMT' ? 0 : NaN;
  }
  return { vars, utcOffsetMinutes: offset };
}

/** Numeric dotted comparison (`1.10.0` > `1.9.8`); a leading `v` and pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string): number[] =>
    v
      .replace(/^v/, '')
      .split(/[.+-]/)
      .map((p) => Number.parseInt(p, 10))
      .filter((n) => Number.isFinite(n));
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function versionApplies(d: KnownDefect, sdk: SdkInfo | undefined): boolean {
  if (d.versions === '*') return true;
  if (sdk === undefined) return false;
  const { from, to } = d.versions;
  return (
    (from === undefined || compareVersions(sdk.version, from) >= 0) &&
    (to === undefined || compareVersions(sdk.version, to) <= 0)
  );
}

/** The entry that applies to this result's scenario, driver, SDK version and environment, if any. */
export function applicableDefect(
  r: Pick<ScenarioResult, 'scenario' | 'driver' | 'sdk'>,
  env: EffectiveEnv,
  registry: readonly KnownDefect[] = KNOWN_DEFECTS,
): KnownDefect | undefined {
  const base = r.driver.split('@')[0] ?? r.driver;
  return registry.find(
    (d) =>
      d.drivers.includes(base) &&
      d.scenarios.includes(r.scenario) &&
      versionApplies(d, r.sdk) &&
      (d.when === undefined || d.when(env)),
  );
}

/**
 * A failure that matches an applicable entry becomes `known-defect`; a pass where an entry applies keeps `pass` and
 * carries the entry with `reproduced: false` (the run flags it).
 */
export function classifyKnownDefect(
  r: ScenarioResult,
  env: EffectiveEnv,
  registry: readonly KnownDefect[] = KNOWN_DEFECTS,
): ScenarioResult {
  if (r.status !== 'fail' && r.status !== 'pass') return r;
  const d = applicableDefect(r, env, registry);
  if (!d) return r;
  const ref = (reproduced: boolean): KnownDefectRef => ({ id: d.id, summary: d.summary, source: d.source, reproduced });
  if (r.status === 'pass') {
    return {
      ...r,
      knownDefect: ref(false),
      notes: [...r.notes, `known defect ${d.id} applies here but did not reproduce: is the registry out of date?`],
    };
  }
  const text = [r.reason ?? '', r.error?.message ?? ''].join('\n');
  if (!d.symptom.test(text)) return r;
  const sdk = r.sdk ? `${r.sdk.name} ${r.sdk.version}` : r.driver;
  return {
    ...r,
    status: 'known-defect',
    reason: `known defect ${d.id} of ${sdk} (${d.source}): ${r.reason ?? ''}`,
    knownDefect: ref(true),
  };
}
