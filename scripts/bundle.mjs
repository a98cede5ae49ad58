#!/usr/bin/env node
// The `oss-mock` bin as one CommonJS file, bundled from the TypeScript sources with esbuild, for start-up time:
// loading express and the mock as ~150 separate modules cost ~150 ms of resolving and reading files before the
// first request could be answered; one file starts in about half the time. The library entry points
// (`import ... from 'oss-mock'`) stay the plain tsc output in dist/.
//   node scripts/bundle.mjs [OUTFILE]   (default dist/bin/oss-mock.cjs)
import { build } from 'esbuild';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = process.argv[2] ?? `${root}dist/bin/oss-mock.cjs`;

await build({
  entryPoints: [`${root}mock-server/cli.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
});
