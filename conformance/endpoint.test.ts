// The endpoint scenarios (WIRE, ATOM short bodies, MPU-004) against the embedded mock, with the suite's own requests.
import { ALL_SCENARIOS } from './scenarios/index.js';
import { conformanceSuite } from './test-support/vitest-suite.js';

conformanceSuite({ scenarios: ALL_SCENARIOS.filter((s) => s.subject === 'endpoint') });
