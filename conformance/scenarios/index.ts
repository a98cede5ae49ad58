import type { Scenario } from '../scenario.js';
import { ATOM_SCENARIOS } from './atomicity.js';
import { CLOCK_SCENARIOS } from './clock.js';
import { INT_SCENARIOS } from './interrupt.js';
import { MPU_SCENARIOS } from './multipart.js';
import { RES_SCENARIOS } from './resumable.js';
import { WIRE_SCENARIOS } from './endpoint-protocol.js';

/** Every scenario, in report order. IDs are stable: never renumber, retire instead. */
export const ALL_SCENARIOS: readonly Scenario[] = [
  ...INT_SCENARIOS,
  ...MPU_SCENARIOS,
  ...RES_SCENARIOS,
  ...ATOM_SCENARIOS,
  ...CLOCK_SCENARIOS,
  ...WIRE_SCENARIOS,
];

export { ATOM_SCENARIOS, CLOCK_SCENARIOS, INT_SCENARIOS, MPU_SCENARIOS, RES_SCENARIOS, WIRE_SCENARIOS };
