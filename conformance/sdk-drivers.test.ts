// Every SDK driver of the registry (python-oss2, python-v2, go-v2, go-v1, java), installed or built into the driver
// cache as `--driver NAME` does, then run as a process on a focused subset of the scenarios against the embedded
// mock: the protocol handshake, error mapping, V4 signing, the SDK's interruption, multipart, its checkpointing
// uploader in-process and across a killed process, and its answer to a skewed server clock. The whole matrix runs in
// `.ci/run` (`npm run conformance`). A driver whose toolchain is missing here is skipped with the reason. Not part of
// `npm test` (minutes on a cold driver cache): `npm run test:sdk-drivers`, which .ci/run runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkToolchain } from './drivers/installer.js';
import { driverSourceDir, SDK_DRIVERS } from './drivers/registry.js';
import { existsSync } from 'node:fs';
import { runConformance } from './runner.js';
import { startEmbeddedTarget } from './targets/embedded.js';
import type { Target } from './targets/target.js';

const SUBSET = ['WIRE-010', 'WIRE-011', 'INT-001', 'MPU-002', 'RES-001', 'RES-003', 'CLOCK-001'];

let target: Target;
beforeAll(async () => {
  target = await startEmbeddedTarget();
});
afterAll(async () => {
  await target?.close();
});

for (const spec of SDK_DRIVERS) {
  describe(`SDK driver ${spec.name}`, () => {
    it(`installs into the driver cache and passes ${SUBSET.join(', ')} (or says why not applicable)`, async (t) => {
      if (!existsSync(driverSourceDir(spec))) return t.skip(`no driver sources at ${driverSourceDir(spec)}`);
      const missing = await checkToolchain(spec.toolchain).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
      if (missing) return t.skip(missing);
      const summary = await runConformance({ target, drivers: [spec.name], filter: SUBSET });
      const driver = summary.drivers.find((d) => d.name === spec.name);
      expect(driver, JSON.stringify(summary.drivers)).toMatchObject({ available: true, protocol: 2 });
      expect(driver?.sdk?.version).toMatch(/\d+\.\d+/);
      const outcome = summary.results.map(
        (r) => `${r.scenario} ${r.status}${r.status === 'pass' ? '' : `: ${r.reason}`}`,
      );
      expect(
        outcome.filter((l) => / fail: /.test(l)),
        outcome.join('\n'),
      ).toEqual([]);
      // every SDK can be killed and resumed from its checkpoint (RES-003), unless a documented defect says otherwise
      const ran = summary.results.filter((r) => r.status === 'pass' || r.status === 'known-defect');
      expect(ran.map((r) => r.scenario)).toEqual(expect.arrayContaining(['WIRE-010', 'RES-003', 'CLOCK-001']));
    }, 600_000);
  });
}
