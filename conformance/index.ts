// `import { runConformance } from 'oss-mock/conformance'`: the suite as a library (docs/architecture.md#contracts).
export { runConformance, openTarget, type RunOptions } from './runner.js';
export { runScenario, type RunScenarioOptions } from './run-scenario.js';
export {
  applicability,
  selectScenarios,
  RAW_DRIVER,
  type ClientContext,
  type ClientScenario,
  type EndpointContext,
  type EndpointScenario,
  type Scenario,
  type ScenarioResult,
  type Status,
} from './scenario.js';
export { STATUSES, totalsOf, type DriverSummary, type RunSummary } from './summary.js';
export { ALL_SCENARIOS } from './scenarios/index.js';
export * from './drivers/index.js';
export { serveDriver, type ServeOptions } from './drivers/process-server.js';
export { PROTOCOL_VERSION } from './drivers/process-protocol.js';
export { startEmbeddedTarget, type EmbeddedOptions, type FrontEnd } from './targets/embedded.js';
export { openExternalTarget, externalOptionsFromEnv, type ExternalOptions } from './targets/external.js';
export type { Space, Target } from './targets/target.js';
export type { ControlApi, ControlEvent, RuleInput, RuleMatch } from './targets/control.js';
export { RawClient, type RawRequest, type RawResponse } from '../testkit/raw-client.js';
export { renderHtml, renderJson, renderJunit, writeReports } from './reporters/index.js';
