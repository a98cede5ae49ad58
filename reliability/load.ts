// Load: `connections` clients, each on its own keep-alive connection, run a seeded mix of operations for a fixed time
// against one server. Each client owns a small key space and a model of it, so every answer has one expected outcome:
// any other answer is an unexpected error. Key spaces are bounded, so the server's memory should stay flat once warm;
// the caller samples RSS.
import http from 'node:http';
import { parseXml } from '../protocol/xml.js';
import { Prng } from './prng.js';
import { md5Hex, send, type Endpoint, type WireRequest, type WireResponse } from '../testkit/requests.js';

export interface LoadOptions {
  seed: number;
  connections: number;
  durationMs: number;
  /** stop early once this many requests were sent (default: no limit) */
  maxRequests?: number;
  bucket: string;
  keysPerClient: number;
  maxBodyBytes: number;
  /** called every `sampleEveryMs` while the load runs */
  onSample?: (elapsedMs: number, requests: number) => void | Promise<void>;
  sampleEveryMs?: number;
}

export interface LoadFigures {
  seed: number;
  connections: number;
  durationMs: number;
  requests: number;
  requestsPerSecond: number;
  bytesSent: number;
  bytesReceived: number;
  byOperation: Record<string, number>;
  unexpected: number;
  /** the first few unexpected answers, for the report */
  samples: string[];
}

type Op = 'put' | 'get' | 'head' | 'list' | 'delete' | 'append' | 'copy' | 'multipart';
const MIX: readonly Op[] = ['put', 'put', 'get', 'get', 'get', 'head', 'list', 'delete', 'append', 'copy', 'multipart'];

