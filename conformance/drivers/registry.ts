// The SDK drivers by name: `--driver python-oss2`, `python-v2`, `go-v2`, `go-v1`, `java`, and `NAME@VERSION` for
// another published version of that SDK. Each is a program in its SDK's language under conformance/drivers/<name>/
// with a pinned manifest; on first use the installer builds it into a cache directory (installer.ts) and the suite
// runs it as a process driver (PROTOCOL.md).
import path from 'node:path';
import { packageRoot } from '../package-info.js';
import type { DriverFactory } from './driver.js';
import { installDriver, type InstallOptions, type SdkDriverSpec } from './installer.js';
import { processDriver } from './process.js';

export type { SdkDriverSpec, Toolchain } from './installer.js';

export const SDK_DRIVERS: readonly SdkDriverSpec[] = [
  { name: 'python-oss2', toolchain: 'python', sdkPackage: 'oss2', description: 'Python oss2 (PyPI oss2)' },
  {
    name: 'python-v2',
    toolchain: 'python',
    sdkPackage: 'alibabacloud-oss-v2',
    description: 'Python SDK V2 (PyPI alibabacloud-oss-v2)',
  },
  {
    name: 'go-v2',
    toolchain: 'go',
    sdkPackage: 'github.com/aliyun/alibabacloud-oss-go-sdk-v2',
    description: 'Go SDK V2 (github.com/aliyun/alibabacloud-oss-go-sdk-v2)',
  },
  {
    name: 'go-v1',
    toolchain: 'go',
    sdkPackage: 'github.com/aliyun/aliyun-oss-go-sdk',
    description: 'Go SDK V1 (github.com/aliyun/aliyun-oss-go-sdk)',
  },
  {
    name: 'java',
    toolchain: 'maven',
    sdkPackage: 'com.aliyun.oss:aliyun-sdk-oss',
    description: 'Java SDK (Maven com.aliyun.oss:aliyun-sdk-oss)',
  },
];

export function sdkDriverSpec(name: string): SdkDriverSpec | undefined {
  return SDK_DRIVERS.find((d) => d.name === name);
}

/** The driver's sources: conformance/drivers/<name>/ in the repo or in the installed package. */
export function driverSourceDir(spec: SdkDriverSpec): string {
  return path.join(packageRoot(), 'conformance', 'drivers', spec.name);
}

/** `NAME` or `NAME@VERSION` -> the spec and the version (undefined: the pinned one); undefined if not an SDK driver. */
export function parseSdkDriverName(spec: string): { driver: SdkDriverSpec; version?: string } | undefined {
  const at = spec.indexOf('@');
  const name = at === -1 ? spec : spec.slice(0, at);
  const driver = sdkDriverSpec(name);
  if (!driver) return undefined;
  const version = at === -1 ? undefined : spec.slice(at + 1).replace(/^v(?=\d)/, '');
  return version === undefined || version === '' ? { driver } : { driver, version };
}

export interface SdkDriverOptions extends InstallOptions {
  /** the environment the driver process runs under (default: the suite's) */
  env?: NodeJS.ProcessEnv;
  /** the name in reports (default `NAME` or `NAME@VERSION`) */
  name?: string;
}

/** A factory that installs (once, cached) and starts the SDK driver. */
export function sdkDriver(driver: SdkDriverSpec, version: string | undefined, o: SdkDriverOptions = {}): DriverFactory {
  const name = o.name ?? (version ? `${driver.name}@${version}` : driver.name);
  return {
    name,
    load: async () => {
      const installed = await installDriver(driver, version, driverSourceDir(driver), o);
      return processDriver(installed.command, { name, env: o.env, cwd: installed.cwd }).load();
    },
  };
}
