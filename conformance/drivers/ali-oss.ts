// ali-oss 6.23.0, the real Node SDK, as a driver. It has no DisableRequest: its interruption is `cancel()` of a running
// multipartUpload, resumed from a checkpoint object, and `abortMultipartUpload` (docs/protocol.md#ali-oss "Cancel,
// resume and abort"). Scenarios that need 'disable' (a plain put interrupted by the client) are n-a for it. It is
// imported dynamically so a missing devDependency makes the driver unavailable instead of breaking the CLI.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import {
  DRIVER_ERROR_CODES,
  DriverError,
  DriverUnavailableError,
  notSupported,
  type Capability,
  type ClientConfig,
  type Driver,
  type DriverClient,
  type DriverFactory,
  type ResumableArgs,
} from './driver.js';

// The slice of ali-oss this driver uses, typed from lib/*.js (its bundled typings are too loose to rely on).
interface AliResponse {
  status: number;
  headers: Record<string, string | undefined>;
}
interface AliResult {
  res: AliResponse;
}
interface AliCheckpoint {
  file: string;
  name: string;
  fileSize: number;
  partSize: number;
  uploadId: string;
  doneParts: Array<{ number: number; etag: string }>;
}
interface AliOptions {
  endpoint: string;
  accessKeyId: string;
  accessKeySecret: string;
  stsToken?: string;
  region: string;
  bucket: string;
  authorizationV4?: boolean;
  sldEnable?: boolean;
  timeout?: number;
  retryMax?: number;
}
interface AliClient {
  put(name: string, file: Buffer, o?: { headers?: Record<string, string> }): Promise<AliResult>;
  get(
    name: string,
    file?: undefined,
    o?: { headers?: Record<string, string> },
  ): Promise<AliResult & { content: Buffer }>;
  head(name: string): Promise<AliResult>;
  delete(name: string): Promise<AliResult>;
  append(
    name: string,
    file: Buffer,
    o: { position: string; headers?: Record<string, string> },
  ): Promise<AliResult & { nextAppendPosition: string }>;
  initMultipartUpload(name: string): Promise<AliResult & { uploadId: string }>;
  uploadPart(
    name: string,
    uploadId: string,
    partNo: number,
    file: Buffer,
    start: number,
    end: number,
    o?: { headers?: Record<string, string> },
  ): Promise<AliResult>;
  listParts(
    name: string,
    uploadId: string,
    query?: Record<string, string>,
  ): Promise<AliResult & { parts: Array<{ PartNumber: string; ETag: string; Size: string }> }>;
  listUploads(
    query: Record<string, string>,
  ): Promise<AliResult & { uploads: Array<{ name: string; uploadId: string }> }>;
  completeMultipartUpload(
    name: string,
    uploadId: string,
    parts: Array<{ number: number; etag: string }>,
  ): Promise<AliResult & { etag?: string }>;
  abortMultipartUpload(name: string, uploadId: string): Promise<AliResult>;
  multipartUpload(
    name: string,
    file: string,
    o: {
      partSize: number;
      parallel: number;
      checkpoint?: AliCheckpoint;
      headers?: Record<string, string>;
      progress?: (p: number, cp?: AliCheckpoint) => Promise<void> | void;
    },
  ): Promise<AliResult & { etag?: string }>;
  signatureUrl(name: string, o: { method: string; expires: number }): string;
  signatureUrlV4(method: string, expires: number, request: undefined, name: string): Promise<string>;
  cancel(): void;
}
type AliConstructor = new (o: AliOptions) => AliClient;

export const ALI_OSS_CAPABILITIES: readonly Capability[] = [
  'cancel',
  'signature-v1',
  'multipart',
  'append',
  'resumable',
  'presign',
  'signature-v4',
];

export const aliOssDriver: DriverFactory = {
  name: 'ali-oss',
  async load(): Promise<Driver> {
    let OSS: AliConstructor;
    try {
      const mod = (await import('ali-oss')) as unknown as { default: AliConstructor };
      OSS = mod.default;
    } catch (err) {
      throw new DriverUnavailableError(`cannot import ali-oss (${err instanceof Error ? err.message : String(err)})`);
    }
    return {
      name: 'ali-oss',
      capabilities: new Set(ALI_OSS_CAPABILITIES),
      sdk: { name: 'ali-oss', version: aliOssVersion() },
      language: `node ${process.version}`,
      createClient: async (config) => new AliOssClient(OSS, config),
      close: async () => {},
    };
  },
};

/** The version of the ali-oss that `import('ali-oss')` loads (its package.json, found the way Node resolves it). */
function aliOssVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('ali-oss');
    let dir = path.dirname(main);
    while (path.basename(dir) !== 'ali-oss' && path.dirname(dir) !== dir) dir = path.dirname(dir);
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

