// The driver side of conformance/PROTOCOL.md for any in-process Driver: reads requests from `input`, runs them
// concurrently (a disableRequests must overtake the uploads it interrupts), writes responses and progress events to
// `output`. The reference process driver is this around the builtin client; an SDK maintainer's driver does the same
// in their language.
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { DriverError, type Capability, type Driver, type DriverClient } from './driver.js';
import {
  isRecord,
  parseLine,
  PROTOCOL_VERSION,
  type Operation,
  type RequestMessage,
  type WireError,
} from './process-protocol.js';

type Args = Record<string, unknown>;
type Handler = (args: Args, progress: ((bytes: number) => void) | undefined) => Promise<Record<string, unknown>>;

export interface ServeOptions {
  /** reported in the hello answer */
  name: string;
  /** announced instead of the driver's own (tests announce 'interrupt' for the builtin client) */
  capabilities?: readonly Capability[];
}

/** Serves until a `shutdown` request or the end of `input`; closes every client it created. */
export async function serveDriver(driver: Driver, input: Readable, output: Writable, o: ServeOptions): Promise<void> {
  const clients = new Map<string, DriverClient>();
  let nextClient = 1;
  const send = (m: object): void => {
    output.write(JSON.stringify(m) + '\n');
  };
  const client = (args: Args): DriverClient => {
    const c = clients.get(String(args.client));
    if (!c) throw new DriverError('DriverProtocolError', 0, `unknown client ${String(args.client)}`);
    return c;
  };
  const object = (args: Args): { bucket: string; key: string } => ({ bucket: s(args, 'bucket'), key: s(args, 'key') });
  const headers = (args: Args): Record<string, string> | undefined =>
    isRecord(args.headers) ? (args.headers as Record<string, string>) : undefined;
  const written = (r: { etag: string; crc64?: string }): Record<string, unknown> => ({ etag: r.etag, crc64: r.crc64 });

  let stopped!: () => void;
  const shutdown = new Promise<void>((resolve) => (stopped = resolve));

  const handlers: Record<Operation, Handler> = {
    hello: async () => ({
      name: o.name,
      protocol: PROTOCOL_VERSION,
      capabilities: [...(o.capabilities ?? driver.capabilities)],
      ...(driver.sdk ? { sdk: driver.sdk } : {}),
      language: `node ${process.version}`,
    }),
    createClient: async (a) => {
      const id = String(nextClient++);
      clients.set(
        id,
        await driver.createClient({
          endpoint: s(a, 'endpoint'),
          accessKeyId: s(a, 'accessKeyId'),
          accessKeySecret: s(a, 'accessKeySecret'),
          region: s(a, 'region'),
          signatureVersion: a.signatureVersion === 'v4' ? 'v4' : 'v1',
          ...(typeof a.securityToken === 'string' ? { securityToken: a.securityToken } : {}),
          ...(typeof a.retries === 'number' ? { retries: a.retries } : {}),
        }),
      );
      return { client: id };
    },
    closeClient: async (a) => {
      await client(a).close();
      clients.delete(String(a.client));
      return {};
    },
    putObject: async (a, onProgress) =>
      written(await client(a).putObject({ ...object(a), body: await body(a.body), headers: headers(a), onProgress })),
    getObject: async (a, onProgress) => {
      const r = await client(a).getObject({ ...object(a), headers: headers(a), onProgress });
      return { ...written(r), body: { base64: r.body.toString('base64') } };
    },
    headObject: async (a) => {
      const r = await client(a).headObject(object(a));
      return { ...written(r), size: r.size };
    },
    deleteObject: async (a) => {
      await client(a).deleteObject(object(a));
      return {};
    },
    appendObject: async (a, onProgress) => {
      const r = await client(a).appendObject({
        ...object(a),
        position: n(a, 'position'),
        body: await body(a.body),
        headers: headers(a),
        onProgress,
      });
      return { nextPosition: r.nextPosition, crc64: r.crc64 };
    },
    initiateMultipartUpload: async (a) => ({ uploadId: (await client(a).initiateMultipartUpload(object(a))).uploadId }),
    uploadPart: async (a, onProgress) =>
      written(
        await client(a).uploadPart({
          ...object(a),
          uploadId: s(a, 'uploadId'),
          partNumber: n(a, 'partNumber'),
          body: await body(a.body),
          headers: headers(a),
          onProgress,
        }),
      ),
    listParts: async (a) => ({ parts: await client(a).listParts({ ...object(a), uploadId: s(a, 'uploadId') }) }),
    listMultipartUploads: async (a) => ({
      uploads: await client(a).listMultipartUploads({
        bucket: s(a, 'bucket'),
        prefix: typeof a.prefix === 'string' ? a.prefix : undefined,
      }),
    }),
    completeMultipartUpload: async (a) => {
      const parts = (Array.isArray(a.parts) ? a.parts : []).filter(isRecord).map((p) => ({
        partNumber: n(p, 'partNumber'),
        etag: s(p, 'etag'),
      }));
      return written(await client(a).completeMultipartUpload({ ...object(a), uploadId: s(a, 'uploadId'), parts }));
    },
    abortMultipartUpload: async (a) => {
      await client(a).abortMultipartUpload({ ...object(a), uploadId: s(a, 'uploadId') });
      return {};
    },
    resumableUpload: async (a) =>
      written(
        await client(a).resumableUpload({
          ...object(a),
          file: s(a, 'file'),
          partSize: n(a, 'partSize'),
          parallel: n(a, 'parallel'),
          checkpointDir: s(a, 'checkpointDir'),
          headers: headers(a),
        }),
      ),
    presignUrl: async (a) => ({
      url: await client(a).presignUrl({
        ...object(a),
        method: a.method === 'PUT' ? 'PUT' : 'GET',
        expiresSeconds: n(a, 'expiresSeconds'),
        signatureVersion: a.signatureVersion === 'v4' ? 'v4' : 'v1',
      }),
    }),
    disableRequests: async (a) => {
      await client(a).disableRequests();
      return {};
    },
    enableRequests: async (a) => {
      await client(a).enableRequests();
      return {};
    },
    cancel: async (a) => {
      await client(a).cancel();
      return {};
    },
    interrupt: async (a) => {
      await client(a).interrupt();
      return {};
    },
    shutdown: async () => {
      stopped();
      return {};
    },
  };

  const handle = async (m: RequestMessage): Promise<void> => {
    const progress =
      m.args.progress === true ? (bytes: number) => send({ event: 'progress', id: m.id, bytes }) : undefined;
    try {
      send({ id: m.id, ok: true, result: await handlers[m.op](m.args, progress) });
    } catch (err) {
      send({ id: m.id, ok: false, error: wireError(err) });
    }
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  const ended = new Promise<void>((resolve) => lines.once('close', resolve));
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const m = parseLine(line);
    if ('op' in m) void handle(m);
    else send({ event: 'log', message: `ignored line: ${line.slice(0, 200)}` });
  });
  await Promise.race([shutdown, ended]);
  lines.close();
  await Promise.allSettled([...clients.values()].map((c) => c.close()));
}

function wireError(err: unknown): WireError {
  if (err instanceof DriverError)
    return {
      code: err.code,
      status: err.status,
      message: err.message,
      requestId: err.requestId,
      sdkError: err.sdkError ?? `${err.name}: ${err.message}`,
      ...(err.interrupted ? { interrupted: true } : {}),
    };
  return { code: 'DriverInternalError', status: 0, message: err instanceof Error ? err.message : String(err) };
}

function s(a: Args, field: string): string {
  const v = a[field];
  if (typeof v !== 'string') throw new DriverError('DriverProtocolError', 0, `argument ${field} must be a string`);
  return v;
}

function n(a: Args, field: string): number {
  const v = a[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new DriverError('DriverProtocolError', 0, `argument ${field} must be a number`);
  }
  return v;
}

async function body(v: unknown): Promise<Buffer> {
  if (isRecord(v) && typeof v.base64 === 'string') return Buffer.from(v.base64, 'base64');
  if (isRecord(v) && typeof v.path === 'string') return readFile(v.path);
  throw new DriverError('DriverProtocolError', 0, 'argument body must be {base64} or {path}');
}
