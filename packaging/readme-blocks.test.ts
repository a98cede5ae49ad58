// Every fenced code block of README.md and conformance/README.md is run as written, so the examples cannot rot:
// TypeScript and JavaScript blocks as programs importing the built package (`oss-mock`, `oss-mock/client`, ali-oss),
// type-checked too; shell blocks with bash in a temp directory laid out like a clone that has oss-mock installed.
// A block that cannot run here says why in an HTML comment right before it: `<!-- not run: REASON -->`; a block of
// servers (`<!-- run: each line is a server ... -->`) has each line started, asked for /_mock/health and stopped.
// `text` blocks are output samples. `console.log(...); // VALUE` in a block is checked: VALUE must be printed.
// The blocks use dist/ (built by `npm ci`; `npm run build` after changing the sources).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const READMES = ['README.md', 'conformance/README.md'];

interface Block {
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  lang: string;
  code: string;
  /** the reason of a `<!-- not run: REASON -->` right before the block */
  notRun?: string;
  /** `<!-- run: each line is a server ... -->` */
  servers: boolean;
}

const RUNNABLE: Record<string, 'ts' | 'js' | 'sh'> = {
  ts: 'ts',
  typescript: 'ts',
  js: 'js',
  javascript: 'js',
  mjs: 'js',
  sh: 'sh',
  bash: 'sh',
  shell: 'sh',
};

/** The fenced blocks of a Markdown file, each with the annotation on the last non-blank line before it. */
export function extractBlocks(file: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: unclosed code block`);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const annotation = before >= 0 ? lines[before]!.trim() : '';
    blocks.push({
      file,
      line: i + 1,
      lang: open[1]!.toLowerCase(),
      code: lines.slice(i + 1, end).join('\n') + '\n',
      notRun: /^<!-- not run: (.*\S)\s*-->$/.exec(annotation)?.[1],
      servers: /^<!-- run: each line is a server\b.*-->$/.test(annotation),
    });
    i = end;
  }
  return blocks;
}

const blocks = READMES.flatMap((f) => extractBlocks(f, readFileSync(path.join(root, f), 'utf8')));
const toRun = blocks.filter((b) => b.notRun === undefined && RUNNABLE[b.lang] !== undefined);
const name = (b: Block): string => `${b.file}:${b.line} (${b.lang})`;

let work: string;
/** PATH and environment of every block: the temp project's bins first, no OSS_MOCK_* or npm_* of the test run */
let env: Record<string, string>;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'oss-mock-readme-'));
  // a clone (dist/, package.json's start script) that also has oss-mock installed (node_modules/oss-mock and its bins)
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
    bin: Record<string, string>;
  };
  await writeFile(
    path.join(work, 'package.json'),
    JSON.stringify({ name: 'readme-blocks', private: true, type: 'module', scripts: { start: pkg.scripts.start } }),
  );
  await symlink(path.join(root, 'dist'), path.join(work, 'dist'));
  await mkdir(path.join(work, 'node_modules/.bin'), { recursive: true });
  await mkdir(path.join(work, 'node_modules/@types'), { recursive: true });
  await symlink(root, path.join(work, 'node_modules/oss-mock'));
  for (const dep of ['ali-oss', '@types/ali-oss', '@types/node']) {
    await symlink(path.join(root, 'node_modules', dep), path.join(work, 'node_modules', dep));
  }
  for (const [bin, target] of Object.entries(pkg.bin)) {
    await symlink(path.join(root, target), path.join(work, 'node_modules/.bin', bin));
  }
  const inherited = Object.entries(process.env).filter(
    (e): e is [string, string] => e[1] !== undefined && !/^(OSS_MOCK_|npm_)/i.test(e[0]),
  );
  env = {
    ...Object.fromEntries(inherited),
    PATH: `${path.join(work, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    // a server a block starts takes a free port, whatever port the block shows (its flags still win)
    OSS_MOCK_PORT: '0',
    // npx finds the installed bin; it must never reach for the registry
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}, 60_000);
afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

interface Ran {
  code: number | string;
  stdout: string;
  stderr: string;
}

/**
 * `command args` in `work` as the leader of a new process group (npm and sh start children), killed as a group when
 * `timeoutMs` passes. `onStdout` sees the output so far and may stop the run.
 */
function runGroup(
  command: string,
  args: readonly string[],
  timeoutMs: number,
  onStdout?: (out: string, stop: () => void) => void,
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: work, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const signalGroup = (signal: NodeJS.Signals): void => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is gone already
      }
    };
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${timeoutMs} ms]`;
      signalGroup('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, () => signalGroup('SIGTERM'));
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      signalGroup('SIGKILL'); // whatever the block left behind in its group
      resolve({ code: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

/** The VALUEs of `console.log(...); // VALUE` lines, in order. */
function expectedOutput(code: string): string[] {
  return code
    .split('\n')
    .map((l) => /console\.log\(.*\);?\s*\/\/\s*(.+?)\s*$/.exec(l)?.[1])
    .filter((v): v is string => v !== undefined);
}

