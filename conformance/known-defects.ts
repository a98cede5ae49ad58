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
  /** it shows only when a race goes one way (where a kill lands): a pass is not a sign that the entry is stale */
  intermittent?: boolean;
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
    scenarios: ['RES-001', 'RES-003', 'RES-004'],
    when: (env) => env.utcOffsetMinutes === 0,
    symptom: /Initiate|upload ID|uploadId|upload\.initiated/i,
    summary:
      "UploadFile's checkpoint compares the file's modification time with != after a JSON round trip: on a machine " +
      'whose local zone is UTC the decoded time carries time.UTC instead of time.Local, the checkpoint is judged ' +
      'invalid, and the resume starts a new upload (sending every part again and leaving the old upload behind)',
    source: 'https://github.com/aliyun/aliyun-oss-go-sdk/blob/v2.0.3/oss/upload.go#L302',
  },
  {
    id: 'GO-V1-CHECKPOINT-IN-PLACE',
    drivers: ['go-v1'],
    // seen with every release the driver builds (v2.0.1 .. v3.0.2)
    versions: { to: '3.0.2' },
    scenarios: ['RES-003', 'RES-004'],
    symptom: /torn checkpoint/,
    intermittent: true,
    summary:
      'UploadFile rewrites its checkpoint after every part with ioutil.WriteFile (truncate, then write): a process ' +
      'killed during that write leaves an empty checkpoint, and the next run starts a new upload, leaving the old ' +
      'one open',
    source: 'https://github.com/aliyun/aliyun-oss-go-sdk/blob/v2.0.3/oss/upload.go#L322-L343',
  },
  {
    id: 'JAVA-CHECKPOINT-IN-PLACE',
    drivers: ['java'],
    // measured with 3.18.5, the pinned release
    versions: { to: '3.18.5' },
    scenarios: ['RES-003'],
    symptom: /torn checkpoint/,
    intermittent: true,
    summary:
      "uploadFile's UploadCheckPoint.dump rewrites the checkpoint after every part through a new FileOutputStream " +
      '(truncate, then serialize in several writes): a process killed during that write leaves an empty or cut-short ' +
      'checkpoint, and the next run starts a new upload, leaving the old one open',
    source:
      'https://github.com/aliyun/aliyun-oss-java-sdk/blob/master/src/main/java/com/aliyun/oss/internal/OSSUploadOperation.java',
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

/** The entries that apply to this result's scenario, driver, SDK version and environment. */
export function applicableDefects(
  r: Pick<ScenarioResult, 'scenario' | 'driver' | 'sdk'>,
  env: EffectiveEnv,
  registry: readonly KnownDefect[] = KNOWN_DEFECTS,
): KnownDefect[] {
  const base = r.driver.split('@')[0] ?? r.driver;
  return registry.filter(
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
  const applicable = applicableDefects(r, env, registry);
  const ref = (d: KnownDefect, reproduced: boolean): KnownDefectRef => ({
    id: d.id,
    summary: d.summary,
    source: d.source,
    reproduced,
  });
  if (r.status === 'pass') {
    const d = applicable.find((e) => !e.intermittent);
    if (!d) return r;
    return {
      ...r,
      knownDefect: ref(d, false),
      notes: [...r.notes, `known defect ${d.id} applies here but did not reproduce: is the registry out of date?`],
    };
  }
  const text = [r.reason ?? '', r.error?.message ?? ''].join('\n');
  const d = applicable.find((e) => e.symptom.test(text));
  if (!d) return r;
  const sdk = r.sdk ? `${r.sdk.name} ${r.sdk.version}` : r.driver;
  return {
    ...r,
    status: 'known-defect',
    reason: `known defect ${d.id} of ${sdk} (${d.source}): ${r.reason ?? ''}`,
    knownDefect: ref(d, true),
  };
}
