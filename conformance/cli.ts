#!/usr/bin/env node
// `oss-conformance`: run the suite and report (docs/architecture.md#contracts). Progress goes to stderr while it runs;
// the
// exit status is 0 only when every applicable scenario passed.
import path from 'node:path';
import { parseArgs, USAGE, UsageError } from './args.js';
import { UnknownDriverError } from './drivers/index.js';
import { progressLine } from './reporters/index.js';
import { runConformance } from './runner.js';
import { selectScenarios } from './scenario.js';
import { ALL_SCENARIOS } from './scenarios/index.js';
import { ExternalTargetConfigError } from './targets/external.js';

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (args.command === 'list') {
    for (const s of selectScenarios(ALL_SCENARIOS, args.filter)) {
      const needs = [
        ...(s.subject === 'client' ? (s.requires.capabilities ?? []) : []),
        ...(s.requires.control ? ['control API'] : []),
      ];
      process.stdout.write(
        `${s.id.padEnd(9)} [${s.subject}] ${s.title}\n          needs: ${needs.join(', ') || '-'}; verified against: ${s.verifiedAgainst}\n`,
      );
    }
    return 0;
  }
  process.stderr.write(
    `oss-conformance: target ${args.target}, drivers ${args.drivers.join(', ') || 'builtin, ali-oss'}\n`,
  );
  const summary = await runConformance({
    target: args.target,
    drivers: args.drivers.length > 0 ? args.drivers : undefined,
    filter: args.filter,
    reportDir: args.reportDir,
    timeoutScale: args.timeoutScale,
    onResult: (r, i, total) => process.stderr.write(progressLine(r, i, total) + '\n'),
  });
  for (const d of summary.drivers.filter((x) => !x.available)) {
    process.stderr.write(`driver ${d.name} unavailable: ${d.reason ?? ''}\n`);
  }
  for (const w of summary.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const t = summary.totals;
  process.stderr.write(
    `\n${summary.ok ? 'PASSED' : 'FAILED'}: ${t.pass} passed, ${t.fail} failed, ${t.skip} skipped, ${t['n-a']} not applicable ` +
      `in ${(summary.durationMs / 1000).toFixed(1)} s\nreports: ${path.resolve(args.reportDir)}/{results.json,junit.xml,report.html}\n`,
  );
  return summary.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage =
      err instanceof UsageError || err instanceof UnknownDriverError || err instanceof ExternalTargetConfigError;
    process.stderr.write(`oss-conformance: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof UsageError) process.stderr.write(USAGE + '\n');
    if (!usage && err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
    process.exitCode = usage ? 2 : 1;
  },
);
