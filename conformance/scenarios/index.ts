import type { Scenario } from '../scenario.js';
import { ATOM_SCENARIOS } from './atom.js';
import { INT_SCENARIOS } from './int.js';
import { MPU_SCENARIOS } from './mpu.js';
import { RES_SCENARIOS } from './res.js';
import { WIRE_SCENARIOS } from './wire.js';

/** Every scenario, in report order. IDs are stable: never renumber, retire instead. */
export const ALL_SCENARIOS: readonly Scenario[] = [
  ...INT_SCENARIOS,
  ...MPU_SCENARIOS,
  ...RES_SCENARIOS,
  ...ATOM_SCENARIOS,
  ...WIRE_SCENARIOS,
];

export { ATOM_SCENARIOS, INT_SCENARIOS, MPU_SCENARIOS, RES_SCENARIOS, WIRE_SCENARIOS };
