// The `oss-mock` command as users run it: the bundled bin in a child process, reached over 127.0.0.1.
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OssClient } from '../client/index.js';
import { bundleBin, runBin, stopBin, type BinProcess, type BundledBin } from './test-support/bin-process.js';

let bundled: BundledBin;
const started: BinProcess[] = [];

beforeAll(async () => {
  bundled = await bundleBin();
}, 60_000);
afterAll(async () => {
  await Promise.all(started.map(stopBin));
  await bundled?.remove();
});

function start(args: readonly string[], env: Record<string, string> = {}): BinProcess {
  const p = runBin(bundled.bin, ['--port', '0', ...args], env);
  started.push(p);
  return p;
}

async function endpointOf(p: BinProcess): Promise<string> {
  return (await p.waitFor(/listening on (http:\/\/\S+)/))[1]!;
}

/** stdout after the start banner (which ends with the web console's line) */
function afterBanner(p: BinProcess): string[] {
  const out = p.stdout();
  return out
    .slice(out.indexOf('\n', out.indexOf('web console:')) + 1)
    .split('\n')
    .filter((l) => l !== '');
}

describe('the request log of oss-mock', () => {
  it('prints one text line per OSS request by default, none for control API calls', async () => {
    const p = start([]);
    const endpoint = await endpointOf(p);
    await fetch(`${endpoint}/_mock/health`);
    expect((await fetch(`${endpoint}/no-such-bucket/k`)).status).toBe(404);
    await p.waitFor(/ NoSuchBucket /);
    await stopBin(p);
    expect(afterBanner(p)).toEqual([
      expect.stringMatching(/^\[[\d-]+ [\d:.]+\] INFO: GET \/no-such-bucket\/k 404 NoSuchBucket GetObject \(/),
      'oss-mock: SIGTERM, closing (in-flight uploads are discarded)',
    ]);
  });

  it('--log-format json --log-level debug: one JSON object per request, control API calls too', async () => {
    const p = start(['--log-format', 'json', '--log-level', 'debug', '--auth', 'off']);
    const endpoint = await endpointOf(p);
    await fetch(`${endpoint}/_mock/health`);
    await fetch(`${endpoint}/logbucket`, { method: 'PUT' });
    await p.waitFor(/"PutBucket"/);
    const records = afterBanner(p).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => [r.level, r.method, r.path, r.operation, r.status])).toEqual([
      ['debug', 'GET', '/_mock/health', undefined, 200],
      ['info', 'PUT', '/logbucket', 'PutBucket', 200],
    ]);
  });

  it('OSS_MOCK_LOG_LEVEL=silent prints nothing per request', async () => {
    const p = start([], { OSS_MOCK_LOG_LEVEL: 'silent' });
    const endpoint = await endpointOf(p);
    await fetch(`${endpoint}/no-such-bucket/k`);
    await stopBin(p);
    expect(afterBanner(p)).toEqual(['oss-mock: SIGTERM, closing (in-flight uploads are discarded)']);
  });
});

