// `--driver process:CMD`: an SDK in any language driven through a small program its maintainers write, speaking
// the JSON-lines protocol of conformance/PROTOCOL.md on stdin/stdout. This is the suite's side: it starts CMD,
// checks the handshake, multiplexes concurrent calls by id (a disable must overtake the uploads it interrupts), and
// turns protocol failures and crashes into DriverErrors carrying the driver's stderr.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import type { Readable, Writable } from 'node:stream';
import {
  DriverError,
  DriverUnavailableError,
  isCapability,
  type Capability,
  type ClientConfig,
  type Driver,
  type DriverClient,
  type DriverFactory,
  type DriverLogEntry,
  type SdkInfo,
} from './driver.js';
import {
  encodeBody,
  isRecord,
  parseLine,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOLS,
  type Operation,
  type WireBody,
} from './process-protocol.js';

export const HELLO_TIMEOUT_MS = 15_000;
/** Bodies above this go through a temp file ({path}) instead of inline base64: a 16 MiB body as JSON is slow. */
export const INLINE_BODY_LIMIT = 1024 * 1024;
const SHUTDOWN_GRACE_MS = 2_000;
const MAX_KEPT_LOGS = 2_000;

export interface ProcessDriverOptions {
  /** the driver's name in reports (default: `process:<name the driver announces>`) */
  name?: string;
  /** the environment of the driver process (default: the suite's own) */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function processDriver(command: string, o: ProcessDriverOptions = {}): DriverFactory {
  return { name: o.name ?? `process:${command}`, load: () => spawnProcessDriver(command, o) };
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(err: DriverError): void;
  onProgress?: (bytes: number) => void;
}

/** One protocol session over a pair of streams (a child's stdin/stdout, or pipes in tests). */
export class DriverConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedWith: DriverError | undefined;
  /** lines on stdout that were not protocol messages (kept for diagnostics) */
  readonly strayLines: string[] = [];
  /** log events and stderr lines not yet taken by takeLogs() */
  private logs: DriverLogEntry[] = [];

  /**
   * `closedReason` explains why the driver's output ended (a child process: its exit status and stderr); without it
   * the calls fail with "driver closed its stdout".
   */
  constructor(
    private readonly input: Writable,
    output: Readable,
    closedReason: () => Promise<DriverError> = async () =>
      new DriverError('DriverExited', 0, 'driver closed its stdout'),
  ) {
    const lines = createInterface({ input: output, crlfDelay: Infinity });
    lines.on('line', (line) => this.onLine(line));
    lines.on('close', () => void closedReason().then((err) => this.fail(err)));
    input.on('error', (err: Error) => this.fail(new DriverError('DriverExited', 0, `driver stdin: ${err.message}`)));
  }

  call(
    op: Operation,
    args: Record<string, unknown>,
    o: { onProgress?: (bytes: number) => void; timeoutMs?: number } = {},
  ): Promise<Record<string, unknown>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    const message = { id, op, args: o.onProgress ? { ...args, progress: true } : args };
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (r) => {
          settle();
          resolve(r);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
        onProgress: o.onProgress,
      });
      if (o.timeoutMs !== undefined) {
        timer = setTimeout(
          () =>
            this.pending.get(id)?.reject(new DriverError('DriverTimeout', 0, `${op}: no answer in ${o.timeoutMs} ms`)),
          o.timeoutMs,
        );
      }
      this.input.write(JSON.stringify(message) + '\n');
    });
  }

  log(entry: DriverLogEntry): void {
    this.logs.push(entry);
    // a driver logging without end between two scenarios must not grow without bound
    if (this.logs.length > MAX_KEPT_LOGS) this.logs.splice(0, this.logs.length - MAX_KEPT_LOGS);
  }

  /** The driver's log lines since the last call. */
  takeLogs(): DriverLogEntry[] {
    const taken = this.logs;
    this.logs = [];
    return taken;
  }

  /** Rejects everything pending and every later call. */
  fail(err: DriverError): void {
    this.closedWith ??= err;
    for (const p of [...this.pending.values()]) p.reject(this.closedWith);
  }

  private onLine(line: string): void {
    if (line.trim() === '') return;
    const m = parseLine(line);
    if ('invalid' in m) {
      this.strayLines.push(line.slice(0, 500));
      if (this.strayLines.length > 20) this.strayLines.shift();
      this.log({ level: 'info', message: line.slice(0, 2000), source: 'stdout' });
      return;
    }
    if ('event' in m) {
      if (m.event === 'progress') this.pending.get(m.id)?.onProgress?.(m.bytes);
      else this.log({ level: m.level, message: m.message, source: 'event' });
      return;
    }
    if (!('ok' in m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.ok) p.resolve(m.result);
    else {
      const { code, status, message, requestId, sdkError, interrupted } = m.error;
      p.reject(new DriverError(code, status, message, requestId, { sdkError, interrupted }));
    }
  }
}

