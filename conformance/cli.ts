#!/usr/bin/env node
// `oss-conformance`: run the suite and report (docs/architecture.md#contracts). Progress goes to stderr while it runs
// (on a terminal also a line saying what runs now); the exit status is 0 only when every applicable scenario passed.
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { renderHelp, usageErrorText } from '../cli/command-line.js';
import { LIST_SPEC, parseArgs, PROGRAM, RUN_SPEC, USAGE, UsageError } from './args.js';
import { UnknownDriverError } from './drivers/index.js';
import { packageVersion } from './package-info.js';
import { progressLine, renderMarkdown } from './reporters/index.js';
import { StatusLine } from './reporters/status-line.js';
import { NothingSelectedError, runConformance } from './runner.js';
import { selectScenarios } from './scenario.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { unexpectedPasses } from './summary.js';
import { ExternalTargetConfigError } from './targets/external.js';

/** The exit status of a Unix tool killed by SIGPIPE (128 + 13), which node, ignoring SIGPIPE, never is. */
const EXIT_BROKEN_PIPE = 141;
let stdoutGone = false;

// `oss-conformance list | head -1`: a write to a pipe whose reader exited fails with EPIPE on the stream (an
// unhandled 'error' event and a stack trace otherwise). The rest of the output is dropped, a run still writes its
// reports, and the command exits 141 as a C tool killed by SIGPIPE would. A broken stderr only stops the progress.
process.stdout.on('error', () => {
  stdoutGone = true;
  process.exitCode = EXIT_BROKEN_PIPE;
});
process.stderr.on('error', () => undefined);

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0) {
    process.stderr.write(USAGE);
    return 2;
  }
  const args = parseArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(
      args.topic === 'run' ? renderHelp(RUN_SPEC) : args.topic === 'list' ? renderHelp(LIST_SPEC) : USAGE,
    );
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${PROGRAM} ${packageVersion()}\n`);
    return 0;
  }
  if (args.command === 'list') {
    const selected = selectScenarios(ALL_SCENARIOS, args.filter);
    if (selected.length === 0) throw new NothingSelectedError(`${args.filter.join(' ')} selects no scenario`);
    const described = selected.map((s) => ({
      id: s.id,
      subject: s.subject,
      title: s.title,
      needs: {
        capabilities: s.subject === 'client' ? (s.requires.capabilities ?? []) : [],
        anyOf: s.subject === 'client' ? (s.requires.anyOf ?? []) : [],
        control: s.requires.control === true,
      },
      verifiedAgainst: s.verifiedAgainst,
    }));
    if (args.json) {
      process.stdout.write(JSON.stringify(described, null, 2) + '\n');
      return 0;
    }
    for (const s of described) {
      const needs = [
        ...s.needs.capabilities,
        ...(s.needs.anyOf.length ? [`one of ${s.needs.anyOf.join('/')}`] : []),
        ...(s.needs.control ? ['control API'] : []),
      ];
      process.stdout.write(
        `${s.id.padEnd(9)} [${s.subject}] ${s.title}\n          needs: ${needs.join(', ') || '-'}; verified against: ${s.verifiedAgainst}\n`,
      );
    }
    return 0;
  }
  const status = new StatusLine(process.stderr);
  const say = (line: string): void => (status.enabled ? status.print(line) : void process.stderr.write(line + '\n'));
  say(
    `${PROGRAM} ${packageVersion()}: target ${args.target}, drivers ${args.drivers.join(', ') || 'all available'}` +
      (args.envMatrix.length ? `, environments ${args.envMatrix.map((e) => JSON.stringify(e)).join(' ')}` : ''),
  );
  let summary;
  try {
    summary = await runConformance({
      target: args.target,
      drivers: args.drivers.length > 0 ? args.drivers : undefined,
      filter: args.filter,
      reportDir: args.reportDir,
      summaryFile: args.summaryFile,
      timeoutScale: args.timeoutScale,
      envMatrix: args.envMatrix,
      envFilter: args.envFilter,
      install: {
        cacheDir: args.cacheDir,
        onProgress: (driver, message) => say(`driver ${driver}: ${message}`),
      },
      onStart: (s, column, received) => status.start(`${s.id} [${column}]`, received),
      onResult: (r, i, total) => {
        status.stop();
        say(progressLine(r, i, total));
      },
      onUnavailable: (d) =>
        say(
          `driver ${d.column} unavailable${d.required ? '' : ' (not requested by name: not a failure)'}: ${d.reason ?? ''}`,
        ),
    });
  } finally {
    status.stop();
  }
  if (process.env.GITHUB_STEP_SUMMARY) {
    await appendFile(process.env.GITHUB_STEP_SUMMARY, renderMarkdown(summary) + '\n').catch((err: unknown) =>
      process.stderr.write(`${PROGRAM}: cannot write $GITHUB_STEP_SUMMARY: ${String(err)}\n`),
    );
  }
  for (const p of summary.problems) process.stderr.write(`${PROGRAM}: ${p}\n`);
  for (const r of unexpectedPasses(summary.results)) {
    process.stderr.write(
      `WARNING: known defect ${r.knownDefect?.id} did not reproduce in ${r.scenario} [${r.column ?? r.driver}]: the SDK may be fixed; update conformance/known-defects.ts\n`,
    );
  }
  for (const w of summary.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const t = summary.totals;
  process.stderr.write(
    `\n${summary.ok ? 'PASSED' : 'FAILED'}: ${t.pass} passed, ${t.fail} failed, ${t['known-defect']} known SDK defects, ` +
      `${t.skip} skipped, ${t['n-a']} not applicable in ${(summary.durationMs / 1000).toFixed(1)} s\n` +
      `reports: ${path.resolve(args.reportDir)}/{results.json,junit.xml,report.html,summary.md}\n`,
  );
  return summary.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = stdoutGone ? EXIT_BROKEN_PIPE : code;
  },
  (err: unknown) => {
    const usage =
      err instanceof UsageError ||
      err instanceof UnknownDriverError ||
      err instanceof ExternalTargetConfigError ||
      err instanceof NothingSelectedError;
    if (err instanceof UsageError) {
      const topic = process.argv[2] === 'run' || process.argv[2] === 'list' ? ` ${process.argv[2]}` : '';
      process.stderr.write(usageErrorText(PROGRAM, err, `${PROGRAM}${topic} --help`));
    } else {
      process.stderr.write(`${PROGRAM}: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    if (!usage && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = usage ? 2 : 1;
  },
);
