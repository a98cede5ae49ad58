#!/usr/bin/env node
// `oss-mock` (package.json bin): serve the fake OSS endpoint until SIGINT, SIGTERM or SIGHUP, or until its stdout
// is a pipe nobody reads any more.
import { setFlagsFromString } from 'node:v8';
import { runCli } from './cli-main.js';

// Under steady load V8 lets the old generation of a busy process grow to 4-5x its live objects before a full
// collection, and keeps the pages: the soak's server sat at ~230 MB of old space for ~40 MB live, creeping up for
// many minutes. This process only serves the mock, so it asks V8 for 1.5x instead (more frequent, short full GCs;
// see README "Reliability"). An explicit --heap-growing-percent on node's command line wins.
if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent'))) {
  setFlagsFromString('--heap-growing-percent=50');
}

/** The exit status of a Unix tool killed by SIGPIPE (128 + 13), which node, ignoring SIGPIPE, never is. */
const EXIT_BROKEN_PIPE = 141;

let stop: ((reason: string) => void) | undefined;
let stopping = false;
let stdoutGone = false;

// A write to a pipe whose reader exited (`oss-mock | head -1`) fails with EPIPE on the stream instead of killing the
// process as it would a C tool. The mock then does what such a tool does, without a stack trace: it stops (after
// closing its store cleanly) and exits 141. A broken stderr only stops its messages.
process.stdout.on('error', () => {
  stdoutGone = true;
  if (stop !== undefined) stop('stdout closed');
  else exitWhenFlushed(EXIT_BROKEN_PIPE);
});
process.stderr.on('error', () => undefined);

const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

function terminate(signal: keyof typeof SIGNAL_NUMBERS, reason: string = signal): void {
  // A second signal while closing (an impatient Ctrl-C) exits at once, as the shell's user asks; one before the
  // server is up ends the start-up, as the signal's default action would.
  if (stopping || stop === undefined) process.exit(128 + SIGNAL_NUMBERS[signal]);
  stop(reason);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => terminate(signal));

// npm runs a bin (npx, npm exec, npm start) through `sh -c`, forwards SIGINT and SIGTERM to that shell only, and
// dash does not pass them on: `npx oss-mock & kill $!` would leave the server running with no parent. Started by npm
// (which sets npm_lifecycle_event), the mock therefore stops once the process that started it is gone.
const PARENT_CHECK_MS = 500;
if (process.env.npm_lifecycle_event !== undefined) {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) terminate('SIGHUP', 'the process that started it exited');
  }, PARENT_CHECK_MS).unref();
}

runCli(process.argv.slice(2), {
  stdout: (text) => {
    if (!stdoutGone) process.stdout.write(text);
  },
  stderr: (text) => process.stderr.write(text),
  stdoutIsTTY: process.stdout.isTTY === true,
  env: process.env,
  onTerminate: (close) => {
    stop = (reason) => {
      if (stopping) return;
      stopping = true;
      close(reason);
    };
  },
}).then(
  (code) => {
    // Exit here rather than when the event loop drains: after a soak's thousands of cut connections, node 20 was
    // seen spinning at 100% CPU for minutes in its exit-time cleanup (gdb: Environment::CleanupHandles looping on
    // uv_run, no socket left open) instead of exiting. The server and store are closed by now; stdout and stderr
    // are flushed first.
    exitWhenFlushed(stdoutGone ? EXIT_BROKEN_PIPE : code);
  },
  (err: unknown) => {
    process.stderr.write(`oss-mock: ${err instanceof Error ? err.message : String(err)}\n`);
    exitWhenFlushed(1);
  },
);

function exitWhenFlushed(code: number): void {
  if (stdoutGone) {
    process.stderr.write('', () => process.exit(code));
    return;
  }
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
