// The console's page, script and style sheet: built by `npm run build` (scripts/bundle.mjs) into dist/console/ of
// the package, read from there once and served from memory. Nothing is compiled at run time.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Asset {
  body: Buffer;
  contentType: string;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

/**
 * dist/console/ of the oss-mock package this module belongs to. The module runs from the sources (tests), from
 * dist/mock-server/ (the library) or from dist/bin/oss-mock.cjs (the bundled CLI): each lies below the package root.
 */
export function consoleAssetDir(from = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'oss-mock') {
          return join(dir, 'dist', 'console');
        }
      } catch {
        // not a package we can read: keep looking above
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export class ConsoleAssets {
  private cache: Map<string, Asset> | undefined;

  constructor(private readonly dir = consoleAssetDir()) {}

  /** undefined: not a console file; throws when the built assets are missing. */
  get(name: string): Asset | undefined {
    const type = FILES[name];
    if (type === undefined) return undefined;
    this.cache ??= this.load();
    return this.cache.get(name);
  }

  private load(): Map<string, Asset> {
    if (this.dir === undefined || !existsSync(join(this.dir, 'index.html'))) {
      throw new Error(`the console's built files are missing (${this.dir ?? 'dist/console'}): run npm run build`);
    }
    const files = new Map<string, Asset>();
    for (const [name, contentType] of Object.entries(FILES)) {
      files.set(name, { body: readFileSync(join(this.dir, name)), contentType });
    }
    return files;
  }
}
