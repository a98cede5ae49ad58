// The `oss-mock` command as users run it: the bundled bin in a child process, reached over 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