/** Maps what ali-oss throws (Error subclasses, or the plain cancel/abort event objects) to a DriverError. */
export function aliOssError(err: unknown): DriverError {
  if (err instanceof DriverError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : name || String(err);
  const status = typeof e.status === 'number' && e.status > 0 ? e.status : 0;
  const requestId = typeof e.requestId === 'string' && e.requestId !== '' ? e.requestId : undefined;
  if (name === 'cancel') return new DriverError(DRIVER_ERROR_CODES.cancel, 0, 'cancelled by client.cancel()');
  if (name === 'abort') return new DriverError(DRIVER_ERROR_CODES.abort, 0, message);
  const code = typeof e.code === 'string' && e.code !== '' ? e.code : name || 'Error';
  return new DriverError(code, status, message, requestId);
}

class AliOssClient implements DriverClient {
  private readonly clients = new Map<string, AliClient>();
  /** checkpoint file -> generation of the run allowed to write it */
  private readonly checkpointRuns = new Map<string, number>();
  private readonly v4: boolean;

  constructor(
    private readonly OSS: AliConstructor,
    private readonly config: ClientConfig,
  ) {
    this.v4 = config.signatureVersion === 'v4';
  }

  /** One ali-oss client per bucket (ali-oss binds the bucket at construction); cancel() reaches them all. */
  private bucket(bucket: string): AliClient {
    let c = this.clients.get(bucket);
    if (!c) {
      c = new this.OSS(this.options(bucket, this.config.endpoint));
      this.clients.set(bucket, c);
    }
    return c;
  }

  private options(bucket: string, endpoint: string, extra: Partial<AliOptions> = {}): AliOptions {
    return {
      endpoint,
      accessKeyId: this.config.accessKeyId,
      accessKeySecret: this.config.accessKeySecret,
      ...(this.config.securityToken !== undefined ? { stsToken: this.config.securityToken } : {}),
      region: `oss-${this.config.region}`,
      bucket,
      authorizationV4: this.v4,
      timeout: 60_000,
      retryMax: 0,
      ...extra,
    };
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw aliOssError(err);
    }
  }

  putObject: DriverClient['putObject'] = (a) =>
    this.call(async () => {
      const r = await this.bucket(a.bucket).put(a.key, toBuffer(a.body), { headers: a.headers });
      return written(r.res);
    });

  getObject: DriverClient['getObject'] = (a) =>
    this.call(async () => {
      const r = await this.bucket(a.bucket).get(a.key, undefined, { headers: a.headers });
      return { body: Buffer.from(r.content), ...written(r.res) };
    });

  headObject: DriverClient['headObject'] = (a) =>
    this.call(async () => {
      const r = await this.bucket(a.bucket).head(a.key);
      return { size: Number(r.res.headers['content-length'] ?? 0), ...written(r.res) };
    });

  deleteObject: DriverClient['deleteObject'] = (a) =>
    this.call(async () => {
      await this.bucket(a.bucket).delete(a.key);
    });

  appendObject: DriverClient['appendObject'] = (a) =>
    this.call(async () => {
      const r = await this.bucket(a.bucket).append(a.key, toBuffer(a.body), {
        position: String(a.position),
        headers: a.headers,
      });
      return { nextPosition: Number(r.nextAppendPosition), crc64: r.res.headers['x-oss-hash-crc64ecma'] };
    });

  initiateMultipartUpload: DriverClient['initiateMultipartUpload'] = (a) =>
    this.call(async () => ({ uploadId: (await this.bucket(a.bucket).initMultipartUpload(a.key)).uploadId }));

  uploadPart: DriverClient['uploadPart'] = (a) =>
    this.call(async () => {
      const body = toBuffer(a.body);
      const r = await this.bucket(a.bucket).uploadPart(a.key, a.uploadId, a.partNumber, body, 0, body.length, {
        headers: a.headers,
      });
      return written(r.res);
    });

  listParts: DriverClient['listParts'] = (a) =>
    this.call(async () => {
      const r = await this.bucket(a.bucket).listParts(a.key, a.uploadId, { 'max-parts': '1000' });
      return (Array.isArray(r.parts) ? r.parts : [r.parts]).map((p) => ({
        partNumber: Number(p.PartNumber),
        etag: p.ETag,
        size: Number(p.Size),
      }));
    });

  listMultipartUploads: DriverClient['listMultipartUploads'] = (a) =>
    this.call(async () => {
      const r = await this.bucket(a.bucket).listUploads({ prefix: a.prefix ?? '', 'max-uploads': '1000' });
      return r.uploads.map((u) => ({ key: u.name, uploadId: u.uploadId }));
    });

  completeMultipartUpload: DriverClient['completeMultipartUpload'] = (a) =>
    this.call(async () => {
      const parts = a.parts.map((p) => ({ number: p.partNumber, etag: p.etag }));
      const r = await this.bucket(a.bucket).completeMultipartUpload(a.key, a.uploadId, parts);
      return written(r.res);
    });

  abortMultipartUpload: DriverClient['abortMultipartUpload'] = (a) =>
    this.call(async () => {
      await this.bucket(a.bucket).abortMultipartUpload(a.key, a.uploadId);
    });

  /**
   * multipartUpload with its checkpoint object persisted as JSON in checkpointDir after every part (ali-oss hands it to
   * `progress`, docs/protocol.md#ali-oss), loaded on the next run and removed after success, so the scenarios can check
   * "kept on failure, removed on success" the same way as for the C++ SDK's checkpoint file.
   */
  resumableUpload: DriverClient['resumableUpload'] = (a) =>
    this.call(async () => {
      const file = checkpointPath(a);
      const checkpoint = await readCheckpoint(file);
      // Parts finish concurrently, and a cancelled run's last parts can still report after the next run started
      // (ali-oss clears its cancel flag then): writes are chained, atomic (temp file + rename), and only the
      // newest run of a checkpoint may write it.
      const generation = (this.checkpointRuns.get(file) ?? 0) + 1;
      this.checkpointRuns.set(file, generation);
      let writes = Promise.resolve();
      const save = (cp: AliCheckpoint): Promise<void> => {
        const json = JSON.stringify(cp);
        writes = writes.then(async () => {
          if (this.checkpointRuns.get(file) !== generation) return;
          const tmp = `${file}.${generation}.tmp`;
          await writeFile(tmp, json);
          await rename(tmp, file);
        });
        return writes;
      };
      const r = await this.bucket(a.bucket).multipartUpload(a.key, a.file, {
        partSize: a.partSize,
        parallel: a.parallel,
        headers: a.headers,
        checkpoint,
        progress: async (_p, cp) => {
          if (cp) await save(cp);
        },
      });
      await writes;
      this.checkpointRuns.set(file, generation + 1);
      await rm(file, { force: true });
      return written(r.res);
    });

  /**
   * ali-oss refuses to presign for IP endpoints (docs/protocol.md#ali-oss), so for those it signs with a
   * `localhost` + sldEnable client (path style) and the URL is pointed back at the IP: neither V1 nor V4 signs the
   * Host.
   */
  presignUrl: DriverClient['presignUrl'] = (a) =>
    this.call(async () => {
      const endpoint = new URL(this.config.endpoint);
      const ip = isIP(endpoint.hostname.replace(/^\[|\]$/g, '')) !== 0;
      const signingEndpoint = ip ? `${endpoint.protocol}//localhost:${endpoint.port}` : this.config.endpoint;
      const signer = new this.OSS(this.options(a.bucket, signingEndpoint, ip ? { sldEnable: true } : {}));
      const url = new URL(
        a.signatureVersion === 'v4'
          ? await signer.signatureUrlV4(a.method, a.expiresSeconds, undefined, a.key)
          : signer.signatureUrl(a.key, { method: a.method, expires: a.expiresSeconds }),
      );
      if (ip) url.host = endpoint.host;
      return url.toString();
    });

  disableRequests = async (): Promise<void> => {
    throw notSupported('ali-oss', 'DisableRequest');
  };

  enableRequests = async (): Promise<void> => {
    throw notSupported('ali-oss', 'EnableRequest');
  };

  cancel = async (): Promise<void> => {
    for (const c of this.clients.values()) c.cancel();
  };

  interrupt = async (): Promise<void> => {
    throw notSupported('ali-oss', 'an interruption of every call in flight (it has only cancel())');
  };

  close = async (): Promise<void> => {
    for (const c of this.clients.values()) c.cancel();
    this.clients.clear();
  };
}

function written(res: AliResponse): { etag: string; crc64?: string } {
  return { etag: res.headers.etag ?? '', crc64: res.headers['x-oss-hash-crc64ecma'] };
}

function toBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function checkpointPath(a: ResumableArgs): string {
  const id = createHash('md5').update(`${a.file}\n${a.bucket}\n${a.key}`).digest('hex');
  return path.join(a.checkpointDir, `ali-oss-${id}.json`);
}

async function readCheckpoint(file: string): Promise<AliCheckpoint | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as AliCheckpoint;
  } catch {
    return undefined;
  }
}
