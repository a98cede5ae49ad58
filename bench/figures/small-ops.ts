// Small objects: 4 KiB PUT then GET from 32 keep-alive connections for a window each, every server in turn, round after
// round. Ops/s and p99 latency against the bare sink (the ceiling of node:http plus this load generator on this
// machine) and s3rver.
import http from 'node:http';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { request } from '../http-client.js';
import { closedLoop, type LoadResult } from '../load.js';
import { median, percentile } from '../stats.js';
import { startTargets, stopAll, type Target, type TargetKind } from '../targets.js';

const KINDS: TargetKind[] = ['mock-memory', 'mock-file', 'bare', 's3rver'];
const KEYS = 1024;
const OPS = ['PUT', 'GET'] as const;
type Op = (typeof OPS)[number];

interface Tally {
  opsPerSecond: number[];
  p99Ms: number[];
  errors: number;
  firstError?: string;
}

async function window(ctx: BenchContext, t: Target, op: Op, written: number): Promise<LoadResult> {
  const { smallSize, smallConcurrency, smallWindowMs } = ctx.settings;
  const body = Buffer.alloc(smallSize, 0x62);
  const agent = new http.Agent({ keepAlive: true, maxSockets: smallConcurrency });
  try {
    return await closedLoop({
      concurrency: smallConcurrency,
      windowMs: smallWindowMs,
      op: async (seq) => {
        const key = `small-${seq % (op === 'PUT' ? KEYS : Math.max(1, written))}`;
        const r =
          op === 'PUT'
            ? await request(t.objectUrl(key), {
                method: 'PUT',
                agent,
                body,
                headers: { 'content-length': body.length },
              })
            : await request(t.objectUrl(key), { method: 'GET', agent });
        if (r.status !== 200) throw new Error(`${op} ${key}: ${r.status} ${r.body.toString().slice(0, 200)}`);
        if (op === 'GET' && t.kind !== 'bare' && r.body.length !== smallSize) throw new Error(`GET ${key}: short body`);
      },
    });
  } finally {
    agent.destroy();
  }
}

export async function measureSmallOps(ctx: BenchContext): Promise<Figure[]> {
  const targets = await startTargets(KINDS, ctx.scratch);
  const tally = new Map<string, Tally>();
  const slot = (k: TargetKind, op: Op): Tally => {
    const id = `${op}.${k}`;
    if (!tally.has(id)) tally.set(id, { opsPerSecond: [], p99Ms: [], errors: 0 });
    return tally.get(id)!;
  };
  try {
    for (let round = 0; round < ctx.settings.smallRounds; round++) {
      for (const t of targets.map((_, i) => targets[(i + round) % targets.length]!)) {
        let written = 0;
        for (const op of OPS) {
          const r = await window(ctx, t, op, written);
          if (op === 'PUT') written = Math.min(KEYS, r.ops);
          const s = slot(t.kind, op);
          s.opsPerSecond.push(r.opsPerSecond);
          s.p99Ms.push(percentile(r.latenciesMs, 99));
          s.errors += r.errors;
          s.firstError ??= r.firstError;
          ctx.log(
            `4 KiB ${op} ${t.name}: ${r.opsPerSecond.toFixed(0)} ops/s, p99 ${percentile(r.latenciesMs, 99).toFixed(1)} ms, ${r.errors} errors`,
          );
        }
      }
    }
  } finally {
    await stopAll(targets);
  }
  const size = `${ctx.settings.smallSize / 1024} KiB`;
  const c = ctx.settings.smallConcurrency;
  const figures: Figure[] = [];
  for (const op of OPS) {
    const bare = slot('bare', op);
    for (const k of ['mock-memory', 'mock-file', 's3rver'] as const) {
      const s = slot(k, op);
      const name = k === 'mock-memory' ? 'memory store' : k === 'mock-file' ? 'file store' : 's3rver';
      const note = s.errors > 0 ? `${s.errors} failed ops, first: ${s.firstError}` : undefined;
      const ops: Figure = {
        id: `small-${op.toLowerCase()}.${k}.ops`,
        label: `${size} ${op} x${c}: ${name}`,
        unit: 'ops/s',
        value: s.opsPerSecond.length > 0 ? median(s.opsPerSecond) : null,
        baseline: { name: 'bare sink', value: median(bare.opsPerSecond) },
        target: { kind: 'none' },
        samples: s.opsPerSecond,
      };
      const p99: Figure = {
        id: `small-${op.toLowerCase()}.${k}.p99`,
        label: `${size} ${op} x${c} p99: ${name}`,
        unit: 'ms',
        value: s.p99Ms.length > 0 ? median(s.p99Ms) : null,
        baseline: { name: 'bare sink', value: median(bare.p99Ms) },
        target: { kind: 'none' },
        samples: s.p99Ms,
      };
      if (note !== undefined) ops.note = p99.note = note;
      figures.push(ops, p99);
    }
  }
  return figures;
}
