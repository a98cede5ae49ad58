// Small objects: 4 KiB PUT then GET from 32 keep-alive connections for a window each, every server in turn, round
// after round. Ops/s and p99 latency against the bare node:http sink that hashes MD5 + CRC-64 (the least a faithful
// endpoint does per request, on node:http and this load generator on this machine), beside a minimal Express 5 app
// doing the same (what Express itself costs), the discarding sink and s3rver. Server CPU per request (the child's
// utime + stime over the window, divided by the operations) is the steady figure: a busy neighbour moves ops/s far
// more than it moves the work each request costs.
import http from 'node:http';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { request } from '../http-client.js';
import { closedLoop, type LoadResult } from '../load.js';
import { median, percentile } from '../stats.js';
import { startTargets, stopAll, type Target, type TargetKind } from '../targets.js';

const KINDS: TargetKind[] = ['mock-memory', 'mock-file', 'md5crc', 'express', 'bare', 's3rver'];
const KEYS = 1024;
const OPS = ['PUT', 'GET'] as const;
type Op = (typeof OPS)[number];

/** Targets as ratios of the hashing sink's ops/s, and p99 ceilings, for the mock's stores. */
const TARGETS: Partial<Record<`${Op}.${TargetKind}`, { ratio: number; p99Ms?: number }>> = {
  'PUT.mock-memory': { ratio: 0.5, p99Ms: 10 },
  'GET.mock-memory': { ratio: 0.45, p99Ms: 10 },
  'PUT.mock-file': { ratio: 0.1 },
};

const NAMES: Partial<Record<TargetKind, string>> = {
  'mock-memory': 'memory store',
  'mock-file': 'file store',
  md5crc: 'MD5+CRC sink',
  express: 'Express 5 sink',
  bare: 'bare sink',
  s3rver: 's3rver',
};

interface Tally {
  opsPerSecond: number[];
  p99Ms: number[];
  cpuUsPerOp: number[];
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
        const sink = t.kind === 'bare' || t.kind === 'md5crc' || t.kind === 'express';
        if (op === 'GET' && !sink && r.body.length !== smallSize) throw new Error(`GET ${key}: short body`);
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
    if (!tally.has(id)) tally.set(id, { opsPerSecond: [], p99Ms: [], cpuUsPerOp: [], errors: 0 });
    return tally.get(id)!;
  };
  try {
    for (let round = 0; round < ctx.settings.smallRounds; round++) {
      for (const t of targets.map((_, i) => targets[(i + round) % targets.length]!)) {
        let written = 0;
        for (const op of OPS) {
          const cpu0 = await t.cpuMs();
          const r = await window(ctx, t, op, written);
          const cpuUs = r.ops > 0 ? (((await t.cpuMs()) - cpu0) * 1000) / r.ops : NaN;
          if (op === 'PUT') written = Math.min(KEYS, r.ops);
          const s = slot(t.kind, op);
          const p99 = percentile(r.latenciesMs, 99);
          s.opsPerSecond.push(r.opsPerSecond);
          s.p99Ms.push(p99);
          if (Number.isFinite(cpuUs)) s.cpuUsPerOp.push(cpuUs);
          s.errors += r.errors;
          s.firstError ??= r.firstError;
          ctx.log(
            `4 KiB ${op} ${t.name}: ${r.opsPerSecond.toFixed(0)} ops/s, p99 ${p99.toFixed(1)} ms, ` +
              `${cpuUs.toFixed(0)} µs CPU/op, ${r.errors} errors`,
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
  const valueOf = (xs: number[]): number | null => (xs.length > 0 ? median(xs) : null);
  for (const op of OPS) {
    const sink = slot('md5crc', op);
    for (const k of ['mock-memory', 'mock-file', 'express', 'bare', 's3rver'] as const) {
      const s = slot(k, op);
      const name = NAMES[k]!;
      const goal = TARGETS[`${op}.${k}`];
      const note = s.errors > 0 ? `${s.errors} failed ops, first: ${s.firstError}` : undefined;
      const base = (xs: number[]): Figure['baseline'] =>
        xs.length > 0 ? { name: 'MD5+CRC sink', value: median(xs) } : undefined;
      const withBase = (f: Figure, xs: number[]): Figure => {
        const b = base(xs);
        if (b !== undefined) f.baseline = b;
        if (note !== undefined) f.note = note;
        return f;
      };
      const id = `small-${op.toLowerCase()}.${k}`;
      figures.push(
        withBase(
          {
            id: `${id}.ops`,
            label: `${size} ${op} x${c}: ${name}`,
            unit: 'ops/s',
            value: valueOf(s.opsPerSecond),
            target: goal === undefined ? { kind: 'none' } : { kind: 'ratio-at-least', min: goal.ratio },
            samples: s.opsPerSecond,
          },
          sink.opsPerSecond,
        ),
        withBase(
          {
            id: `${id}.p99`,
            label: `${size} ${op} x${c} p99: ${name}`,
            unit: 'ms',
            value: valueOf(s.p99Ms),
            target: goal?.p99Ms === undefined ? { kind: 'none' } : { kind: 'at-most', max: goal.p99Ms },
            samples: s.p99Ms,
          },
          sink.p99Ms,
        ),
        withBase(
          {
            id: `${id}.cpu`,
            label: `${size} ${op} x${c} server CPU per op: ${name}`,
            unit: 'µs',
            value: valueOf(s.cpuUsPerOp),
            target: { kind: 'none' },
            samples: s.cpuUsPerOp,
          },
          sink.cpuUsPerOp,
        ),
      );
    }
  }
  return figures;
}
