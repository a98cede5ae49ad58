// The version of the oss-mock package this module belongs to (--version, the start banner): read from the
// package.json above it, whether it runs from the sources, dist/mock-server/ or the bundled dist/bin/oss-mock.cjs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

export function mockVersion(): string {
  if (version !== undefined) return version;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const manifest = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown; version?: unknown };
        if (manifest.name === 'oss-mock' && typeof manifest.version === 'string') return (version = manifest.version);
      } catch {
        // not a package we can read: keep looking above
      }
    }
    if (dirname(dir) === dir) return (version = '0.0.0');
  }
}
