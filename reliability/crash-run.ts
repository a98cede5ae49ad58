// Crash safety: the file-store server is SIGKILLed at a random moment during concurrent puts, part uploads, completes
// and aborts, then restarted on the same directory, many times over. The model remembers every answer: an acknowledged
// write must be there byte-exact; a write in flight at the kill may be there (then byte-exact, and from then on it
// counts as acknowledged) or not; a body never sent in full must never appear; an aborted upload stays NoSuchUpload, a
// completed one stays completed, an open one keeps its parts and stays resumable.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseXml, xmlArray } from '../protocol/xml.js';
import { Prng } from './prng.js';
import type { ServerProcess } from '../testkit/server-process.js';
import {
  md5Hex,
  promisingRequest,
  send,
  type Endpoint,
  type WireRequest,
  type WireResponse,
} from '../testkit/requests.js';

export interface CrashOptions {
  seed: number;
  iterations: number;
  dataDir: string;
  /** starts the server on dataDir (a fresh process each call) */
  start: () => Promise<ServerProcess>;
  workers: number;
  /**
   * the kill comes at a random time in [min, max] ms after the round's first `minAcknowledged` answers (waited for
   * at most 20 s), so a slow start on a loaded machine cannot turn a round into a kill of an idle server
   */
  killAfterMs: [number, number];
  minAcknowledged?: number;
  bucket?: string;
}

export interface CrashFigures {
  seed: number;
  iterations: number;
  requests: number;
  acknowledged: number;
  inFlightAtKill: number;
  inFlightLanded: number;
  objectsVerified: number;
  uploadsVerified: number;
  uploadsResumed: number;
  durationMs: number;
}

export interface CrashResult {
  figures: CrashFigures;
  violations: string[];
}

type Ack = 'acked' | 'pending' | 'lost';
type UploadState = 'open' | 'completing' | 'completed' | 'aborting' | 'aborted';

interface ObjectModel {
  body: Buffer;
  ack: Ack;
}

interface PartModel {
  body: Buffer;
  ack: Ack;
}

interface UploadModel {
  key: string;
  uploadId: string;
  state: UploadState;
  parts: Map<number, PartModel>;
  /** the parts a Complete named, and so the object it creates */
  completedWith?: number[];
  /** a worker is using it */
  leased: boolean;
}

interface Model {
  objects: Map<string, ObjectModel>;
  /** keys whose body was never sent in full */
  partial: Set<string>;
  uploads: UploadModel[];
}

const MIN_PART = 102_400;

function assembled(u: UploadModel): Buffer {
  return Buffer.concat((u.completedWith ?? []).map((n) => u.parts.get(n)!.body));
}

function completeXml(u: UploadModel, numbers: number[]): string {
  const parts = numbers.map(
    (n) => `<Part><PartNumber>${n}</PartNumber><ETag>"${md5Hex(u.parts.get(n)!.body)}"</ETag></Part>`,
  );
  return `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`;
}

/** Sends half a body and never the rest: killed with the server. */
function partialPut(ep: Endpoint, r: WireRequest & { body: Buffer }): void {
  promisingRequest(ep, r).write(r.body.subarray(0, Math.floor(r.body.length / 2)));
}

