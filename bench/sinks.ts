// The baselines a faithful endpoint is compared with: a bare node:http server that discards the body, and one that also
// computes MD5 and CRC-64 of it -- the least work an OSS endpoint must do per byte (the ETag and x-oss-hash-crc64ecma,
// docs/protocol.md#etags-2.4), with the same hash-wasm CRC-64 the mock uses. The third, md5crc-keep, also holds on to
// the last complete body's chunks as the parser delivered them, replacing them only once the next body is complete (as
// a store replaces an object): the least an in-memory store must do. Keeping bytes costs what discarding them does not:
// every page of a fresh buffer is faulted in once (a kernel trap per 4 KiB, expensive in a VM), where a discarding sink
// reuses the same warm memory. The fourth, md5crc-file, writes the body to a file in its directory (fs.WriteStream,
// which batches writes) and fsyncs it before answering, then deletes the previous one: the least a durable store must
// do, the floor for the file store.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import express from 'express';
import { createCrc64 } from '../protocol/crc64.js';
import { expressClasses } from '../mock-server/http/express-classes.js';

export const SINK_KINDS = ['bare', 'md5crc', 'md5crc-keep', 'md5crc-file', 'express'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** what a GET answers: the small-object size, so GET figures compare like with like */
const GET_BODY = Buffer.alloc(4096, 0x61);
/** InitiateMultipartUpload needs an upload id to go on with; a sink has one for everyone */
const UPLOAD_ID_XML =
  '<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult><UploadId>sink</UploadId></InitiateMultipartUploadResult>';

function answer(req: http.IncomingMessage, res: http.ServerResponse, etag: string): void {
  res.setHeader('ETag', `"${etag}"`);
  if (req.method === 'GET') {
    res.setHeader('Content-Length', GET_BODY.length);
    res.end(GET_BODY);
  } else if (req.method === 'POST') {
    res.setHeader('Content-Type', 'application/xml');
    res.end(UPLOAD_ID_XML);
  } else {
    res.setHeader('Content-Length', 0);
    res.end();
  }
}

/** What a hashing sink does with the body besides hashing it: resolves once the body ended and is kept. */
type Keep = (req: http.IncomingMessage) => Promise<void>;

const discard: Keep = (req) => finished(req);

/** md5crc-keep's last complete body */
const held: { chunks: Buffer[] } = { chunks: [] };

const keepInMemory: Keep = async (req) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  await finished(req);
  held.chunks = chunks;
};

/** md5crc-file: the file holding the last complete body, and a counter for fresh names */
const onDisk = { last: undefined as string | undefined, next: 0 };

function keepInFile(dir: string): Keep {
  return async (req) => {
    const path = join(dir, `body-${onDisk.next++}`);
    // flush: fsync before the stream closes, so the answer means the bytes are on disk
    await pipeline(req, createWriteStream(path, { flush: true }));
    const previous = onDisk.last;
    onDisk.last = path;
    if (previous !== undefined) await unlink(previous);
  };
}

async function hashing(req: http.IncomingMessage, res: http.ServerResponse, keep: Keep): Promise<void> {
  const md5 = createHash('md5');
  const crc = await createCrc64();
  // the request stays paused until a 'data' listener is attached, so nothing is missed across the await
  req.on('data', (chunk: Buffer) => {
    md5.update(chunk);
    crc.update(chunk);
  });
  await keep(req);
  res.setHeader('x-oss-hash-crc64ecma', crc.digest().toString());
  answer(req, res, md5.digest('hex').toUpperCase());
}

function bare(req: http.IncomingMessage, res: http.ServerResponse): void {
  req.on('end', () => answer(req, res, 'D41D8CD98F00B204E9800998ECF8427E'));
  req.resume();
}

/**
 * The same hashing sink as a minimal Express 5 app (one middleware, no body parser), with the request and response
 * classes the mock uses so Express does not re-prototype them: what Express itself costs per request.
 */
function expressSink(): http.Server {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  app.use((req, res) => {
    hashing(req, res, discard).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  return http.createServer({ keepAliveTimeout: 30_000, ...expressClasses(app) }, app);
}

/** `dir` is where md5crc-file writes (required for it, ignored by the others). */
export function createSink(kind: SinkKind, dir?: string): http.Server {
  if (kind === 'md5crc-file' && dir === undefined) throw new Error('md5crc-file needs a directory');
  if (kind === 'express') return expressSink();
  const keep = kind === 'md5crc-keep' ? keepInMemory : kind === 'md5crc-file' ? keepInFile(dir!) : discard;
  const hashingSink: http.RequestListener = (req, res) => {
    hashing(req, res, keep).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  };
  return http.createServer({ keepAliveTimeout: 30_000 }, kind === 'bare' ? bare : hashingSink);
}
