// Scale: what a bucket with many keys and an object with many appends cost. 100,000 keys are written into a
// memory-store bucket (4 bytes each, 32 connections), then listed page by page at max-keys 100 (ListObjectsV2 with
// continuation tokens) -- the whole listing's time is the figure (target: under 2 s), with the time of a PUT
// followed by a one-key listing (a write must not make the next listing pay for the whole bucket). Then 5,000
// appends of 16 bytes to one object, on each store, and one GET of the result: an append must cost what it
// appends, not what the object already holds. A listing or an append series still running after its time budget
// is stopped and extrapolated linearly (which flatters code that is worse than linear), and the figure says so.
import http from 'node:http';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { request } from '../http-client.js';
import { closedLoop } from '../load.js';
import { median } from '../stats.js';
import { startTarget, type Target, type TargetKind } from '../targets.js';

const BUDGET_MS = 60_000;

async function fill(t: Target, keys: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const body = Buffer.from('tiny');
  let next = 0;
  try {
    const r = await closedLoop({
      concurrency: 32,
      windowMs: 10 * BUDGET_MS,
      op: async () => {
        const i = next++;
        if (i >= keys) return;
        const key = `k/${String(i).padStart(6, '0')}`;
        const res = await request(t.objectUrl(key), { method: 'PUT', agent, body, headers: { 'content-length': 4 } });
        if (res.status !== 200) throw new Error(`PUT ${key}: ${res.status}`);
      },
      until: () => next >= keys,
    });
    if (r.errors > 0) throw new Error(`filling the bucket: ${r.errors} failed PUTs, first: ${r.firstError}`);
  } finally {
    agent.destroy();
  }
}

/** Lists the whole bucket at max-keys 100; returns ms for all of it (extrapolated past the budget) and pages. */
async function listAll(t: Target, keys: number): Promise<{ ms: number; listed: number; extrapolated: boolean }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  let listed = 0;
  let token: string | undefined;
  try {
    for (;;) {
      const q = `list-type=2&max-keys=100${token === undefined ? '' : `&continuation-token=${encodeURIComponent(token)}`}`;
      const r = await request(`${t.objectUrl('').replace(/\/$/, '')}?${q}`, { method: 'GET', agent });
      if (r.status !== 200) throw new Error(`list: ${r.status} ${r.body.toString().slice(0, 200)}`);
      const xml = r.body.toString();
      listed += (xml.match(/<Key>/g) ?? []).length;
      token = /<NextContinuationToken>([^<]+)<\/NextContinuationToken>/.exec(xml)?.[1];
      if (token === undefined) break;
      if (performance.now() - started > BUDGET_MS) {
        return { ms: ((performance.now() - started) * keys) / listed, listed, extrapolated: true };
      }
    }
    if (listed !== keys) throw new Error(`listed ${listed} keys of ${keys}`);
    return { ms: performance.now() - started, listed, extrapolated: false };
  } finally {
    agent.destroy();
  }
}

/** A PUT of a new key, then a one-key listing from the start: ms per pair, median of `n`. */
async function putThenList(t: Target, n: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const put = await request(t.objectUrl(`a/${i}`), {
        method: 'PUT',
        agent,
        body: 'x',
        headers: { 'content-length': 1 },
      });
      const list = await request(`${t.objectUrl('').replace(/\/$/, '')}?list-type=2&max-keys=1`, {
        method: 'GET',
        agent,
      });
      if (put.status !== 200 || list.status !== 200) throw new Error(`put+list: ${put.status} ${list.status}`);
      times.push(performance.now() - t0);
    }
  } finally {
    agent.destroy();
  }
  return median(times);
}

async function appends(t: Target, n: number): Promise<{ msPerAppend: number; getMs: number; done: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = Buffer.alloc(16, 0x61);
  const started = performance.now();
  let done = 0;
  try {
    for (; done < n && performance.now() - started < BUDGET_MS; done++) {
      const r = await request(t.objectUrl('appended', `append&position=${done * body.length}`), {
        method: 'POST',
        agent,
        body,
        headers: { 'content-length': body.length },
      });
      if (r.status !== 200) throw new Error(`append ${done}: ${r.status} ${r.body.toString().slice(0, 200)}`);
    }
    const msPerAppend = (performance.now() - started) / done;
    const t0 = performance.now();
    const got = await request(t.objectUrl('appended'), { method: 'GET', agent });
    const getMs = performance.now() - t0;
    if (got.status !== 200 || got.body.length !== done * body.length)
      throw new Error(`GET after appends: ${got.status}`);
    return { msPerAppend, getMs, done };
  } finally {
    agent.destroy();
  }
}

export async function measureScale(ctx: BenchContext): Promise<Figure[]> {
  const keys = ctx.settings.scaleKeys;
  const figures: Figure[] = [];
  const memory = await startTarget('mock-memory', ctx.scratch);
  try {
    const t0 = performance.now();
    await fill(memory, keys);
    ctx.log(`${keys} keys written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const list = await listAll(memory, keys);
    ctx.log(
      `listing ${keys} keys: ${list.ms.toFixed(0)} ms${list.extrapolated ? ` (extrapolated from ${list.listed})` : ''}`,
    );
    const pair = await putThenList(memory, 20);
    ctx.log(`PUT + 1-key list with ${keys} keys: ${pair.toFixed(1)} ms`);
    const listing: Figure = {
      id: 'scale.list-all',
      label: `list ${keys} keys at max-keys 100, all pages: memory store`,
      unit: 'ms',
      value: list.ms,
      target: { kind: 'at-most', max: 2000 },
      samples: [list.ms],
    };
    if (list.extrapolated) listing.note = `extrapolated from ${list.listed} keys listed in ${BUDGET_MS / 1000} s`;
    figures.push(listing, {
      id: 'scale.put-then-list',
      label: `PUT + 1-key list in a ${keys}-key bucket: memory store`,
      unit: 'ms',
      value: pair,
      target: { kind: 'none' },
      samples: [pair],
    });
  } finally {
    await memory.stop();
  }
  for (const kind of ['mock-memory', 'mock-file'] as TargetKind[]) {
    const t = await startTarget(kind, ctx.scratch);
    try {
      const n = ctx.settings.scaleAppends;
      const a = await appends(t, n);
      const store = kind === 'mock-memory' ? 'memory store' : 'file store';
      ctx.log(`${a.done} appends ${store}: ${a.msPerAppend.toFixed(2)} ms each, GET ${a.getMs.toFixed(1)} ms`);
      const perAppend: Figure = {
        id: `scale.append.${kind}`,
        label: `${n} appends of 16 B to one object, per append: ${store}`,
        unit: 'ms',
        value: a.msPerAppend,
        target: { kind: 'none' },
        samples: [a.msPerAppend],
      };
      if (a.done < n) perAppend.note = `only ${a.done} appends within ${BUDGET_MS / 1000} s`;
      figures.push(perAppend, {
        id: `scale.append-get.${kind}`,
        label: `GET of the object ${a.done} appends made: ${store}`,
        unit: 'ms',
        value: a.getMs,
        target: { kind: 'none' },
        samples: [a.getMs],
      });
    } finally {
      await t.stop();
    }
  }
  return figures;
}
