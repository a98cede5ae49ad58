// One client call: attempts, retries, CRC checks and error building, in the order of the C++ SDK's
// Client::AttemptRequest / AttemptOnceRequest [src/client/Client.cc]:
// - every attempt first checks the disable flag (ClientError:100002, nothing sent, no socket opened);
// - a failed attempt is not retried while the client is disabled, nor when its body cannot be sent again;
// - otherwise the retry strategy decides, and its back-off wakes early on disable (then the next attempt's check
//   rejects with 100002);
// - a 403 RequestTimeTooSkewed resets the clock offset from the error's ServerTime (enableDateSkewAdjustment).
import type http from 'node:http';
import type { Readable } from 'node:stream';
import { toWireHeader, type SignableRequest } from '../protocol/signing.js';
import { requestTarget, type QueryParams } from './addressing.js';
import { tap, type RequestBody } from './request-body.js';
import { Crc64Counter, crcMismatch, verifiedDownload } from './crc.js';
import { OssClientError, serverError } from './errors.js';
import type { ClientConfig } from './options.js';
import type { RequestGate } from './request-gate.js';
import { retryDelayMs, shouldRetry } from './retry.js';
import { signRequest } from './signer.js';
import { send, type WireResponse } from './transport.js';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

export interface OssRequest {
  method: HttpMethod;
  bucket?: string;
  key?: string;
  query?: QueryParams;
  /** lowercased names */
  headers?: Record<string, string>;
  body?: RequestBody;
  /**
   * Compare the CRC-64 of the sent body with the response header (PutObject, UploadPart, AppendObject). A bigint
   * is the CRC of the object before this body (AppendObject's init CRC).
   */
  uploadCrc?: boolean | bigint;
  /** Compare the CRC-64 of the received body with the response header (GetObject without Range). */
  downloadCrc?: boolean;
}

interface ResponseBase {
  status: number;
  headers: Record<string, string>;
  requestId: string;
}

export interface OssResponse extends ResponseBase {
  body: Buffer;
  /** CRC-64 of the sent body, when it was computed */
  sentCrc64?: bigint;
}

export interface OssStreamResponse extends ResponseBase {
  body: Readable;
}

export interface Agents {
  http: http.Agent;
  https: http.Agent;
}

type Mode = 'buffer' | 'stream';

export class Executor {
  /** Server time minus local time, learned from RequestTimeTooSkewed. */
  #clockOffsetMs = 0;

  constructor(
    private readonly config: ClientConfig,
    private readonly gate: RequestGate,
    private readonly agents: Agents,
  ) {}

  now(): Date {
    return new Date(Date.now() + this.#clockOffsetMs);
  }

  request(r: OssRequest): Promise<OssResponse> {
    return this.run(r, 'buffer') as Promise<OssResponse>;
  }

  requestStream(r: OssRequest): Promise<OssStreamResponse> {
    return this.run(r, 'stream') as Promise<OssStreamResponse>;
  }

  private async run(r: OssRequest, mode: Mode): Promise<OssResponse | OssStreamResponse> {
    for (let retries = 0; ; retries++) {
      try {
        return await this.attempt(r, mode);
      } catch (caught) {
        if (!(caught instanceof OssClientError)) throw caught;
        const err = caught;
        if (!this.gate.enabled) throw err;
        this.learnClockOffset(err);
        if (!shouldRetry(err, retries, this.config.retry)) throw err;
        if (r.body && !r.body.replayable) throw err;
        await this.gate.sleep(retryDelayMs(retries, this.config.retry));
      }
    }
  }

  private async attempt(r: OssRequest, mode: Mode): Promise<OssResponse | OssStreamResponse> {
    const controller = this.gate.begin();
    let handedOver = false;
    try {
      const upload = r.uploadCrc !== undefined && r.uploadCrc !== false && this.config.crc64Check;
      const counter = upload
        ? await Crc64Counter.create(typeof r.uploadCrc === 'bigint' ? r.uploadCrc : undefined)
        : undefined;
      const res = await this.exchange(r, controller.signal, counter);
      if (res.status < 200 || res.status > 299) {
        throw serverError(res.status, res.headers, await readAll(res.body));
      }
      const base: ResponseBase = {
        status: res.status,
        headers: res.headers,
        requestId: res.headers['x-oss-request-id'] ?? '',
      };
      const download = r.downloadCrc === true && this.config.crc64Check;
      if (mode === 'stream') {
        const body = download
          ? verifiedDownload(res.body, await Crc64Counter.create(), { headers: res.headers, status: res.status })
          : res.body;
        body.once('close', () => this.gate.end(controller));
        handedOver = true;
        return { ...base, body };
      }
      const body = await readAll(res.body);
      const sentCrc64 = counter?.digest();
      // The body checked is the one sent (uploads) or the one received (downloads).
      const checked =
        sentCrc64 !== undefined
          ? { actual: sentCrc64, transferred: counter!.bytes }
          : download
            ? { actual: await crcOf(body), transferred: body.length }
            : undefined;
      const mismatch = checked && crcMismatch({ ...checked, headers: res.headers, status: res.status });
      if (mismatch) throw mismatch;
      return { ...base, body, sentCrc64 };
    } finally {
      if (!handedOver) this.gate.end(controller);
    }
  }

  private exchange(r: OssRequest, signal: AbortSignal, counter: Crc64Counter | undefined): Promise<WireResponse> {
    // Header values are text; they are signed and sent as their UTF-8 bytes (node:http writes a string header one
    // byte per character, so the text becomes that byte string first: SignableRequest).
    const headers: Record<string, string> = { 'user-agent': toWireHeader(this.config.userAgent) };
    for (const [name, value] of Object.entries(r.headers ?? {})) headers[name] = toWireHeader(value);
    if (r.body?.length !== undefined) headers['content-length'] = String(r.body.length);
    else if (r.body) headers['transfer-encoding'] = 'chunked';
    else if (r.method === 'PUT' || r.method === 'POST') headers['content-length'] = '0';
    const query = r.query ?? [];
    const signable: SignableRequest = { method: r.method, bucket: r.bucket, key: r.key, query, headers };
    signRequest(signable, this.config, this.now());
    const source = r.body?.open();
    // The transport destroys a body it does not send to its end (an abort before sending, an early answer), but a
    // file stream still opening reports its failure even after that (the file removed meanwhile): it must not
    // become an uncaught error in the caller's process. Failures while sending reach the transport through the pipe.
    source?.on('error', () => undefined);
    const { endpoint } = this.config;
    return send(
      {
        protocol: endpoint.protocol,
        method: r.method,
        target: requestTarget(endpoint, { pathStyle: this.config.pathStyle, bucket: r.bucket, key: r.key, query }),
        headers,
        body: source && counter ? tap(source, (chunk) => counter.update(chunk)) : source,
      },
      {
        agent: endpoint.protocol === 'https:' ? this.agents.https : this.agents.http,
        signal,
        timeoutMs: this.config.timeoutMs,
        connectTimeoutMs: this.config.connectTimeoutMs,
      },
    );
  }

  private learnClockOffset(err: OssClientError): void {
    if (err.status !== 403 || err.code !== 'RequestTimeTooSkewed') return;
    const serverTime = Date.parse(err.details.ServerTime ?? '');
    if (Number.isFinite(serverTime)) this.#clockOffsetMs = serverTime - Date.now();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function crcOf(body: Buffer): Promise<bigint> {
  const counter = await Crc64Counter.create();
  counter.update(body);
  return counter.digest();
}