/** Whether something accepts connections on the endpoint's port. */
async function serving(endpoint: string): Promise<boolean> {
  return fetch(`${endpoint}/_mock/health`).then(
    () => true,
    () => false,
  );
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('oss-mock as a Unix tool', () => {
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('closes and exits 0 on %s', async (signal) => {
    const p = start(['--log-level', 'silent']);
    const endpoint = await endpointOf(p);
    p.child.kill(signal);
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toContain(`oss-mock: ${signal}, closing`);
    expect(await serving(endpoint)).toBe(false);
  });

  it('`oss-mock --port 0 | head -1`: once stdout has no reader, the next write stops it quietly (exit 141)', async () => {
    const p = start([]);
    const endpoint = await endpointOf(p);
    p.child.stdout!.destroy(); // what head does after the first line
    await fetch(`${endpoint}/some-bucket/k`); // its log line meets the closed pipe
    expect(await p.exited).toBe(141);
    expect(p.stderr()).toBe('');
    expect(await serving(endpoint)).toBe(false);
  });

  it('a signal after stdout lost its reader exits quietly too', async () => {
    const p = start(['--log-level', 'silent']);
    await endpointOf(p);
    p.child.stdout!.destroy();
    p.child.kill('SIGINT'); // "closing" meets the closed pipe
    expect(await p.exited).toBe(141);
    expect(p.stderr()).toBe('');
  });

  it('`npx oss-mock &` then `kill $!` leaves no server behind', async () => {
    // a project whose node_modules/.bin has the bin, as after `npm install oss-mock`
    const project = path.join(bundled.dir, 'project');
    await mkdir(path.join(project, 'node_modules/.bin'), { recursive: true });
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'p', version: '1.0.0' }));
    await symlink(bundled.bin, path.join(project, 'node_modules/.bin/oss-mock'));
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
    const npx = spawn('npm', ['exec', '--offline', '--', 'oss-mock', '--port', '0', '--log-level', 'silent'], {
      cwd: project,
      env: clean,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npx.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise((resolve) => npx.once('exit', resolve));
    try {
      expect(await until(async () => /listening on http/.test(out), 30_000)).toBe(true);
      const endpoint = /listening on (http:\/\/\S+)/.exec(out)![1]!;
      npx.kill('SIGTERM');
      await exited;
      expect(await until(async () => !(await serving(endpoint)), 10_000)).toBe(true);
    } finally {
      npx.kill('SIGKILL');
      await killStartedFrom(project);
    }
  }, 60_000);
});

/** SIGKILLs what is still running from `dir` (a server this test started through npm that outlived it). */
async function killStartedFrom(dir: string): Promise<void> {
  for (const pid of await readdir('/proc').catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(dir)) process.kill(Number(pid), 'SIGKILL');
  }
}