/** Request bodies as the protocol carries them: inline base64 when small, a temp file the driver reads otherwise. */
class BodySpool {
  private dir: Promise<string> | undefined;
  private next = 0;

  async put(bytes: Uint8Array): Promise<{ body: WireBody; release(): Promise<void> }> {
    if (bytes.byteLength <= INLINE_BODY_LIMIT) return { body: encodeBody(bytes), release: async () => {} };
    this.dir ??= mkdtemp(path.join(tmpdir(), 'oss-conformance-bodies-'));
    const file = path.join(await this.dir, `${this.next++}.bin`);
    await writeFile(file, bytes);
    return { body: { path: file }, release: () => rm(file, { force: true }) };
  }

  async close(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

/** One running driver process: its connection and how to stop it. */
interface Session {
  conn: DriverConnection;
  hello: Hello;
  /** shutdown request, then SIGKILL after the grace period */
  stop(): Promise<void>;
  /** SIGKILL at once */
  kill(): Promise<void>;
}

/** Starts CMD through the shell and performs the handshake; DriverUnavailableError when it cannot. */
async function startSession(command: string, o: ProcessDriverOptions): Promise<Session> {
  // its own process group, so a kill reaches the driver and not only the shell that started it
  const child = spawn(command, {
    shell: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: o.env,
    cwd: o.cwd,
    detached: true,
  });
  let stderr = '';
  // stderr lines go to the connection's log once it exists (the stream buffers them until then)
  const logTo: { conn?: DriverConnection } = {};
  child.stderr.setEncoding('utf8');
  createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
    stderr = (stderr + line + '\n').slice(-8192);
    if (line.trim() !== '') logTo.conn?.log({ level: 'info', message: line, source: 'stderr' });
  });
  let exitError: DriverError | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exitError = new DriverError('DriverExited', 0, `driver exited (${signal ?? code}); stderr: ${tail(stderr)}`);
      resolve();
    });
    child.on('error', (err) => {
      exitError = new DriverError('DriverExited', 0, `cannot run driver: ${err.message}`);
      resolve();
    });
  });
  // stdout usually closes just before the exit is reported; wait briefly for the exit status and stderr.
  const session = new DriverConnection(child.stdin, child.stdout, async () => {
    await Promise.race([exited, delay(SHUTDOWN_GRACE_MS)]);
    return exitError ?? new DriverError('DriverExited', 0, `driver closed its stdout; stderr: ${tail(stderr)}`);
  });
  logTo.conn = session;
  exited.then(() => exitError && session.fail(exitError));
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (running()) {
      await session.call('shutdown', {}, { timeoutMs: SHUTDOWN_GRACE_MS }).catch(() => undefined);
      child.stdin.end();
      const timer = setTimeout(() => void kill(), SHUTDOWN_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };
  const kill = async (): Promise<void> => {
    if (running() && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      await exited;
    }
  };
  try {
    return { conn: session, hello: await handshake(session), stop, kill };
  } catch (err) {
    await stop();
    const why = err instanceof Error ? err.message : String(err);
    throw new DriverUnavailableError(`${command}: ${why}${stderr ? `; stderr: ${tail(stderr)}` : ''}`);
  }
}

