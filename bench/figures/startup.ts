// Start-up: from spawning the `oss-mock` CLI to the answer of its first request, against spawning the bare node:http
// sink the same way (node's own start-up floor on this machine). Runs alternate.
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { request } from '../http-client.js';
import { median } from '../stats.js';
import { CLI_JS, PEER_JS, spawnServer } from '../children.js';
import { mockArgs } from '../targets.js';

type Kind = 'mock-memory' | 'mock-file' | 'bare';

async function startToFirstAnswer(kind: Kind, dataDir: string): Promise<number> {
  const child =
    kind === 'bare'
      ? await spawnServer(PEER_JS, ['bare'])
      : await spawnServer(CLI_JS, mockArgs(kind === 'mock-file' ? dataDir : undefined));
  try {
    const r = await request(`${child.endpoint}/${kind === 'bare' ? '' : '_mock/health'}`, { method: 'GET' });
    if (r.status !== 200) throw new Error(`first request answered ${r.status}`);
    return performance.now() - child.spawnedAt;
  } finally {
    await child.stop();
  }
}

export async function measureStartup(ctx: BenchContext): Promise<Figure[]> {
  const samples: Record<Kind, number[]> = { 'mock-memory': [], 'mock-file': [], bare: [] };
  for (let run = 0; run < ctx.settings.startupRuns; run++) {
    for (const kind of ['bare', 'mock-memory', 'mock-file'] as const) {
      samples[kind].push(await startToFirstAnswer(kind, `${ctx.scratch}/startup-${run}`));
    }
  }
  ctx.log(`start-up ms: ${JSON.stringify(samples)}`);
  const bare = { name: 'bare sink', value: median(samples.bare) };
  return (['mock-memory', 'mock-file'] as const).map((kind) => ({
    id: `startup.${kind}`,
    label: `start-up to first answer: ${kind === 'mock-memory' ? 'memory store' : 'file store (empty dir)'}`,
    unit: 'ms',
    value: median(samples[kind]),
    baseline: bare,
    target: { kind: 'at-most', max: 300 },
    samples: samples[kind],
  }));
}