describe('oss-mock conventions', () => {
  it('--version prints the package version; the banner shows it', async () => {
    const v = start(['--version']);
    expect(await v.exited).toBe(0);
    expect(v.stdout()).toBe('oss-mock 0.0.0-test\n');
    const p = start(['--log-level', 'silent']);
    await endpointOf(p);
    await p.waitFor(/web console/);
    expect(p.stdout()).toContain('  version:           0.0.0-test\n');
  });

  it('a usage error prints the error and one line pointing to --help, exit 2', async () => {
    const p = start(['--bogus']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toBe(`oss-mock: unknown option "--bogus"\nTry 'oss-mock --help' for more information.\n`);
    expect(p.stdout()).toBe('');
  });

  it('--bucket (repeatable) and OSS_MOCK_BUCKET create buckets at start', async () => {
    const p = start([
      '--auth',
      'off',
      '--log-level',
      'silent',
      '--bucket',
      'first-bucket',
      '--bucket',
      'second-bucket',
    ]);
    const endpoint = await endpointOf(p);
    for (const b of ['first-bucket', 'second-bucket'])
      expect((await fetch(`${endpoint}/${b}?bucketInfo`)).status).toBe(200);
    expect((await fetch(`${endpoint}/third-bucket?bucketInfo`)).status).toBe(404);
    const e = start(['--auth', 'off', '--log-level', 'silent'], { OSS_MOCK_BUCKET: 'env-bucket' });
    expect((await fetch(`${await endpointOf(e)}/env-bucket?bucketInfo`)).status).toBe(200);
    const bad = start(['--bucket', 'B_ad']);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--bucket: "B_ad" is not a valid bucket name');
  });

  it('--ready-json prints one JSON line; --port-file gets the port', async () => {
    const portFile = path.join(bundled.dir, 'port');
    const p = start(['--ready-json', '--port-file', portFile, '--log-level', 'silent']);
    const line = (await p.waitFor(/^(\{.*\})\n/))[1]!;
    const ready = JSON.parse(line) as Record<string, unknown>;
    expect(ready).toMatchObject({ host: '127.0.0.1', region: 'cn-hangzhou', version: '0.0.0-test' });
    expect(ready.endpoint).toBe(`http://127.0.0.1:${String(ready.port)}`);
    expect(await readFile(portFile, 'utf8')).toBe(`${String(ready.port)}\n`);
    const health = await fetch(`${String(ready.endpoint)}/_mock/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', version: '0.0.0-test', store: 'memory', objects: 0 });
  });
});

describe('oss-mock --base-domain', () => {
  it('answers virtual-hosted requests for BUCKET.DOMAIN', async () => {
    const p = start(['--auth', 'off', '--log-level', 'silent', '--base-domain', 'oss.test', '--bucket', 'vh-bucket']);
    const url = new URL(await endpointOf(p));
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/?bucketInfo',
          headers: { host: `vh-bucket.oss.test:${url.port}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });
});

describe('oss-mock configured through OSS_MOCK_* variables only', () => {
  it('listens, signs, stores and reports as the variables say; an option on the command line wins', async () => {
    const dataDir = path.join(bundled.dir, 'env-data');
    const portFile = path.join(bundled.dir, 'env-port');
    const env = {
      OSS_MOCK_PORT: '0',
      OSS_MOCK_PORT_FILE: portFile,
      OSS_MOCK_READY_JSON: '1',
      OSS_MOCK_LOG_LEVEL: 'silent',
      OSS_MOCK_DATA_DIR: dataDir,
      OSS_MOCK_ACCESS_KEY_ID: 'env-key-id',
      OSS_MOCK_ACCESS_KEY_SECRET: 'env-key-secret',
      OSS_MOCK_REGION: 'cn-beijing',
      OSS_MOCK_BUCKET: 'env-one env-two',
    };
    const p = runBin(bundled.bin, [], env);
    started.push(p);
    const ready = JSON.parse((await p.waitFor(/^(\{.*\})\n/))[1]!) as Record<string, unknown>;
    expect(ready).toMatchObject({ accessKeyId: 'env-key-id', accessKeySecret: 'env-key-secret', region: 'cn-beijing' });
    expect(ready.port).not.toBe(9000);
    expect(await readFile(portFile, 'utf8')).toBe(`${String(ready.port)}\n`);
    const endpoint = String(ready.endpoint);
    expect(await (await fetch(`${endpoint}/_mock/health`)).json()).toMatchObject({
      store: 'file',
      dataDir,
      buckets: 2,
    });
    // the credentials from the environment sign; the default pair is unknown to this server
    const signed = (id: string, secret: string) =>
      new OssClient({ endpoint, accessKeyId: id, accessKeySecret: secret, region: 'cn-beijing' });
    await signed('env-key-id', 'env-key-secret').putObject({
      bucket: 'env-two',
      key: 'k',
      body: Buffer.from('from env'),
    });
    const refused = await signed('oss-mock-access-key-id', 'oss-mock-access-key-secret')
      .getObject({ bucket: 'env-two', key: 'k' })
      .then(
        () => 'served',
        (err: { code?: string }) => err.code,
      );
    expect(refused).toBe('InvalidAccessKeyId');
    await stopBin(p);
    expect(p.stdout()).not.toContain('listening on'); // --ready-json replaced the banner

    // the same variables, with --region and --bucket on the command line
    const q = runBin(
      bundled.bin,
      ['--region', 'cn-shanghai', '--bucket', 'argv-bucket', '--data-dir', `${dataDir}-2`],
      env,
    );
    started.push(q);
    const again = JSON.parse((await q.waitFor(/^(\{.*\})\n/))[1]!) as Record<string, unknown>;
    expect(again).toMatchObject({ region: 'cn-shanghai', accessKeyId: 'env-key-id' });
    expect(await (await fetch(`${String(again.endpoint)}/_mock/health`)).json()).toMatchObject({ buckets: 1 });
  });

  it('a bad value in a variable is a usage error that names the variable', async () => {
    const p = runBin(bundled.bin, [], { OSS_MOCK_PORT: 'http' });
    started.push(p);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toBe(
      `oss-mock: --port: "http" is not a port (0-65535) (from OSS_MOCK_PORT)\nTry 'oss-mock --help' for more information.\n`,
    );
  });
});
