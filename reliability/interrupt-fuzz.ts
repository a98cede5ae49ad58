// Interrupt fuzz: PutObject, UploadPart and AppendObject bodies cut at random offsets, by the client (socket destroyed
// mid-body) and by fault rules (reset/close/error afterBytes), mixed with clean uploads. Each worker owns its keys and
// one upload ID and keeps a model of what was acknowledged; afterwards the server must hold exactly the model: no
// partial object, no short or phantom part, nothing left in flight, every object byte-exact (MD5 and CRC-64). Outcomes
// are read from the answers, never assumed from the intended cut.
import { crc64 } from '../protocol/crc64.js';
import { parseXml, xmlArray } from '../protocol/xml.js';
import { ControlClient } from '../testkit/control-client.js';
import { Prng } from './prng.js';
import { cutRequest, md5Hex, send, type Endpoint, type WireRequest, type WireResponse } from '../testkit/requests.js';

export interface FuzzOptions {
  seed: number;
  /** upload attempts in total */
  uploads: number;
  /** parallel workers (each sequential on its own keys) */
  concurrency: number;
  maxBodyBytes: number;
  bucket: string;
  /** prefix of every key, so runs can share a bucket */
  prefix?: string;
}

export interface FuzzFigures {
  seed: number;
  attempts: number;
  committed: number;
  cutByClient: number;
  cutByFault: number;
  refusedByFault: number;
  /** fault attempts whose rule an earlier, late-dispatched cut request consumed (they ran clean) */
  faultsPreempted: number;
  objectsVerified: number;
  partsVerified: number;
  bytesVerified: number;
  durationMs: number;
}

export interface FuzzResult {
  figures: FuzzFigures;
  /** every way the server differed from the model; empty when the run passed */
  violations: string[];
}

type Operation = 'PutObject' | 'UploadPart' | 'AppendObject';
type Mode = 'clean' | 'client-cut' | 'fault';

const PUT_KEYS_PER_WORKER = 4;
const PART_NUMBERS = 5;

interface Worker {
  prefix: string;
  /** key -> acknowledged content (absent: never committed) */
  objects: Map<string, Buffer>;
  appendKey: string;
  appended: Buffer;
  uploadKey: string;
  uploadId: string;
  parts: Map<number, Buffer>;
}

function uploadIdOf(res: WireResponse): string {
  const root = parseXml(res.body.toString('utf8')).InitiateMultipartUploadResult as Record<string, unknown>;
  return String(root.UploadId);
}

