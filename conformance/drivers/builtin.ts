// This project's client (client/, the C++ SDK's semantics in TypeScript) as a driver. Its errors already carry the
// C++ SDK codes, so the mapping is direct. Progress is observed by counting the bytes the client pulls from the
// request body, which trails the socket by at most one 64 KiB slice.
import { Readable } from 'node:stream';
import { OssClient, isOssClientError, type OssClientOptions, type RequestBody } from '../../client/index.js';
import { packageVersion } from '../package-info.js';
import {
  DriverError,
  type Capability,
  type ClientConfig,
  type Driver,
  type DriverClient,
  type DriverFactory,
} from './driver.js';

export const BUILTIN_CAPABILITIES: readonly Capability[] = [
  'disable',
  'multipart',
  'append',
  'resumable',
  'progress',
  'presign',
  'signature-v1',
  'signature-v4',
];

export const builtinDriver: DriverFactory = {
  name: 'builtin',
  load: async (): Promise<Driver> => ({
    name: 'builtin',
    capabilities: new Set(BUILTIN_CAPABILITIES),
    sdk: { name: 'oss-mock/client', version: packageVersion() },
    language: `node ${process.version}`,
    createClient: async (config) => new BuiltinClient(config),
    close: async () => {},
  }),
};

export function builtinError(err: unknown): DriverError {
  if (err instanceof DriverError) return err;
  if (isOssClientError(err)) return new DriverError(err.code, err.status, err.message, err.requestId || undefined);
  return new DriverError('Error', 0, err instanceof Error ? err.message : String(err));
}

const SLICE = 64 * 1024;

/**
 * Bytes whose consumption is reported: a replayable RequestBody (UploadPart takes one, so the wire is unchanged),
 * or a Readable for PutObject/AppendObject, which the client then sends chunked as the C++ SDK always does.
 */
function countedBody(bytes: Uint8Array, onProgress: (n: number) => void): RequestBody {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    length: buf.length,
    replayable: true,
    open: () => Readable.from(counted(buf, onProgress), { objectMode: false }),
  };
}

function* counted(buf: Buffer, onProgress: (n: number) => void): Generator<Buffer> {
  for (let at = 0; at < buf.length; at += SLICE) {
    const end = Math.min(at + SLICE, buf.length);
    onProgress(end);
    yield buf.subarray(at, end);
  }
}

class BuiltinClient implements DriverClient {
  private readonly client: OssClient;
  private readonly options: OssClientOptions;

  constructor(config: ClientConfig) {
    this.options = {
      endpoint: config.endpoint,
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      ...(config.securityToken !== undefined ? { securityToken: config.securityToken } : {}),
      region: config.region,
      signatureVersion: config.signatureVersion ?? 'v1',
      ...(config.retries !== undefined ? { retry: { maxRetries: config.retries } } : {}),
    };
    this.client = new OssClient(this.options);
  }