export async function runCrashIterations(o: CrashOptions): Promise<CrashResult> {
  const started = Date.now();
  const bucket = o.bucket ?? 'crash-bucket';
  const rng = new Prng(o.seed);
  const model: Model = { objects: new Map(), partial: new Set(), uploads: [] };
  const violations: string[] = [];
  const f: CrashFigures = {
    seed: o.seed,
    iterations: 0,
    requests: 0,
    acknowledged: 0,
    inFlightAtKill: 0,
    inFlightLanded: 0,
    objectsVerified: 0,
    uploadsVerified: 0,
    uploadsResumed: 0,
    durationMs: 0,
  };
  let seq = 0;

  let server = await o.start();
  const created = await send(server.ep, { method: 'PUT', bucket });
  if (created.status !== 200) throw new Error(`PutBucket: ${created.status} ${created.code}`);

  for (let it = 0; it < o.iterations; it++) {
    f.iterations++;
    const ep = server.ep;
    let killed = false;
    const ackedBefore = f.acknowledged;
    const call = async (r: WireRequest): Promise<WireResponse | undefined> => {
      f.requests++;
      try {
        const res = await send(ep, { ...r, agent: false, timeoutMs: 20_000 });
        if (res.status < 300) f.acknowledged++;
        return res;
      } catch {
        return undefined; // no answer: the kill came first
      }
    };

    const step = async (r: Prng): Promise<void> => {
      const roll = r.int(0, 99);
      if (roll < 40) {
        const key = `objects/${it}-${seq++}`;
        const body = r.bytes(r.int(0, 160 * 1024));
        model.objects.set(key, { body, ack: 'pending' });
        const res = await call({ method: 'PUT', bucket, key, body });
        if (res?.status === 200) model.objects.get(key)!.ack = 'acked';
        else if (res !== undefined) violations.push(`PutObject ${key}: ${res.status} ${res.code}`);
        return;
      }
      if (roll < 43) {
        const key = `partial/${it}-${seq++}`;
        model.partial.add(key);
        partialPut(ep, { method: 'PUT', bucket, key, body: r.bytes(64 * 1024) });
        return;
      }
      const open = model.uploads.filter((u) => u.state === 'open' && !u.leased);
      if (roll < 55 || open.length === 0) {
        const key = `uploads/${it}-${seq++}`;
        const res = await call({ method: 'POST', bucket, key, query: [['uploads', undefined]] });
        const id = res?.status === 200 ? /<UploadId>([^<]+)<\/UploadId>/.exec(res.body.toString())?.[1] : undefined;
        if (id !== undefined) model.uploads.push({ key, uploadId: id, state: 'open', parts: new Map(), leased: false });
        return;
      }
      const u = r.pick(open);
      u.leased = true;
      try {
        const acked = [...u.parts.entries()]
          .filter(([, p]) => p.ack === 'acked')
          .map(([n]) => n)
          .sort((a, b) => a - b);
        const q: Array<[string, string]> = [['uploadId', u.uploadId]];
        if (roll < 85 || acked.length === 0) {
          // a part number not used yet, so a part in flight at the kill has exactly one possible body
          const n = u.parts.size + 1;
          const body = r.bytes(r.int(MIN_PART, MIN_PART + 40 * 1024));
          u.parts.set(n, { body, ack: 'pending' });
          const res = await call({ method: 'PUT', bucket, key: u.key, query: [['partNumber', String(n)], ...q], body });
          if (res?.status === 200) u.parts.get(n)!.ack = 'acked';
          else if (res !== undefined) violations.push(`UploadPart ${u.key}#${n}: ${res.status} ${res.code}`);
        } else if (roll < 94) {
          u.state = 'completing';
          u.completedWith = acked;
          const res = await call({ method: 'POST', bucket, key: u.key, query: q, body: completeXml(u, acked) });
          if (res?.status === 200) u.state = 'completed';
          else if (res !== undefined) violations.push(`Complete ${u.key}: ${res.status} ${res.code}`);
        } else {
          u.state = 'aborting';
          const res = await call({ method: 'DELETE', bucket, key: u.key, query: q });
          if (res?.status === 204) u.state = 'aborted';
          else if (res !== undefined) violations.push(`Abort ${u.key}: ${res.status} ${res.code}`);
        }
      } finally {
        u.leased = false;
      }
    };

    const last = it === o.iterations - 1;
    const workers = Array.from({ length: o.workers }, (_, w) => {
      const r = new Prng(rng.int(0, 2 ** 31) + w);
      return (async () => {
        for (let n = 0; n < 10_000 && !killed; n++) await step(r);
      })();
    });
    const killAt = rng.int(o.killAfterMs[0], o.killAfterMs[1]);
    const warm = Date.now() + 20_000;
    while (f.acknowledged - ackedBefore < (o.minAcknowledged ?? 10) && Date.now() < warm) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, killAt));
    killed = true;
    if (last) {
      await Promise.all(workers); // the last round ends cleanly: what it left open is resumed below
      await server.stop();
    } else {
      await server.kill();
      await Promise.all(workers);
    }
    server = await o.start();
    const staged = await readdir(path.join(o.dataDir, 'staging'));
    if (staged.length > 0) violations.push(`after restart ${it}: staging holds ${staged.length} files`);
    await verify(server.ep, bucket, model, f, violations, `after kill ${it}`);
  }

  // open uploads survived every kill: each must still take parts and complete
  for (const u of model.uploads.filter((x) => x.state === 'open')) {
    const n = u.parts.size + 1;
    const body = rng.bytes(1000);
    const q: Array<[string, string]> = [['uploadId', u.uploadId]];
    const part = await send(server.ep, {
      method: 'PUT',
      bucket,
      key: u.key,
      query: [['partNumber', String(n)], ...q],
      body,
    });
    if (part.status !== 200) {
      violations.push(`resume ${u.key}: UploadPart ${part.status} ${part.code}`);
      continue;
    }
    u.parts.set(n, { body, ack: 'acked' });
    u.completedWith = [...u.parts.entries()]
      .filter(([, p]) => p.ack === 'acked')
      .map(([x]) => x)
      .sort((a, b) => a - b);
    const done = await send(server.ep, {
      method: 'POST',
      bucket,
      key: u.key,
      query: q,
      body: completeXml(u, u.completedWith),
    });
    if (done.status !== 200) violations.push(`resume ${u.key}: Complete ${done.status} ${done.code}`);
    else {
      u.state = 'completed';
      f.uploadsResumed++;
    }
  }
  await verify(server.ep, bucket, model, f, violations, 'after resuming');
  await server.stop();
  f.durationMs = Date.now() - started;
  return { figures: f, violations };
}

