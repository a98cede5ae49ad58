// Driver names as the CLI takes them: `builtin`, `ali-oss`, `process:CMD`.
import { aliOssDriver } from './ali-oss.js';
import { builtinDriver } from './builtin.js';
import type { DriverFactory } from './driver.js';
import { processDriver } from './process.js';

/** What `npm run conformance` runs when no --driver is given. */
export const DEFAULT_DRIVERS = ['builtin', 'ali-oss'] as const;

const BUILT_IN: Record<string, DriverFactory> = { builtin: builtinDriver, 'ali-oss': aliOssDriver };

export class UnknownDriverError extends Error {
  override readonly name = 'UnknownDriverError';
}

export function driverFactory(spec: string): DriverFactory {
  if (spec.startsWith('process:')) {
    const command = spec.slice('process:'.length).trim();
    if (command === '') throw new UnknownDriverError('process: needs a command, e.g. process:"./my-driver --flag"');
    return processDriver(command);
  }
  const factory = BUILT_IN[spec];
  if (!factory) {
    throw new UnknownDriverError(`unknown driver ${JSON.stringify(spec)} (builtin, ali-oss or process:CMD)`);
  }
  return factory;
}

export { aliOssDriver, builtinDriver, processDriver };
export * from './driver.js';