export async function spawnProcessDriver(command: string, o: ProcessDriverOptions = {}): Promise<Driver> {
  let session = await startSession(command, o);
  const spool = new BodySpool();
  const hello = session.hello;
  return {
    name: o.name ?? `process:${hello.name ?? command}`,
    capabilities: hello.capabilities,
    sdk: hello.sdk,
    language: hello.language,
    protocol: hello.protocol,
    createClient: (config) => createProcessClient(session.conn, config, spool),
    takeLogs: () => session.conn.takeLogs(),
    restart: async () => {
      const logs = session.conn.takeLogs();
      await session.kill();
      session = await startSession(command, o);
      for (const l of logs) session.conn.log(l);
    },
    close: async () => {
      await session.stop();
      await spool.close();
    },
  };
}

/** What a driver's hello answer says, checked. */
export interface Hello {
  name: string | undefined;
  protocol: number;
  capabilities: ReadonlySet<Capability>;
  sdk?: SdkInfo;
  language?: string;
}

/**
 * hello -> {name, protocol, capabilities, sdk?, language?}; unknown capabilities are ignored (newer drivers, older
 * suite). A protocol 1 driver predates `signature-v1` and signs V1: it gets that capability implicitly.
 */
export async function handshake(conn: DriverConnection): Promise<Hello> {
  const hello = await conn.call('hello', { protocol: PROTOCOL_VERSION }, { timeoutMs: HELLO_TIMEOUT_MS });
  const protocol = typeof hello.protocol === 'number' ? hello.protocol : NaN;
  if (!SUPPORTED_PROTOCOLS.includes(protocol)) {
    throw new Error(`driver speaks protocol ${String(hello.protocol)}, the suite ${SUPPORTED_PROTOCOLS.join(' or ')}`);
  }
  const capabilities = new Set<Capability>(
    (Array.isArray(hello.capabilities) ? hello.capabilities : []).filter(
      (c): c is Capability => typeof c === 'string' && isCapability(c),
    ),
  );
  if (protocol === 1) capabilities.add('signature-v1');
  const sdk =
    isRecord(hello.sdk) && typeof hello.sdk.name === 'string' && typeof hello.sdk.version === 'string'
      ? { name: hello.sdk.name, version: hello.sdk.version }
      : undefined;
  return {
    name: typeof hello.name === 'string' && hello.name !== '' ? hello.name : undefined,
    protocol,
    capabilities,
    sdk,
    language: typeof hello.language === 'string' ? hello.language : undefined,
  };
}

/** A Driver over an already connected session (tests serve a driver over pipes). */
export async function connectedDriver(
  conn: DriverConnection,
  label: string,
  stop: () => Promise<void>,
): Promise<Driver> {
  const hello = await handshake(conn);
  const spool = new BodySpool();
  return {
    name: `process:${hello.name ?? label}`,
    capabilities: hello.capabilities,
    sdk: hello.sdk,
    language: hello.language,
    protocol: hello.protocol,
    createClient: (config) => createProcessClient(conn, config, spool),
    takeLogs: () => conn.takeLogs(),
    close: async () => {
      await stop();
      await spool.close();
    },
  };
}

async function createProcessClient(conn: DriverConnection, config: ClientConfig, spool: BodySpool) {
  const r = await conn.call('createClient', { ...config });
  if (typeof r.client !== 'string' && typeof r.client !== 'number') {
    throw new DriverError('DriverProtocolError', 0, 'createClient returned no client id');
  }
  return new ProcessClient(conn, String(r.client), spool);
}

class ProcessClient implements DriverClient {
  constructor(
    private readonly conn: DriverConnection,
    private readonly id: string,
    private readonly spool: BodySpool,
  ) {}

  private call(op: Operation, args: object, onProgress?: (bytes: number) => void): Promise<Record<string, unknown>> {
    return this.conn.call(op, { client: this.id, ...args }, { onProgress });
  }

  private async upload(
    op: Operation,
    args: object,
    bytes: Uint8Array,
    onProgress?: (bytes: number) => void,
  ): Promise<Record<string, unknown>> {
    const { body, release } = await this.spool.put(bytes);
    try {
      return await this.call(op, { ...args, body }, onProgress);
    } finally {
      await release();
    }
  }

