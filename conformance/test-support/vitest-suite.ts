// Runs conformance scenarios as individual vitest tests (`INT-001 [builtin] ...`) on one embedded mock, through the
// same runScenario the CLI uses, so `npm test` and `npm run conformance` cannot disagree.
import { afterAll, beforeAll, it } from 'vitest';
import type { Capability, Driver, DriverFactory } from '../drivers/driver.js';
import { redirectConsole } from '../log-capture.js';
import { DEFAULT_SCENARIO_TIMEOUT_MS, runScenario } from '../run-scenario.js';
import { applicability, RAW_DRIVER, type Scenario, type ScenarioResult } from '../scenario.js';
import { startEmbeddedTarget } from '../targets/embedded.js';
import type { Target } from '../targets/target.js';

export interface SuiteOptions {
  scenarios: readonly Scenario[];
  /** omitted: endpoint scenarios (driver 'raw') */
  driver?: { factory: DriverFactory; capabilities: readonly Capability[] };
}

export function conformanceSuite(o: SuiteOptions): void {
  let target: Target | undefined;
  let driver: Driver | undefined;
  // an SDK's console output between scenarios (late callbacks) stays out of the test output, as in the CLI
  let restoreConsole: (() => void) | undefined;
  beforeAll(async () => {
    restoreConsole = redirectConsole([]);
    target = await startEmbeddedTarget();
    driver = await o.driver?.factory.load();
  });
  afterAll(async () => {
    await driver?.close();
    await target?.close();
    restoreConsole?.();
  });
  const label = o.driver?.factory.name ?? RAW_DRIVER;
  const capabilities = new Set(o.driver?.capabilities ?? []);
  for (const s of o.scenarios) {
    const name = `${s.id} [${label}] ${s.title}`;
    // The embedded target always has the control API, so only capabilities can rule a scenario out up front.
    const na = applicability(s, capabilities, { name: 'embedded', control: {} as Target['control'] });
    if (na) {
      it.skip(`${name} (${na.status}: ${na.reason})`, () => {});
      continue;
    }
    it(
      name,
      async (t) => {
        if (!target) throw new Error('embedded target did not start');
        const r = await runScenario(s, driver, target);
        if (r.status === 'skip' || r.status === 'n-a') t.skip(`${r.status}: ${r.reason ?? ''}`);
        if (r.status === 'fail') throw asError(r);
      },
      (s.timeoutMs ?? DEFAULT_SCENARIO_TIMEOUT_MS) + 10_000,
    );
  }
}

function asError(r: ScenarioResult): Error {
  const err = new Error(`${r.reason ?? 'failed'}${r.notes.length ? `\nnotes: ${r.notes.join('; ')}` : ''}`);
  if (r.error?.stack) err.stack = `${err.message}\n--- scenario stack ---\n${r.error.stack}`;
  return err;
}
