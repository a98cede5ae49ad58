// The published package, as `npm pack` makes it from the built dist/, unpacked into a temp project whose
// node_modules has only the package's declared dependencies (linked from this checkout's install): what a user runs
// works from there, and nothing users do not run (tests, source maps, the bench and reliability harnesses) ships.
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

interface Packed {
  filename: string;
  files: Array<{ path: string; size: number }>;
}

let work: string;
let packed: Packed;
let installed: string;
let project: string;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'oss-mock-packed-'));
  // --ignore-scripts: pack the dist/ that `npm ci` built instead of building it again
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: root,
  });
  packed = (JSON.parse(stdout) as Packed[])[0]!;
  project = path.join(work, 'project');
  installed = path.join(project, 'node_modules/oss-mock');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', path.join(work, packed.filename), '-C', installed, '--strip-components=1']);
  const pkg = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // and the examples' test runner, as a user's project has it
  for (const dep of [...Object.keys(pkg.dependencies), 'vitest']) {
    await mkdir(path.dirname(path.join(project, 'node_modules', dep)), { recursive: true });
    await symlink(path.join(root, 'node_modules', dep), path.join(project, 'node_modules', dep));
  }
}, 120_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships no tests, source maps, bench or reliability harness, nor test support', () => {
    const unwanted = packed.files
      .map((f) => f.path)
      .filter((p) => /\.map$|\.test\.|(^|\/)(bench|reliability|test-support)\//.test(p));
    expect(unwanted).toEqual([]);
    expect(packed.files.map((f) => f.path)).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'dist/bin/oss-mock.cjs', 'dist/conformance/cli.js']),
    );
  });

  it('oss-mock --version prints the packed version', async () => {
    const { stdout } = await run(process.execPath, [path.join(installed, 'dist/bin/oss-mock.cjs'), '--version']);
    const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
    expect(stdout).toBe(`oss-mock ${pkg.version}\n`);
  });

  it('oss-mock starts from the install, serves and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [path.join(installed, 'dist/bin/oss-mock.cjs'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m !== null) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`exited with ${code}: ${err}`)));
      });
      const health = await fetch(`${endpoint}/_mock/health`);
      expect(health.status).toBe(200);
      expect((await fetch(`${endpoint}/_mock/ui/`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('oss-conformance lists its scenarios from the install (ali-oss, an optional peer, not installed)', async () => {
    const cli = path.join(installed, 'dist/conformance/cli.js');
    const { stdout: version } = await run(process.execPath, [cli, '--version']);
    expect(version).toMatch(/^oss-conformance \d+\.\d+\.\d+/);
    const { stdout } = await run(process.execPath, [cli, 'list', '--json']);
    expect((JSON.parse(stdout) as unknown[]).length).toBeGreaterThan(10);
  });

  it('examples/vitest runs as written: oss-mock/vitest global setup, ossMock() and reset()', async () => {
    // the client the examples use (installed after the list above ran without it)
    await symlink(path.join(root, 'node_modules/ali-oss'), path.join(project, 'node_modules/ali-oss'));
    await cp(path.join(root, 'examples/vitest'), path.join(project, 'vitest-example'), { recursive: true });
    const vitest = path.join(project, 'node_modules/vitest/vitest.mjs');
    const { stdout } = await run(process.execPath, [vitest, 'run', '--root', 'vitest-example'], {
      cwd: project,
      env: { ...process.env, CI: '1', NO_COLOR: '1' },
    });
    expect(stdout).toMatch(/Tests\s+2 passed \(2\)/);
  }, 60_000);

  it('examples/node-test runs as written: startMock() from oss-mock under node --test', async () => {
    await cp(path.join(root, 'examples/node-test'), path.join(project, 'node-test-example'), { recursive: true });
    const { stdout } = await run(process.execPath, ['--test', 'node-test-example/upload.test.mjs'], { cwd: project });
    expect(stdout).toMatch(/# pass 2\n# fail 0/);
  }, 60_000);
});