  /** bumped by interrupt(): a call that started before and failed 200042 was interrupted */
  private interrupts = 0;

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    const epoch = this.interrupts;
    try {
      return await fn();
    } catch (err) {
      const e = builtinError(err);
      if (this.interrupts === epoch || e.code !== 'ClientError:200042') throw e;
      throw new DriverError(e.code, e.status, e.message, e.requestId, { interrupted: true });
    }
  }

  putObject: DriverClient['putObject'] = (a) =>
    this.call(async () => {
      const body = a.onProgress ? countedBody(a.body, a.onProgress).open() : a.body;
      const r = await this.client.putObject({ bucket: a.bucket, key: a.key, body, headers: a.headers });
      return { etag: r.etag, crc64: r.crc64?.toString() };
    });

  getObject: DriverClient['getObject'] = (a) =>
    this.call(async () => {
      const r = await this.client.getObject({ bucket: a.bucket, key: a.key, headers: a.headers });
      return { body: r.content, etag: r.etag, crc64: r.crc64?.toString() };
    });

  headObject: DriverClient['headObject'] = (a) =>
    this.call(async () => {
      const r = await this.client.headObject(a);
      return { etag: r.etag, size: r.contentLength, crc64: r.crc64?.toString() };
    });

  deleteObject: DriverClient['deleteObject'] = (a) =>
    this.call(async () => {
      await this.client.deleteObject(a);
    });

  appendObject: DriverClient['appendObject'] = (a) =>
    this.call(async () => {
      const body = a.onProgress ? countedBody(a.body, a.onProgress).open() : a.body;
      const r = await this.client.appendObject({
        bucket: a.bucket,
        key: a.key,
        position: a.position,
        body,
        headers: a.headers,
      });
      return { nextPosition: r.nextPosition, crc64: r.crc64?.toString() };
    });

  initiateMultipartUpload: DriverClient['initiateMultipartUpload'] = (a) =>
    this.call(async () => ({ uploadId: (await this.client.initiateMultipartUpload(a)).uploadId }));

  uploadPart: DriverClient['uploadPart'] = (a) =>
    this.call(async () => {
      const r = await this.client.uploadPart({
        bucket: a.bucket,
        key: a.key,
        uploadId: a.uploadId,
        partNumber: a.partNumber,
        body: a.onProgress ? countedBody(a.body, a.onProgress) : a.body,
        headers: a.headers,
      });
      return { etag: r.etag, crc64: r.crc64?.toString() };
    });

  listParts: DriverClient['listParts'] = (a) =>
    this.call(async () =>
      (await this.client.listAllParts(a)).map((p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size })),
    );

  listMultipartUploads: DriverClient['listMultipartUploads'] = (a) =>
    this.call(async () =>
      (await this.client.listMultipartUploads({ bucket: a.bucket, prefix: a.prefix })).uploads.map((u) => ({
        key: u.key,
        uploadId: u.uploadId,
      })),
    );

  completeMultipartUpload: DriverClient['completeMultipartUpload'] = (a) =>
    this.call(async () => {
      const r = await this.client.completeMultipartUpload(a);
      return { etag: r.etag, crc64: r.crc64?.toString() };
    });

  abortMultipartUpload: DriverClient['abortMultipartUpload'] = (a) =>
    this.call(async () => {
      await this.client.abortMultipartUpload(a);
    });

  resumableUpload: DriverClient['resumableUpload'] = (a) =>
    this.call(async () => {
      const { headers, ...rest } = a;
      // Part requests are slowed the way the C++ SDK does it: x-oss-traffic-limit on every UploadPart.
      const limit = headers?.['x-oss-traffic-limit'];
      const r = await this.client.resumableUpload(
        limit === undefined ? rest : { ...rest, trafficLimit: Number(limit) },
      );
      return { etag: r.etag, crc64: r.crc64?.toString() };
    });

  /** The client presigns with its configured signature version, so a V1/V4 twin signs the other kind. */
  presignUrl: DriverClient['presignUrl'] = (a) =>
    this.call(async () => {
      const signer =
        a.signatureVersion === this.options.signatureVersion
          ? this.client
          : new OssClient({ ...this.options, signatureVersion: a.signatureVersion });
      return signer.presignUrl({ bucket: a.bucket, key: a.key, method: a.method, expiresSeconds: a.expiresSeconds });
    });

  disableRequests = async (): Promise<void> => {
    this.client.disableRequests();
  };

  enableRequests = async (): Promise<void> => {
    this.client.enableRequests();
  };

  cancel = async (): Promise<void> => {
    throw new DriverError('NotSupported', 0, 'the builtin client stops resumable uploads with disableRequests()');
  };

  /**
   * DisableRequest followed at once by EnableRequest: every call in flight is aborted (200042) and later calls run.
   * Not among the builtin capabilities (it has the real 'disable'); tests announce it to exercise the INT family's
   * 'interrupt' path without another SDK.
   */
  interrupt = async (): Promise<void> => {
    this.interrupts++;
    this.client.disableRequests();
    this.client.enableRequests();
  };

  close = async (): Promise<void> => {
    this.client.disableRequests();
    this.client.close();
  };
}
