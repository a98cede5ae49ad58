#!/usr/bin/env node
// The reference driver process for `--driver process:CMD` (conformance/PROTOCOL.md): this project's client served
// over the JSON-lines protocol, or ali-oss with `--wrap ali-oss`. It shows an SDK maintainer what their driver must
// do, and the suite's tests run it end to end.
//   oss-conformance run --driver "process:node dist/conformance/drivers/reference-process-driver.js"
import { aliOssDriver } from './ali-oss.js';
import { builtinDriver } from './builtin.js';
import { serveDriver } from './process-server.js';

const WRAPPABLE = { builtin: builtinDriver, 'ali-oss': aliOssDriver } as const;

async function main(argv: string[]): Promise<number> {
  const i = argv.indexOf('--wrap');
  const wrap = i === -1 ? 'builtin' : argv[i + 1];
  // --interrupt: announce the builtin client's interrupt() instead of its DisableRequest, which exercises the suite's
  // path for SDKs that cancel in-flight calls their own way (protocol 2 capability `interrupt`)
  const interrupt = argv.includes('--interrupt');
  if ((wrap !== 'builtin' && wrap !== 'ali-oss') || (interrupt && wrap !== 'builtin')) {
    process.stderr.write(`usage: reference-process-driver [--wrap builtin|ali-oss] [--interrupt]\n`);
    return 2;
  }
  const driver = await WRAPPABLE[wrap].load();
  const capabilities = interrupt
    ? [...[...driver.capabilities].filter((c) => c !== 'disable'), 'interrupt' as const]
    : undefined;
  await serveDriver(driver, process.stdin, process.stdout, {
    name: `reference-${wrap}${interrupt ? '-interrupt' : ''}`,
    ...(capabilities ? { capabilities } : {}),
  });
  await driver.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // stdin may still hold the pipe open; every client is closed, so leaving now loses nothing.
    process.exit();
  },
  (err: unknown) => {
    process.stderr.write(
      `reference-process-driver: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
