// `oss-conformance` as a user meets it: a spawned process, its exit status, what it prints and the report it leaves.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileForNode } from './test-support/transpile.js';

let out: string;
let reports: string;

beforeAll(async () => {
  out = await transpileForNode(['protocol', 'client', 'mock-server', 'testkit', 'cli', 'conformance']);
  reports = await mkdtemp(path.join(tmpdir(), 'oss-conformance-cli-'));
}, 120_000);

afterAll(async () => {
  for (const dir of [out, reports]) if (dir) await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(out, 'conformance/cli.js'), ...args],
      { env: { ...process.env, ...env, GITHUB_STEP_SUMMARY: '' }, timeout: 120_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('oss-conformance', () => {
  it('list into a pipe whose reader is gone (| head -1): no stack trace, exit 141', async () => {
    const child = spawn(process.execPath, [path.join(out, 'conformance/cli.js'), 'list'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // the reader exits before the listing is written: every write fails with EPIPE
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(141);
  });

  it('bare: usage on stderr, exit 2; --version; run --help shows the run options', async () => {
    const bare = await cli([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: oss-conformance <command>/);
    const version = await cli(['--version']);
    expect(version.stdout).toMatch(/^oss-conformance \d+\.\d+\.\d+\n$/);
    const runHelp = await cli(['run', '--help']);
    expect(runHelp.code).toBe(0);
    expect(runHelp.stdout).toContain('--env NAME=VALUE');
    expect(runHelp.stdout).toContain('python-oss2');
  });

  it('usage errors print the error and one line pointing at --help, exit 2', async () => {
    const r = await cli(['run', '--bogus']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'oss-conformance: unknown option "--bogus"\nTry \'oss-conformance run --help\' for more information.\n',
    });
    const none = await cli(['run', '--filter', 'NOPE', '--report', path.join(reports, 'none')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--filter NOPE selects no scenario');
  });

  it('list --json describes every scenario with a source a user can open', async () => {
    const r = await cli(['list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ id: string; verifiedAgainst: string }>;
    expect(list.map((s) => s.id)).toEqual(expect.arrayContaining(['INT-001', 'RES-003', 'CLOCK-001', 'WIRE-012']));
  });

  it('an unreachable target: a clear message, exit 1, no stack trace, and a report that says what happened', async () => {
    const port = await closedPort();
    const dir = path.join(reports, 'unreachable');
    const r = await cli(['run', '--target', `http://127.0.0.1:${port}`, '--driver', 'builtin', '--report', dir], {
      OSS_ACCESS_KEY_ID: 'id',
      OSS_ACCESS_KEY_SECRET: 'secret',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach http://127.0.0.1:${port}: connect ECONNREFUSED`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(await readFile(path.join(dir, 'report.html'), 'utf8')).toContain(`cannot reach http://127.0.0.1:${port}`);
  });

  it("keeps ali-oss's HTTP library warnings out of the console and in the report", async () => {
    const dir = path.join(reports, 'ali');
    const r = await cli(['run', '--driver', 'ali-oss', '--filter', 'MPU-001,ATOM-002', '--report', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('urllib');
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines.every((l) => /^(oss-conformance|\[\d\/\d\]|PASSED|reports:|$)/.test(l))).toBe(true);
    const results = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as {
      results: Array<{ logs?: Array<{ message: string }> }>;
    };
    const logged = results.results.flatMap((x) => x.logs ?? []).map((l) => l.message);
    expect(logged.some((m) => m.includes('[urllib:warn]'))).toBe(true);
  }, 60_000);
});
