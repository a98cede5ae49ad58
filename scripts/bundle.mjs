#!/usr/bin/env node
// The `oss-mock` bin as one CommonJS file, bundled from the TypeScript sources with esbuild, for start-up time:
// loading express and the mock as ~150 separate modules cost ~150 ms of resolving and reading files before the
// first request could be answered; one file starts in about half the time. The library entry points
// (`import ... from 'oss-mock'`) stay the plain tsc output in dist/.
// It also builds the web console (console-ui/) into dist/console/: one script with Preact bundled in, the style
// sheet and the page, served as they are by the mock (mock-server/console/assets.ts).
//   node scripts/bundle.mjs            the bin as dist/bin/oss-mock.cjs, and the console
//   node scripts/bundle.mjs OUTFILE    the bin only, as OUTFILE
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const binOnly = process.argv[2] !== undefined;
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
  // CommonJS has no import.meta: the console's asset lookup finds the package from this file's own URL
  define: { 'import.meta.url': '__ossMockModuleUrl' },
  banner: { js: "const __ossMockModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
});

const consoleDir = `${root}dist/console`;
if (!binOnly) await buildConsole();

async function buildConsole() {
  await build({
    entryPoints: [`${root}console-ui/src/main.tsx`],
    outfile: `${consoleDir}/app.js`,
    bundle: true,
    platform: 'browser',
    target: ['chrome111', 'firefox111', 'safari16.4'],
    format: 'esm',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    logLevel: 'warning',
  });
  await mkdir(consoleDir, { recursive: true });
  await copyFile(`${root}console-ui/index.html`, `${consoleDir}/index.html`);
  await copyFile(`${root}console-ui/app.css`, `${consoleDir}/app.css`);
}
