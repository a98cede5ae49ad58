// What scenarios share: deterministic bodies and their expected ETag/CRC, error expectations, the event log seen
// from one scenario's space, and the ways to slow or cut a transfer at a known point without sleeping.
import { setTimeout as delay } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { crc64, md5Hex, normalizeEtag } from '../../protocol/index.js';
import { CLIENT_CODES, isDriverError, type DriverClient, type DriverError } from '../drivers/driver.js';
import type { ClientContext, EndpointContext } from '../scenario.js';
import type { ControlEvent, OperationName, RuleInput, RuleMatch } from '../targets/control.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** In-flight calls interrupted by DisableRequest end with one of these (docs/protocol.md#cpp-sdk). */
export const INTERRUPTED_CODES = [CLIENT_CODES.abortedByCallback, CLIENT_CODES.disabled] as const;

/**
 * Size of a body that is interrupted mid-way. A client's abort closes its socket gracefully, so whatever the kernels
 * already buffer between client and server (measured: ~4 MB per loopback connection on Linux with the default
 * tcp_wmem) still reaches the server, followed by a clean end; a body that fits there is complete and rightly
 * committed. 16 MiB leaves the server well short of Content-Length, as the C++ SDK observation did with 20 MB.
 */
export const INTERRUPTED_BODY = 16 * MiB;

/** x-oss-traffic-limit bounds in bit/s (docs/protocol.md#traffic-limit). */
export const TRAFFIC_LIMIT_MIN = 819_200;
export const TRAFFIC_LIMIT_MAX = 838_860_800;

/** Deterministic pseudo-random bytes (xorshift32): a failing comparison reproduces, and bodies do not compress. */
export function bytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.writeUInt32LE(x >>> 0, i);
  }
  for (; i < size; i++) out[i] = i & 0xff;
  return out;
}

/** The ETag (unquoted, uppercase MD5) and decimal CRC-64 OSS reports for a body (docs/protocol.md#etags,
 * docs/protocol.md#crc-64). */
export async function digestOf(b: Uint8Array): Promise<{ etag: string; crc64: string; md5Base64: string }> {
  const md5 = createHash('md5').update(b).digest();
  return { etag: md5Hex(md5), crc64: (await crc64(b)).toString(), md5Base64: md5.toString('base64') };
}