export async function runLoad(ep: Endpoint, o: LoadOptions): Promise<LoadFigures> {
  const rng = new Prng(o.seed);
  const f: LoadFigures = {
    seed: o.seed,
    connections: o.connections,
    durationMs: 0,
    requests: 0,
    requestsPerSecond: 0,
    bytesSent: 0,
    bytesReceived: 0,
    byOperation: {},
    unexpected: 0,
    samples: [],
  };
  const started = Date.now();
  const deadline = started + o.durationMs;
  const unexpected = (what: string): void => {
    f.unexpected++;
    if (f.samples.length < 10) f.samples.push(what);
  };

  const client = async (c: number): Promise<void> => {
    const r = new Prng(rng.int(0, 2 ** 31) + c);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const objects = new Map<string, Buffer>();
    const prefix = `load/c${c}/`;
    const call = async (op: string, req: WireRequest, want: number): Promise<WireResponse | undefined> => {
      f.requests++;
      f.byOperation[op] = (f.byOperation[op] ?? 0) + 1;
      f.bytesSent += req.body === undefined ? 0 : Buffer.byteLength(req.body);
      try {
        const res = await send(ep, { ...req, bucket: o.bucket, agent });
        f.bytesReceived += res.body.length;
        if (res.status !== want)
          unexpected(`${op} ${req.key ?? ''}: ${res.status} ${res.code ?? ''}, expected ${want}`);
        return res;
      } catch (err) {
        unexpected(`${op} ${req.key ?? ''}: ${String(err)}`);
        return undefined;
      }
    };
    try {
      while (Date.now() < deadline && f.requests < (o.maxRequests ?? Number.POSITIVE_INFINITY)) {
        const key = `${prefix}${r.int(0, o.keysPerClient - 1)}`;
        const current = objects.get(key);
        const op = r.pick(MIX);
        if (op === 'put') {
          const body = r.bytes(r.int(0, o.maxBodyBytes));
          const res = await call('PutObject', { method: 'PUT', key, body }, 200);
          if (res?.status === 200) objects.set(key, body);
        } else if (op === 'get') {
          const res = await call('GetObject', { method: 'GET', key }, current === undefined ? 404 : 200);
          if (res?.status === 200 && !res.body.equals(current!)) unexpected(`GetObject ${key}: wrong bytes`);
        } else if (op === 'head') {
          const res = await call('HeadObject', { method: 'HEAD', key }, current === undefined ? 404 : 200);
          if (res?.status === 200 && Number(res.headers['content-length']) !== current!.length) {
            unexpected(`HeadObject ${key}: wrong length`);
          }
        } else if (op === 'list') {
          const res = await call(
            'ListObjects',
            {
              method: 'GET',
              query: [
                ['prefix', prefix],
                ['max-keys', '100'],
              ],
            },
            200,
          );
          const count = res === undefined ? 0 : (res.body.toString().match(/<Contents>/g) ?? []).length;
          if (res !== undefined && count !== objects.size)
            unexpected(`ListObjects ${prefix}: ${count} keys, expected ${objects.size}`);
        } else if (op === 'delete') {
          await call('DeleteObject', { method: 'DELETE', key }, 204);
          objects.delete(key);
        } else if (op === 'append') {
          // appends go to their own key so they never meet a Normal object (ObjectNotAppendable)
          const akey = `${key}.append`;
          const have = objects.get(akey) ?? Buffer.alloc(0);
          // capped near maxBodyBytes, so every key space reaches its steady size within the warm-up
          if (have.length > o.maxBodyBytes) {
            await call('DeleteObject', { method: 'DELETE', key: akey }, 204);
            objects.delete(akey);
            continue;
          }
          const body = r.bytes(r.int(1, Math.max(1, o.maxBodyBytes >> 1)));
          const query: Array<[string, string | undefined]> = [
            ['append', undefined],
            ['position', String(have.length)],
          ];
          const res = await call('AppendObject', { method: 'POST', key: akey, query, body }, 200);
          if (res?.status === 200) objects.set(akey, Buffer.concat([have, body]));
        } else if (op === 'copy') {
          const target = `${key}.copy`;
          const headers = { 'x-oss-copy-source': `/${o.bucket}/${encodeURIComponent(key)}` };
          const res = await call(
            'CopyObject',
            { method: 'PUT', key: target, headers },
            current === undefined ? 404 : 200,
          );
          if (res?.status === 200) objects.set(target, current!);
        } else {
          const mkey = `${key}.mpu`;
          const init = await call(
            'InitiateMultipartUpload',
            { method: 'POST', key: mkey, query: [['uploads', undefined]] },
            200,
          );
          const uploadId =
            init === undefined
              ? undefined
              : String(
                  (parseXml(init.body.toString()).InitiateMultipartUploadResult as Record<string, unknown>).UploadId,
                );
          if (uploadId === undefined) continue;
          const body = r.bytes(r.int(1, o.maxBodyBytes));
          const q: Array<[string, string]> = [['uploadId', uploadId]];
          await call('UploadPart', { method: 'PUT', key: mkey, query: [['partNumber', '1'], ...q], body }, 200);
          await call('ListParts', { method: 'GET', key: mkey, query: q }, 200);
          if (r.chance(0.3)) {
            await call('AbortMultipartUpload', { method: 'DELETE', key: mkey, query: q }, 204);
          } else {
            const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"${md5Hex(body)}"</ETag></Part></CompleteMultipartUpload>`;
            const res = await call('CompleteMultipartUpload', { method: 'POST', key: mkey, query: q, body: xml }, 200);
            if (res?.status === 200) objects.set(mkey, body);
          }
        }
      }
    } finally {
      agent.destroy();
    }
  };

  let sampling: NodeJS.Timeout | undefined;
  if (o.onSample !== undefined) {
    const onSample = o.onSample;
    sampling = setInterval(() => void onSample(Date.now() - started, f.requests), o.sampleEveryMs ?? 5000);
  }
  try {
    await Promise.all(Array.from({ length: o.connections }, (_, c) => client(c)));
  } finally {
    clearInterval(sampling);
  }
  f.durationMs = Date.now() - started;
  f.requestsPerSecond = Math.round((f.requests / f.durationMs) * 1000);
  return f;
}
