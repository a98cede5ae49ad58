#!/usr/bin/env node
// `oss-mock` (package.json bin): serve the fake OSS endpoint until SIGINT/SIGTERM.
import { runCli } from './cli-main.js';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onTerminate: (stop) => {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`oss-mock: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
