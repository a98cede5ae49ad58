// In-process SDKs (ali-oss) log through `console` — urllib's "[urllib:warn] ... callback twice!!!" with a stack
// trace, for instance — which on a passing run looks like a failure. While a scenario runs, console output is kept
// with that scenario (and shown in the report) instead of reaching the terminal; the suite itself never writes
// through `console`, so nothing of its own is hidden. Output outside any scenario passes through unchanged.
import { format } from 'node:util';
import type { DriverLogEntry } from './drivers/driver.js';

const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
type Method = (typeof METHODS)[number];
const LEVEL: Record<Method, DriverLogEntry['level']> = {
  log: 'info',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'debug',
};

/** Where console output goes now: the running scenario's log, or undefined (pass through). */
let sink: DriverLogEntry[] | undefined;
let installed = false;
/** keeps one scenario's chatter bounded */
const MAX_ENTRIES = 2_000;

function install(): void {
  if (installed) return;
  installed = true;
  for (const m of METHODS) {
    const original = console[m].bind(console) as (...args: unknown[]) => void;
    console[m] = (...args: unknown[]): void => {
      if (sink === undefined) {
        original(...args);
        return;
      }
      if (sink.length < MAX_ENTRIES) sink.push({ level: LEVEL[m], message: format(...args), source: 'console' });
    };
  }
}

/**
 * Sends console output into `into` (undefined: the terminal) until the returned function is called, which restores
 * the previous destination. Redirections nest; scenarios run one at a time, so whatever logs meanwhile belongs to the
 * one running.
 */
export function redirectConsole(into: DriverLogEntry[] | undefined): () => void {
  install();
  const previous = sink;
  sink = into;
  return () => {
    sink = previous;
  };
}
