// Every client scenario through ali-oss 6.23.0 (the real Node SDK) on the embedded mock; the DisableRequest ones
// are skipped as not applicable (ali-oss has no equivalent).
import { ALI_OSS_CAPABILITIES, aliOssDriver } from './drivers/ali-oss.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { conformanceSuite } from './test-support/vitest-suite.js';

conformanceSuite({
  scenarios: ALL_SCENARIOS.filter((s) => s.subject === 'client'),
  driver: { factory: aliOssDriver, capabilities: ALI_OSS_CAPABILITIES },
});
