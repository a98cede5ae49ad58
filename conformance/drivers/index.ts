// Driver names as the CLI takes them: `builtin`, `ali-oss`, `process:CMD`, and the SDK drivers `python-oss2`,
// `python-v2`, `go-v2`, `go-v1`, `java` (each also as `NAME@VERSION`).
import { aliOssDriver } from './ali-oss.js';
import { builtinDriver } from './builtin.js';
import type { DriverFactory } from './driver.js';
import type { InstallOptions } from './installer.js';
import { processDriver } from './process.js';
import { parseSdkDriverName, SDK_DRIVERS, sdkDriver } from './registry.js';

/** What `npm run conformance` runs when no --driver is given: every driver, those that cannot run reported so. */
export const DEFAULT_DRIVERS: readonly string[] = ['builtin', 'ali-oss', ...SDK_DRIVERS.map((d) => d.name)];

const BUILT_IN: Record<string, DriverFactory> = { builtin: builtinDriver, 'ali-oss': aliOssDriver };

export class UnknownDriverError extends Error {
  override readonly name = 'UnknownDriverError';
}

export interface DriverFactoryOptions extends InstallOptions {
  /** the environment a driver process runs under (default: the suite's own) */
  env?: NodeJS.ProcessEnv;
}

export const DRIVER_NAMES_HELP = `builtin, ali-oss, ${SDK_DRIVERS.map((d) => d.name).join(', ')} (each also NAME@VERSION), or process:CMD`;

export function driverFactory(spec: string, o: DriverFactoryOptions = {}): DriverFactory {
  if (spec.startsWith('process:')) {
    const command = spec.slice('process:'.length).trim();
    if (command === '') throw new UnknownDriverError('process: needs a command, e.g. process:"./my-driver --flag"');
    return processDriver(command, { env: o.env });
  }
  const sdk = parseSdkDriverName(spec);
  if (sdk) return sdkDriver(sdk.driver, sdk.version, o);
  const factory = BUILT_IN[spec];
  if (!factory) {
    const at = spec.indexOf('@');
    if (at > 0 && BUILT_IN[spec.slice(0, at)]) {
      throw new UnknownDriverError(
        `${spec}: the ${spec.slice(0, at)} driver runs the version installed beside the suite; NAME@VERSION is for the SDK drivers (${SDK_DRIVERS.map((d) => d.name).join(', ')})`,
      );
    }
    throw new UnknownDriverError(`unknown driver ${JSON.stringify(spec)} (${DRIVER_NAMES_HELP})`);
  }
  return factory;
}

export { aliOssDriver, builtinDriver, processDriver };
export { SDK_DRIVERS, sdkDriver, parseSdkDriverName, driverSourceDir, type SdkDriverSpec } from './registry.js';
export { cacheRoot, checkToolchain, installDriver, type InstallOptions } from './installer.js';
export * from './driver.js';