export function sameEtag(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && normalizeEtag(a) === normalizeEtag(b);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function outcomes<T>(calls: Array<Promise<T>>): Promise<Array<Outcome<T>>> {
  return (await Promise.allSettled(calls)).map((r) =>
    r.status === 'fulfilled' ? { ok: true, value: r.value } : { ok: false, error: r.reason },
  );
}

export function describeError(e: unknown): string {
  if (isDriverError(e)) return `${e.code} (HTTP ${e.status}): ${e.message}`;
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Awaits a call that must fail with a DriverError whose code is one of `codes` (and, if given, that status). */
export async function expectDriverError(
  call: Promise<unknown>,
  codes: readonly string[],
  what: string,
  status?: number,
): Promise<DriverError> {
  let value: unknown;
  try {
    value = await call;
  } catch (e) {
    const wrong = (got: string): Error =>
      new Error(`${what}: expected ${codes.join(' or ')}, got ${got}`, { cause: e });
    if (!isDriverError(e) || !codes.includes(e.code)) throw wrong(describeError(e));
    if (status !== undefined && e.status !== status) throw wrong(`HTTP ${e.status} with ${e.code}`);
    return e;
  }
  throw new Error(
    `${what}: expected ${codes.join(' or ')}, but it succeeded (${JSON.stringify(value)?.slice(0, 120)})`,
  );
}

/** Every outcome of calls interrupted by DisableRequest must be 200042 or 100002. */
export function assertAllInterrupted(results: Array<Outcome<unknown>>, what: string): void {
  results.forEach((r, i) => {
    if (r.ok) throw new Error(`${what} #${i + 1}: completed although the client was disabled mid-body`);
    if (!isDriverError(r.error) || !(INTERRUPTED_CODES as readonly string[]).includes(r.error.code)) {
      throw new Error(`${what} #${i + 1}: expected ${INTERRUPTED_CODES.join(' or ')}, got ${describeError(r.error)}`);
    }
  });
}

/** How a scenario stops calls in flight: the C++ SDK's DisableRequest, or the SDK's own interruption. */
export type StopStyle = 'disable' | 'interrupt';

/** 'disable' when the driver has it (the stricter semantics), else 'interrupt'; the scenario required one of them. */
export function stopStyle(ctx: ClientContext): StopStyle {
  return ctx.capabilities.has('disable') ? 'disable' : 'interrupt';
}

export async function stopInFlight(ctx: ClientContext, style: StopStyle): Promise<void> {
  if (style === 'disable') await ctx.client.disableRequests();
  else await ctx.client.interrupt();
}

/** After 'disable', EnableRequest; an interruption leaves nothing to undo. */
export async function resumeAfterStop(ctx: ClientContext, style: StopStyle): Promise<void> {
  if (style === 'disable') await ctx.client.enableRequests();
}

/**
 * Every call stopped mid-transfer failed the way the style promises: 200042/100002 for 'disable'; for 'interrupt'
 * an error the driver marks `interrupted` (its code is the SDK's own and is recorded, not compared).
 */
export function assertAllStopped(
  ctx: ClientContext,
  style: StopStyle,
  results: Array<Outcome<unknown>>,
  what: string,
): void {
  if (style === 'disable') {
    assertAllInterrupted(results, what);
    return;
  }
  const seen = new Set<string>();
  let example: string | undefined;
  results.forEach((r, i) => {
    if (r.ok) throw new Error(`${what} #${i + 1}: completed although the client was interrupted mid-body`);
    if (!isDriverError(r.error) || !r.error.interrupted) {
      throw new Error(`${what} #${i + 1}: expected a failure marked interrupted, got ${describeError(r.error)}`);
    }
    seen.add(`${r.error.code} (status ${r.error.status})`);
    example ??= r.error.sdkError;
  });
  ctx.observe(
    `interrupted ${what} failed with ${[...seen].join(', ')}${example ? `, e.g. ${example.slice(0, 200)}` : ''}`,
  );
}

// --- the event log, seen from one scenario's space ---

/** The current end of the event log (undefined without control API). */
export async function cursor(ctx: EndpointContext): Promise<number | undefined> {
  return ctx.control?.lastEventSeq();
}

/** Events after `since` about this scenario's bucket and keys. */
export async function spaceEvents(ctx: EndpointContext, since: number): Promise<ControlEvent[]> {
  if (!ctx.control) return [];
  return (await ctx.control.events(since)).filter(
    (e) => e.bucket === ctx.bucket && (ctx.prefix === '' || (e.key ?? '').startsWith(ctx.prefix)),
  );
}

/**
 * Polls the event log until `count` events satisfy `pred`. The server logs a client's disconnect a few
 * milliseconds after the client sees its own abort, so "the server saw N aborted bodies" needs this short wait.
 */
export async function waitForEvents(
  ctx: EndpointContext,
  since: number,
  pred: (e: ControlEvent) => boolean,
  count: number,
  what: string,
  timeoutMs = 5_000,
): Promise<ControlEvent[]> {
  const deadline = Date.now() + timeoutMs;
  let seen: ControlEvent[] = [];
  while (!ctx.signal.aborted) {
    seen = (await spaceEvents(ctx, since)).filter(pred);
    if (seen.length >= count || Date.now() > deadline) break;
    await delay(20);
  }
  if (seen.length < count) throw new Error(`${what}: expected ${count} events, the server logged ${seen.length}`);
  return seen;
}

/**
 * Waits until the server has concluded `count` interrupted bodies of `operation` (it drains what the kernel buffered
 * first), as aborted or as committed, and fails if any was committed. Only then does the server state mean anything.
 */
export async function serverSawAborted(
  ctx: EndpointContext,
  since: number,
  operation: OperationName,
  count: number,
): Promise<void> {
  const concluded = await waitForEvents(
    ctx,
    since,
    (e) => e.operation === operation && CONCLUSIONS.includes(e.type),
    count,
    `${operation} bodies the server concluded`,
    10_000,
  );
  const committed = concluded.filter((e) => e.type !== 'body.aborted');
  if (committed.length > 0) {
    throw new Error(
      `${committed.length} interrupted ${operation} bod${committed.length === 1 ? 'y was' : 'ies were'} committed`,
    );
  }
}

const CONCLUSIONS = ['body.aborted', 'object.committed', 'part.stored'];

// --- slowing and cutting transfers at a known point ---

export interface SlowTransfers {
  /** headers for the slowed requests (x-oss-traffic-limit when the target has no control API) */
  headers: Record<string, string> | undefined;
  /** progress callback for request `index` (client-side fallback), undefined with the control API */
  onProgress(index: number): ((bytes: number) => void) | undefined;
  /** resolves once `count` matching requests have each moved at least `minBytes` */
  reached(): Promise<void>;
  /** lifts the throttle so later requests run at full speed */
  release(): Promise<void>;
}

export interface SlowOptions {
  operation: OperationName;
  count: number;
  minBytes: number;
  /** bytes/s */
  rate: number;
  /** narrows the throttle to keys starting with ctx.prefix + keyPrefix */
  keyPrefix?: string;
  timeoutMs?: number;
}

export interface Throttle {
  /** headers for the slowed requests (x-oss-traffic-limit when the target has no control API) */
  headers: Record<string, string> | undefined;
  /** the mock rule's match (undefined without control API) */
  match: RuleMatch | undefined;
  /** lifts the throttle so later requests run at full speed */
  release(): Promise<void>;
}

/**
 * Slows one operation in this scenario's space: on the mock with an ingest-rate rule, elsewhere with OSS's own
 * `x-oss-traffic-limit` header (bit/s, at least 819200 = 100 KiB/s) that the caller adds to its requests.
 */
export async function throttle(
  ctx: EndpointContext,
  o: { operation: OperationName; rate: number; keyPrefix?: string },
): Promise<Throttle> {
  if (!ctx.control) {
    const limit = Math.min(TRAFFIC_LIMIT_MAX, Math.max(TRAFFIC_LIMIT_MIN, o.rate * 8));
    return { headers: { 'x-oss-traffic-limit': String(limit) }, match: undefined, release: async () => {} };
  }
  const match: RuleMatch = { bucket: ctx.bucket, keyPrefix: ctx.prefix + (o.keyPrefix ?? ''), operation: o.operation };
  const release = await addRule(ctx, { match, ingestRate: o.rate });
  return { headers: undefined, match, release };
}

/**
 * Slows uploads and tells when each has sent `minBytes`: on the mock the control API's wait answers exactly;
 * elsewhere the driver's progress callbacks answer, which needs capability 'progress'.
 */
export async function slowUploads(ctx: ClientContext, o: SlowOptions): Promise<SlowTransfers> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  if (!ctx.control && !ctx.capabilities.has('progress')) {
    ctx.skip("needs the mock control API, or a driver with capability 'progress' to act on client-side progress");
  }
  const t = await throttle(ctx, o);
  const { control } = ctx;
  if (control && t.match) {
    const match = t.match;
    return {
      headers: undefined,
      onProgress: () => undefined,
      reached: async () => {
        await control.wait({ match, minBytes: o.minBytes, count: o.count, timeoutMs });
      },
      release: t.release,
    };
  }
  const sent = new Array<number>(o.count).fill(0);
  let wake: (() => void) | undefined;
  const done = (): boolean => sent.every((b) => b >= o.minBytes);
  return {
    headers: t.headers,
    onProgress: (i) => (b) => {
      sent[i] = Math.max(sent[i] ?? 0, b);
      if (done()) wake?.();
    },
    reached: () =>
      new Promise<void>((resolve, reject) => {
        if (done()) return resolve();
        const timer = setTimeout(
          () =>
            reject(new Error(`uploads did not reach ${o.minBytes} bytes within ${timeoutMs} ms: ${sent.join(', ')}`)),
          timeoutMs,
        );
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
    release: t.release,
  };
}

/** A one-shot mock rule (removed after the scenario). */
export async function addRule(ctx: EndpointContext, rule: RuleInput): Promise<() => Promise<void>> {
  if (!ctx.control) ctx.skip('needs the mock control API');
  const control = ctx.control;
  const { id } = await control.addRule(rule);
  let removed = false;
  const remove = async (): Promise<void> => {
    if (!removed) await control.deleteRule(id);
    removed = true;
  };
  ctx.defer(remove);
  return remove;
}

export interface InterruptedUpload {
  operation: 'PutObject' | 'UploadPart' | 'AppendObject';
  partNumber?: number;
  /** starts the upload through `client` with the headers/progress the interruption needs */
  start(
    extra: { headers?: Record<string, string>; onProgress?: (bytes: number) => void },
    client: DriverClient,
  ): Promise<unknown>;
  /** bytes the server must have received before the cut */
  minBytes: number;
}

/**
 * Interrupts one upload mid-body the way this driver and target allow: with 'disable', throttle it, wait for
 * `minBytes`, DisableRequest (outcome 200042/100002), EnableRequest; otherwise, on the mock, a `reset` fault after
 * `minBytes` (any client-side failure). Returns how it was cut (kept as a note).
 */
export async function interruptUpload(
  ctx: ClientContext,
  u: InterruptedUpload,
): Promise<'disable' | 'interrupt' | 'fault'> {
  if (ctx.capabilities.has('disable') || ctx.capabilities.has('interrupt')) {
    const style = stopStyle(ctx);
    const since = await cursor(ctx);
    const slow = await slowUploads(ctx, { operation: u.operation, count: 1, minBytes: u.minBytes, rate: 256 * KiB });
    const call = u.start({ headers: slow.headers, onProgress: slow.onProgress(0) }, ctx.client);
    call.catch(() => undefined);
    await slow.reached();
    await stopInFlight(ctx, style);
    try {
      assertAllStopped(ctx, style, await outcomes([call]), u.operation);
    } finally {
      await resumeAfterStop(ctx, style);
      await slow.release();
    }
    if (since !== undefined) await serverSawAborted(ctx, since, u.operation, 1);
    ctx.note(
      `${u.operation} interrupted by ${style === 'disable' ? 'DisableRequest' : "the SDK's own interruption"} after >= ${u.minBytes} bytes`,
    );
    return style;
  }
  if (!ctx.control) {
    ctx.notApplicable('needs capability disable or interrupt, or the mock control API to cut the body with a fault');
  }
  const match = {
    bucket: ctx.bucket,
    keyPrefix: ctx.prefix,
    operation: u.operation,
    ...(u.partNumber === undefined ? {} : { partNumber: u.partNumber }),
  };
  // An SDK that retries a reset connection would send the body again and succeed: the cut is what is under test, so
  // the call goes through a client opened without retries (drivers that cannot turn them off ignore `retries`).
  const client = await ctx.openClient({ retries: 0 });
  const remove = await addRule(ctx, { match, fault: { type: 'reset', afterBytes: u.minBytes }, times: 1 });
  try {
    const [r] = await outcomes([u.start({}, client)]);
    if (r?.ok) {
      throw new Error(
        `${u.operation} succeeded although the connection was reset mid-body (did the SDK retry it despite retries: 0?)`,
      );
    }
  } finally {
    await remove();
  }
  ctx.note(`${u.operation} cut by a mock 'reset' fault after ${u.minBytes} bytes (the driver cannot interrupt it)`);
  return 'fault';
}