async function verify(
  ep: Endpoint,
  bucket: string,
  m: Model,
  f: CrashFigures,
  v: string[],
  when: string,
): Promise<void> {
  for (const [key, obj] of m.objects) {
    if (obj.ack === 'lost') {
      const head = await send(ep, { method: 'HEAD', bucket, key });
      if (head.status !== 404) v.push(`${when}: ${key} reappeared (${head.status})`);
      continue;
    }
    const got = await send(ep, { method: 'GET', bucket, key });
    if (got.status === 200 && got.body.equals(obj.body)) {
      if (obj.ack === 'pending') {
        f.inFlightAtKill++;
        f.inFlightLanded++;
      }
      obj.ack = 'acked';
      f.objectsVerified++;
    } else if (got.status === 404 && obj.ack === 'pending') {
      f.inFlightAtKill++;
      obj.ack = 'lost';
    } else {
      v.push(
        `${when}: ${key} (${obj.ack}, ${obj.body.length} bytes) answered ${got.status} with ${got.body.length} bytes`,
      );
    }
  }
  for (const key of m.partial) {
    const head = await send(ep, { method: 'HEAD', bucket, key });
    if (head.status !== 404) v.push(`${when}: never-finished body ${key} is visible (${head.status})`);
  }
  for (const u of m.uploads) await verifyUpload(ep, bucket, u, f, v, when);
  const listed = await listKeys(ep, bucket);
  const known = new Set([...m.objects].filter(([, o]) => o.ack === 'acked').map(([k]) => k));
  for (const u of m.uploads) if (u.state === 'completed') known.add(u.key);
  const phantoms = listed.filter((k) => !known.has(k));
  if (phantoms.length > 0) v.push(`${when}: listed but never written: ${phantoms.slice(0, 5).join(', ')}`);
}

async function verifyUpload(
  ep: Endpoint,
  bucket: string,
  u: UploadModel,
  f: CrashFigures,
  v: string[],
  when: string,
): Promise<void> {
  const list = await send(ep, { method: 'GET', bucket, key: u.key, query: [['uploadId', u.uploadId]] });
  const obj = await send(ep, { method: 'GET', bucket, key: u.key });
  const finished = list.status === 404 && list.code === 'NoSuchUpload';
  // an operation in flight at the kill resolves to whichever state the server kept
  if (u.state === 'completing' || u.state === 'aborting') {
    f.inFlightAtKill++;
    if (finished) f.inFlightLanded++;
    if (u.state === 'completing') u.state = finished ? 'completed' : 'open';
    else u.state = finished ? 'aborted' : 'open';
  }
  f.uploadsVerified++;
  if (u.state === 'completed' || u.state === 'aborted') {
    if (!finished) v.push(`${when}: ${u.state} upload ${u.key} answers ListParts ${list.status}`);
    if (u.state === 'completed' && !(obj.status === 200 && obj.body.equals(assembled(u)))) {
      v.push(
        `${when}: completed ${u.key} reads ${obj.status}, ${obj.body.length} bytes, expected ${assembled(u).length}`,
      );
    }
    if (u.state === 'aborted' && obj.status !== 404) v.push(`${when}: aborted ${u.key} has an object`);
    return;
  }
  if (list.status !== 200) {
    v.push(`${when}: open upload ${u.key} answers ListParts ${list.status} ${list.code}`);
    return;
  }
  if (obj.status !== 404) v.push(`${when}: open upload ${u.key} already has an object`);
  const root = parseXml(list.body.toString()).ListPartsResult as Record<string, unknown>;
  const listed = new Map(
    xmlArray(root.Part as Array<Record<string, string>> | undefined).map((p) => [Number(p.PartNumber), p]),
  );
  for (const [n, p] of u.parts) {
    const got = listed.get(n);
    const matches = got !== undefined && got.ETag === `"${md5Hex(p.body)}"` && Number(got.Size) === p.body.length;
    if (p.ack === 'pending') {
      f.inFlightAtKill++;
      if (matches) f.inFlightLanded++;
    }
    if (got !== undefined && !matches) {
      v.push(`${when}: ${u.key} part ${n} listed as ${got.Size}/${got.ETag}, not its body`);
    } else if (matches) {
      p.ack = 'acked';
    } else if (p.ack === 'acked') {
      v.push(`${when}: ${u.key} lost acknowledged part ${n}`);
    } else {
      p.ack = 'lost';
    }
  }
  for (const n of listed.keys()) if (!u.parts.has(n)) v.push(`${when}: ${u.key} lists phantom part ${n}`);
  // a lost part number is free again; renumber so the next part keeps "one number, one body"
  for (const [n, p] of [...u.parts]) if (p.ack === 'lost') u.parts.delete(n);
}

async function listKeys(ep: Endpoint, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let marker = '';
  for (let page = 0; page < 1000; page++) {
    const res = await send(ep, {
      method: 'GET',
      bucket,
      query: [
        ['max-keys', '1000'],
        ['marker', marker],
      ],
    });
    const root = parseXml(res.body.toString()).ListBucketResult as Record<string, unknown>;
    keys.push(...xmlArray(root.Contents as Array<Record<string, string>> | undefined).map((c) => c.Key!));
    if (root.IsTruncated !== 'true') break;
    marker = String(root.NextMarker);
  }
  return keys;
}