export async function runInterruptFuzz(ep: Endpoint, o: FuzzOptions): Promise<FuzzResult> {
  const started = Date.now();
  const rng = new Prng(o.seed);
  const control = new ControlClient(ep);
  const violations: string[] = [];
  const figures: FuzzFigures = {
    seed: o.seed,
    attempts: 0,
    committed: 0,
    cutByClient: 0,
    cutByFault: 0,
    refusedByFault: 0,
    faultsPreempted: 0,
    objectsVerified: 0,
    partsVerified: 0,
    bytesVerified: 0,
    durationMs: 0,
  };
  const prefix = o.prefix ?? 'fuzz';
  const workers: Worker[] = [];
  for (let w = 0; w < o.concurrency; w++) {
    const wp = `${prefix}/w${String(w).padStart(3, '0')}/`;
    const uploadKey = `${wp}mpu`;
    const init = await send(ep, { method: 'POST', bucket: o.bucket, key: uploadKey, query: [['uploads', undefined]] });
    if (init.status !== 200) throw new Error(`InitiateMultipartUpload: ${init.status} ${init.code}`);
    workers.push({
      prefix: wp,
      objects: new Map(),
      appendKey: `${wp}append`,
      appended: Buffer.alloc(0),
      uploadKey,
      uploadId: uploadIdOf(init),
      parts: new Map(),
    });
  }
  // every worker draws from its own generator so the interleaving cannot change what each one does
  const rngs = workers.map(() => new Prng(rng.int(0, 2 ** 31)));
  let remaining = o.uploads;

  const attempt = async (w: Worker, r: Prng): Promise<void> => {
    const operation = r.pick<Operation>(['PutObject', 'PutObject', 'UploadPart', 'UploadPart', 'AppendObject']);
    const body = r.bytes(r.int(0, o.maxBodyBytes));
    const mode: Mode = body.length === 0 ? 'clean' : r.pick<Mode>(['clean', 'client-cut', 'fault']);
    let req: WireRequest & { body: Buffer };
    let commit: () => void;
    if (operation === 'PutObject') {
      const key = `${w.prefix}put-${r.int(0, PUT_KEYS_PER_WORKER - 1)}`;
      req = { method: 'PUT', bucket: o.bucket, key, body };
      if (r.chance(0.3)) req.headers = { 'content-md5': Buffer.from(md5Hex(body), 'hex').toString('base64') };
      commit = () => w.objects.set(key, body);
    } else if (operation === 'UploadPart') {
      const n = r.int(1, PART_NUMBERS);
      const query: Array<[string, string]> = [
        ['partNumber', String(n)],
        ['uploadId', w.uploadId],
      ];
      req = { method: 'PUT', bucket: o.bucket, key: w.uploadKey, query, body };
      commit = () => w.parts.set(n, body);
    } else {
      const query: Array<[string, string | undefined]> = [
        ['append', undefined],
        ['position', String(w.appended.length)],
      ];
      req = { method: 'POST', bucket: o.bucket, key: w.appendKey, query, body };
      commit = () => (w.appended = Buffer.concat([w.appended, body]));
    }
    figures.attempts++;
    if (mode === 'client-cut') {
      await cutRequest(ep, req, r.int(0, body.length - 1));
      figures.cutByClient++;
      return;
    }
    if (mode === 'fault') {
      const type = r.pick(['reset', 'close', 'error'] as const);
      await control.addRule({
        match: { bucket: o.bucket, keyPrefix: req.key!, operation },
        fault:
          type === 'error'
            ? { type, afterBytes: r.int(0, body.length - 1), status: 503, code: 'ServiceUnavailable' }
            : { type, afterBytes: r.int(0, body.length - 1) },
        times: 1,
      });
    }
    let res: WireResponse | undefined;
    try {
      res = await send(ep, { ...req, agent: false });
    } catch {
      res = undefined; // reset or hang-up: nothing may have been committed
    }
    if (res?.status === 200) {
      commit();
      figures.committed++;
      // a cut request the server dispatched late may have consumed this attempt's rule; the answer decides
      if (mode === 'fault') figures.faultsPreempted++;
    } else if (res === undefined) {
      figures.cutByFault++;
    } else {
      figures.refusedByFault++;
      if (mode !== 'fault') violations.push(`${operation} ${req.key}: clean upload answered ${res.status} ${res.code}`);
    }
  };

  await Promise.all(
    workers.map(async (w, i) => {
      while (remaining > 0) {
        remaining--;
        await attempt(w, rngs[i]!);
      }
    }),
  );
  await control.clearRules();
  const leaked = await control.settle();
  if (leaked.length > 0) violations.push(`in flight after the run: ${JSON.stringify(leaked)}`);
  for (const w of workers) await verifyWorker(ep, o.bucket, w, figures, violations);
  await verifyNoPhantoms(ep, o.bucket, prefix, workers, violations);
  figures.durationMs = Date.now() - started;
  return { figures, violations };
}

/** GET must return exactly `want`, with the ETag and CRC-64 headers of those bytes. */
export async function verifyObject(
  ep: Endpoint,
  bucket: string,
  key: string,
  want: Buffer,
  violations: string[],
  o: { etag?: boolean } = {},
): Promise<void> {
  const res = await send(ep, { method: 'GET', bucket, key });
  if (res.status !== 200) {
    violations.push(`${key}: GET ${res.status} ${res.code}, expected ${want.length} bytes`);
    return;
  }
  if (!res.body.equals(want)) {
    violations.push(
      `${key}: ${res.body.length} bytes (md5 ${md5Hex(res.body)}), expected ${want.length} (${md5Hex(want)})`,
    );
  }
  const crc = (await crc64(want)).toString();
  if (res.headers['x-oss-hash-crc64ecma'] !== crc) {
    violations.push(`${key}: x-oss-hash-crc64ecma ${res.headers['x-oss-hash-crc64ecma']}, expected ${crc}`);
  }
  if (o.etag !== false && res.headers.etag !== `"${md5Hex(want)}"`) {
    violations.push(`${key}: ETag ${res.headers.etag}, expected "${md5Hex(want)}"`);
  }
}

export async function verifyAbsent(ep: Endpoint, bucket: string, key: string, violations: string[]): Promise<void> {
  const res = await send(ep, { method: 'HEAD', bucket, key });
  if (res.status !== 404 || res.code !== 'NoSuchKey') violations.push(`${key}: HEAD ${res.status}, expected NoSuchKey`);
}

