// Every client scenario through this project's client (client/) on the embedded mock.
import { BUILTIN_CAPABILITIES, builtinDriver } from './drivers/builtin.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { conformanceSuite } from './test-support/vitest-suite.js';

conformanceSuite({
  scenarios: ALL_SCENARIOS.filter((s) => s.subject === 'client'),
  driver: { factory: builtinDriver, capabilities: BUILTIN_CAPABILITIES },
});