async function runProgram(block: Block, index: number): Promise<void> {
  const js =
    RUNNABLE[block.lang] === 'ts'
      ? (await transform(block.code, { loader: 'ts', format: 'esm', target: 'node20' })).code
      : block.code;
  const file = path.join(work, `block-${index}.mjs`);
  await writeFile(file, js);
  const ran = await runGroup(process.execPath, [file], 60_000);
  expect(ran, `${name(block)} exits 0`).toMatchObject({ code: 0 });
  const printed = ran.stdout.split('\n');
  let at = 0;
  for (const value of expectedOutput(block.code)) {
    const found = printed.indexOf(value, at);
    expect(found, `${name(block)} prints ${value}; it printed:\n${ran.stdout}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

async function runShell(block: Block, index: number): Promise<void> {
  const file = path.join(work, `block-${index}.sh`);
  await writeFile(file, `set -euo pipefail\n${block.code}`);
  const ran = await runGroup('bash', [file], 60_000);
  expect(ran, `${name(block)} exits 0`).toMatchObject({ code: 0 });
}

/** Each command line a server: it must say where it listens and answer there, then it is stopped. */
async function runServers(block: Block): Promise<void> {
  const commands = block.code
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  expect(commands.length).toBeGreaterThan(0);
  await Promise.all(
    commands.map(async (command) => {
      let health: Promise<number> | undefined;
      const ran = await runGroup('bash', ['-c', command], 60_000, (out, stop) => {
        const endpoint = /oss-mock listening on (http:\/\/\S+)/.exec(out)?.[1];
        if (endpoint === undefined || health !== undefined) return;
        health = fetch(`${endpoint}/_mock/health`).then(
          (res) => res.status,
          () => 0,
        );
        void health.finally(stop);
      });
      expect(health, `${command}: "listening on" before it exited\n${ran.stdout}${ran.stderr}`).toBeDefined();
      expect(await health, `${command}: GET /_mock/health`).toBe(200);
    }),
  );
}

describe('README code blocks', () => {
  it('every block is run, or marked `text` (a sample) or <!-- not run: reason -->', () => {
    const unaccounted = blocks
      .filter((b) => b.lang !== 'text' && b.notRun === undefined && RUNNABLE[b.lang] === undefined)
      .map(name);
    expect(unaccounted).toEqual([]);
    expect(blocks.filter((b) => b.servers && RUNNABLE[b.lang] !== 'sh').map(name)).toEqual([]);
    // the READMEs have runnable examples, and this test finds them
    expect(toRun.filter((b) => RUNNABLE[b.lang] === 'ts').length).toBeGreaterThanOrEqual(3);
    expect(toRun.filter((b) => b.servers).length).toBeGreaterThanOrEqual(1);
  });

  it('the annotations are read as written', () => {
    const sample = [
      '<!-- not run: needs a C++ compiler -->',
      '',
      '```cpp',
      'int x;',
      '```',
      '',
      '```text',
      'out',
      '```',
    ];
    expect(extractBlocks('x.md', sample.join('\n'))).toEqual([
      { file: 'x.md', line: 3, lang: 'cpp', code: 'int x;\n', notRun: 'needs a C++ compiler', servers: false },
      { file: 'x.md', line: 7, lang: 'text', code: 'out\n', notRun: undefined, servers: false },
    ]);
  });

  it.concurrent.each(toRun.map((b, i) => [name(b), b, i] as const))(
    '%s runs',
    async (_name, block, index) => {
      if (block.servers) await runServers(block);
      else if (RUNNABLE[block.lang] === 'sh') await runShell(block, index);
      else await runProgram(block, index);
    },
    90_000,
  );

  it('the TypeScript blocks type-check against the package types', async () => {
    const ts = toRun.filter((b) => RUNNABLE[b.lang] === 'ts');
    const dir = path.join(work, 'typecheck');
    await mkdir(dir, { recursive: true });
    await Promise.all(ts.map((b, i) => writeFile(path.join(dir, `block-${i}.ts`), `${b.code}export {};\n`)));
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          skipLibCheck: true,
        },
        include: ['*.ts'],
      }),
    );
    const ran = await runGroup(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', dir],
      120_000,
    );
    expect(ran.stdout + ran.stderr).toBe('');
    expect(ran.code).toBe(0);
  }, 150_000);
});