async function verifyWorker(ep: Endpoint, bucket: string, w: Worker, f: FuzzFigures, v: string[]): Promise<void> {
  for (let i = 0; i < PUT_KEYS_PER_WORKER; i++) {
    const key = `${w.prefix}put-${i}`;
    const want = w.objects.get(key);
    if (want === undefined) {
      await verifyAbsent(ep, bucket, key, v);
    } else {
      await verifyObject(ep, bucket, key, want, v);
      f.objectsVerified++;
      f.bytesVerified += want.length;
    }
  }
  if (w.appended.length === 0) {
    await verifyAbsent(ep, bucket, w.appendKey, v);
  } else {
    // an appendable object's ETag is not the MD5 of its content (docs/protocol.md#appendobject): compare bytes and
    // CRC-64
    await verifyObject(ep, bucket, w.appendKey, w.appended, v, { etag: false });
    f.objectsVerified++;
    f.bytesVerified += w.appended.length;
  }
  await verifyParts(ep, bucket, w, f, v);
}

async function verifyParts(ep: Endpoint, bucket: string, w: Worker, f: FuzzFigures, v: string[]): Promise<void> {
  const list = await send(ep, { method: 'GET', bucket, key: w.uploadKey, query: [['uploadId', w.uploadId]] });
  if (list.status !== 200) {
    v.push(`${w.uploadKey}: ListParts ${list.status} ${list.code}`);
    return;
  }
  const root = parseXml(list.body.toString('utf8')).ListPartsResult as Record<string, unknown>;
  const listed = xmlArray(root.Part as Array<Record<string, string>> | Record<string, string> | undefined);
  const got = listed.map((p) => `${p.PartNumber}:${p.Size}:${p.ETag}`);
  const want = [...w.parts.entries()].sort(([a], [b]) => a - b).map(([n, b]) => `${n}:${b.length}:"${md5Hex(b)}"`);
  if (got.join(',') !== want.join(','))
    v.push(`${w.uploadKey}: parts [${got.join(', ')}], expected [${want.join(', ')}]`);
  f.partsVerified += listed.length;
  const last = [...w.parts.keys()].sort((a, b) => a - b).at(-1);
  if (last === undefined) return;
  // one part needs no minimum size (docs/protocol.md#multipart): completing with the last one checks its bytes end to
  // end
  const xml = `<CompleteMultipartUpload><Part><PartNumber>${last}</PartNumber><ETag>"${md5Hex(w.parts.get(last)!)}"</ETag></Part></CompleteMultipartUpload>`;
  const done = await send(ep, {
    method: 'POST',
    bucket,
    key: w.uploadKey,
    query: [['uploadId', w.uploadId]],
    body: xml,
  });
  if (done.status !== 200) {
    v.push(`${w.uploadKey}: Complete ${done.status} ${done.code}`);
    return;
  }
  w.objects.set(w.uploadKey, w.parts.get(last)!);
  await verifyObject(ep, bucket, w.uploadKey, w.parts.get(last)!, v, { etag: false });
  f.bytesVerified += w.parts.get(last)!.length;
}

async function verifyNoPhantoms(
  ep: Endpoint,
  bucket: string,
  prefix: string,
  workers: Worker[],
  v: string[],
): Promise<void> {
  const want = new Set<string>();
  for (const w of workers) {
    for (const key of w.objects.keys()) want.add(key);
    if (w.appended.length > 0) want.add(w.appendKey);
  }
  const listed: string[] = [];
  let marker = '';
  for (let page = 0; page < 100; page++) {
    const query: Array<[string, string]> = [
      ['prefix', `${prefix}/`],
      ['max-keys', '1000'],
      ['marker', marker],
    ];
    const res = await send(ep, { method: 'GET', bucket, query });
    const root = parseXml(res.body.toString('utf8')).ListBucketResult as Record<string, unknown>;
    const contents = xmlArray(root.Contents as Array<Record<string, string>> | Record<string, string> | undefined);
    listed.push(...contents.map((c) => c.Key!));
    if (root.IsTruncated !== 'true') break;
    marker = String(root.NextMarker);
  }
  const phantoms = listed.filter((k) => !want.has(k));
  const missing = [...want].filter((k) => !listed.includes(k));
  if (phantoms.length > 0) v.push(`listed but never acknowledged: ${phantoms.join(', ')}`);
  if (missing.length > 0) v.push(`acknowledged but not listed: ${missing.join(', ')}`);
}
