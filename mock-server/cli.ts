#!/usr/bin/env node
// `oss-mock` (package.json bin): serve the fake OSS endpoint until SIGINT/SIGTERM.
import { setFlagsFromString } from 'node:v8';
import { runCli } from './cli-main.js';

// Under steady load V8 lets the old generation of a busy process grow to 4-5x its live objects before a full
// collection, and keeps the pages: the soak's server sat at ~230 MB of old space for ~40 MB live, creeping up for
// many minutes. This process only serves the mock, so it asks V8 for 1.5x instead (more frequent, short full GCs;
// see README "Reliability"). An explicit --heap-growing-percent on node's command line wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=50');
}

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  onTerminate: (stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
}).then(
  (code) => {
    // Exit here rather than when the event loop drains: after a soak's thousands of cut connections, node 20 was
    // seen spinning at 100% CPU for minutes in its exit-time cleanup (gdb: Environment::CleanupHandles looping on
    // uv_run, no socket left open) instead of exiting. The server and store are closed by now; stdout and stderr
    // are flushed first.
    exitWhenFlushed(code);
  },
  (err: unknown) => {
    process.stderr.write(`oss-mock: ${err instanceof Error ? err.message : String(err)}\n`);
    exitWhenFlushed(1);
  },
);

function exitWhenFlushed(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