  putObject: DriverClient['putObject'] = async ({ body, onProgress, ...rest }) =>
    written(await this.upload('putObject', rest, body, onProgress));

  getObject: DriverClient['getObject'] = async ({ onProgress, ...rest }) => {
    const r = await this.call('getObject', rest, onProgress);
    return { ...written(r), body: await decodeBody(r.body) };
  };

  headObject: DriverClient['headObject'] = async (a) => {
    const r = await this.call('headObject', a);
    return { ...written(r), size: num(r.size, 'size') };
  };

  deleteObject: DriverClient['deleteObject'] = async (a) => {
    await this.call('deleteObject', a);
  };

  appendObject: DriverClient['appendObject'] = async ({ body, onProgress, ...rest }) => {
    const r = await this.upload('appendObject', rest, body, onProgress);
    return { nextPosition: num(r.nextPosition, 'nextPosition'), crc64: optStr(r.crc64) };
  };

  initiateMultipartUpload: DriverClient['initiateMultipartUpload'] = async (a) => ({
    uploadId: str((await this.call('initiateMultipartUpload', a)).uploadId, 'uploadId'),
  });

  uploadPart: DriverClient['uploadPart'] = async ({ body, onProgress, ...rest }) =>
    written(await this.upload('uploadPart', rest, body, onProgress));

  listParts: DriverClient['listParts'] = async (a) => {
    const r = await this.call('listParts', a);
    return records(r.parts, 'parts').map((p) => ({
      partNumber: num(p.partNumber, 'partNumber'),
      etag: str(p.etag, 'etag'),
      size: num(p.size, 'size'),
    }));
  };

  listMultipartUploads: DriverClient['listMultipartUploads'] = async (a) => {
    const r = await this.call('listMultipartUploads', a);
    return records(r.uploads, 'uploads').map((u) => ({
      key: str(u.key, 'key'),
      uploadId: str(u.uploadId, 'uploadId'),
    }));
  };

  completeMultipartUpload: DriverClient['completeMultipartUpload'] = async (a) =>
    written(await this.call('completeMultipartUpload', a));

  abortMultipartUpload: DriverClient['abortMultipartUpload'] = async (a) => {
    await this.call('abortMultipartUpload', a);
  };

  resumableUpload: DriverClient['resumableUpload'] = async (a) => written(await this.call('resumableUpload', a));

  presignUrl: DriverClient['presignUrl'] = async (a) => str((await this.call('presignUrl', a)).url, 'url');

  disableRequests = async (): Promise<void> => {
    await this.call('disableRequests', {});
  };

  enableRequests = async (): Promise<void> => {
    await this.call('enableRequests', {});
  };

  cancel = async (): Promise<void> => {
    await this.call('cancel', {});
  };

  interrupt = async (): Promise<void> => {
    await this.call('interrupt', {});
  };

  close = async (): Promise<void> => {
    await this.call('closeClient', {}).catch(() => undefined);
  };
}

function protocolError(field: string, v: unknown): DriverError {
  return new DriverError('DriverProtocolError', 0, `driver result field ${field}: unexpected ${JSON.stringify(v)}`);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw protocolError(field, v);
  return v;
}

function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

function num(v: unknown, field: string): number {
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw protocolError(field, v);
  return n;
}

function records(v: unknown, field: string): Array<Record<string, unknown>> {
  if (!Array.isArray(v) || !v.every(isRecord)) throw protocolError(field, v);
  return v;
}

function written(r: Record<string, unknown>): { etag: string; crc64?: string } {
  return { etag: str(r.etag, 'etag'), crc64: optStr(r.crc64) };
}

async function decodeBody(v: unknown): Promise<Buffer> {
  if (isRecord(v) && typeof v.base64 === 'string') return Buffer.from(v.base64, 'base64');
  if (isRecord(v) && typeof v.path === 'string') return readFile(v.path);
  throw protocolError('body', v);
}

function tail(s: string): string {
  return s.trim().split('\n').slice(-5).join(' | ').slice(-800);
}
