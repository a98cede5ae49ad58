import { describe, expect, it } from 'vitest';
import { classifyKnownDefect, compareVersions, effectiveEnv, type KnownDefect } from './known-defects.js';
import type { ScenarioResult } from './scenario.js';

const defect: KnownDefect = {
  id: 'X-TZ',
  drivers: ['go-v1'],
  versions: { to: '1.9.8' },
  scenarios: ['RES-003'],
  when: (env) => env.utcOffsetMinutes === 0,
  symptom: /Initiate/,
  summary: 'resumes only in some zones',
  source: 'https://example.invalid/sdk/upload.go',
};

const failed = (over: Partial<ScenarioResult> = {}): ScenarioResult => ({
  scenario: 'RES-003',
  title: 't',
  verifiedAgainst: 'v',
  driver: 'go-v1',
  target: 'embedded',
  status: 'fail',
  reason: 'the resumed run sends no InitiateMultipartUpload: expected 0, got 1',
  durationMs: 1,
  notes: [],
  sdk: { name: 'aliyun-oss-go-sdk', version: 'v1.9.8' },
  ...over,
});

const utc = effectiveEnv({ TZ: 'UTC' });
const shanghai = effectiveEnv({ TZ: 'Asia/Shanghai' });

describe('known SDK defects', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('1.10.0', '1.9.8')).toBeGreaterThan(0);
    expect(compareVersions('v1.9.8', '1.9.8')).toBe(0);
    expect(compareVersions('2.18.0', '2.19.1')).toBeLessThan(0);
  });

  it('turns the matching failure into known-defect, naming the SDK version and the source', () => {
    const r = classifyKnownDefect(failed(), utc, [defect]);
    expect(r.status).toBe('known-defect');
    expect(r.reason).toMatch(
      /^known defect X-TZ of aliyun-oss-go-sdk v1.9.8 \(https:\/\/example.invalid\/sdk\/upload.go\)/,
    );
    expect(r.knownDefect).toMatchObject({ id: 'X-TZ', reproduced: true });
  });

  it('leaves other failures failures: another zone, version, scenario, driver or symptom', () => {
    expect(classifyKnownDefect(failed(), shanghai, [defect]).status).toBe('fail');
    expect(classifyKnownDefect(failed({ sdk: { name: 'x', version: '1.9.9' } }), utc, [defect]).status).toBe('fail');
    expect(classifyKnownDefect(failed({ scenario: 'RES-001' }), utc, [defect]).status).toBe('fail');
    expect(classifyKnownDefect(failed({ driver: 'go-v2' }), utc, [defect]).status).toBe('fail');
    expect(classifyKnownDefect(failed({ reason: 'timed out after 60000 ms' }), utc, [defect]).status).toBe('fail');
    expect(classifyKnownDefect(failed({ driver: 'go-v1@1.9.0' }), utc, [defect]).status).toBe('known-defect');
  });

  it('flags a pass where the defect applies (the registry may be out of date), and counts it as a pass', () => {
    const r = classifyKnownDefect(failed({ status: 'pass', reason: undefined }), utc, [defect]);
    expect(r.status).toBe('pass');
    expect(r.knownDefect).toMatchObject({ id: 'X-TZ', reproduced: false });
    expect(r.notes.join()).toMatch(/did not reproduce/);
  });

  it('takes the entry whose symptom matches when several apply; an intermittent one is not flagged on a pass', () => {
    const torn: KnownDefect = {
      ...defect,
      id: 'X-TORN',
      when: undefined,
      symptom: /torn checkpoint/,
      intermittent: true,
    };
    const r = classifyKnownDefect(failed({ reason: 'torn checkpoint: left empty' }), utc, [defect, torn]);
    expect(r.knownDefect).toMatchObject({ id: 'X-TORN', reproduced: true });
    expect(classifyKnownDefect(failed(), utc, [defect, torn]).knownDefect?.id).toBe('X-TZ');
    const passed = classifyKnownDefect(failed({ status: 'pass', reason: undefined }), shanghai, [defect, torn]);
    expect(passed.knownDefect).toBeUndefined();
    expect(passed.notes).toEqual([]);
  });
});
