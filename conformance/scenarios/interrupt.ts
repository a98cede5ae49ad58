// INT: DisableRequest / EnableRequest, the seed of the project (docs/protocol.md#cpp-sdk), and each SDK's own way
// of interrupting calls in flight (capability 'interrupt': a Go context cancelled, an exception raised from a progress
// callback, ...). N concurrent transfers through one client are stopped at a known point: every outcome is
// ClientError:200042 or ClientError:100002 (disable) or an error the driver marks `interrupted` (interrupt, the
// SDK's own error recorded), nothing is committed, the server logged N aborted bodies, and afterwards the client
// works again; with 'disable' calls made while disabled also reach no server.
import { setTimeout as delay } from 'node:timers/promises';
import type { ClientContext, ClientScenario } from '../scenario.js';
import {
  assertAllStopped,
  stopStyle,
  stopInFlight,
  resumeAfterStop,
  bytes,
  cursor,
  digestOf,
  expectDriverError,
  KiB,
  MiB,
  outcomes,
  INTERRUPTED_BODY,
  sameEtag,
  serverSawAborted,
  slowUploads,
  spaceEvents,
  throttle,
  waitForEvents,
  addRule,
} from './support.js';
import { CLIENT_CODES, isDriverError, type Capability } from '../drivers/driver.js';

const CPP_DISABLE =
  'docs/protocol.md#cpp-sdk; C++ src/http/CurlHttpClient.cc (progress callback), src/client/Client.cc';
const N = 4;
/** large enough that the abort really stops the body short (see INTERRUPTED_BODY) */
const BODY = INTERRUPTED_BODY;
const RATE = 256 * KiB;
const CUT_AT = 64 * KiB;

/** One kind of upload the seed is run with: how to prepare, start, and check that nothing changed. */
interface UploadKind {
  operation: 'PutObject' | 'UploadPart' | 'AppendObject';
  /** capabilities besides 'disable' */
  needs: Capability[];
  prepare(ctx: ClientContext): Promise<Prepared>;
}

interface Prepared {
  start(
    i: number,
    body: Buffer,
    extra: { headers?: Record<string, string>; onProgress?: (b: number) => void },
  ): Promise<unknown>;
  /** the server state is as before the interrupted calls */
  assertUntouched(): Promise<void>;
  /** after EnableRequest the same kind of call succeeds */
  assertWorks(): Promise<void>;
}

const keyOf = (ctx: ClientContext, i: number): string => ctx.key(`int-${i}`);

const putObject: UploadKind = {
  operation: 'PutObject',
  needs: [],
  prepare: async (ctx) => ({
    start: (i, body, extra) => ctx.client.putObject({ bucket: ctx.bucket, key: keyOf(ctx, i), body, ...extra }),
    assertUntouched: async () => {
      for (let i = 0; i < N; i++) {
        const head = await ctx.raw.headObject(ctx.bucket, keyOf(ctx, i));
        ctx.check.equal(head.status, 404, `HEAD ${keyOf(ctx, i)} after the interrupted put: expected NoSuchKey`);
      }
    },
    assertWorks: async () => {
      const body = bytes(64 * KiB, 99);
      const r = await ctx.client.putObject({ bucket: ctx.bucket, key: keyOf(ctx, 0), body });
      const head = await ctx.raw.headObject(ctx.bucket, keyOf(ctx, 0));
      ctx.check.equal(head.status, 200, 'HEAD after the put that followed EnableRequest');
      ctx.check.ok(sameEtag(head.headers.etag, (await digestOf(body)).etag), 'the stored object is the new body');
      ctx.check.ok(sameEtag(r.etag, head.headers.etag), 'the client reports the stored ETag');
    },
  }),
};

const uploadPart: UploadKind = {
  operation: 'UploadPart',
  needs: ['multipart'],
  prepare: async (ctx) => {
    const key = ctx.key('int-mpu');
    const { uploadId } = await ctx.client.initiateMultipartUpload({ bucket: ctx.bucket, key });
    ctx.defer(() => ctx.raw.abort(ctx.bucket, key, uploadId));
    return {
      start: (i, body, extra) =>
        ctx.client.uploadPart({ bucket: ctx.bucket, key, uploadId, partNumber: i + 1, body, ...extra }),
      assertUntouched: async () => {
        const { res, parts } = await ctx.raw.listParts(ctx.bucket, key, uploadId);
        ctx.check.equal(res.status, 200, 'the upload ID survives interrupted parts');
        ctx.check.deepEqual(parts, [], 'no interrupted part is listed');
      },
      assertWorks: async () => {
        const body = bytes(128 * KiB, 98);
        const r = await ctx.client.uploadPart({ bucket: ctx.bucket, key, uploadId, partNumber: 1, body });
        const { parts } = await ctx.raw.listParts(ctx.bucket, key, uploadId);
        ctx.check.deepEqual(
          parts.map((p) => [p.partNumber, p.size]),
          [[1, body.length]],
          'after EnableRequest part 1 is stored',
        );
        ctx.check.ok(sameEtag(r.etag, (await digestOf(body)).etag), 'part ETag is the MD5 of its body');
      },
    };
  },
};

const HEAD_BYTES = 16 * KiB;

const appendObject: UploadKind = {
  operation: 'AppendObject',
  needs: ['append'],
  prepare: async (ctx) => {
    const heads = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const body = bytes(HEAD_BYTES, 50 + i);
        await ctx.client.appendObject({ bucket: ctx.bucket, key: keyOf(ctx, i), position: 0, body });
        return body;
      }),
    );
    return {
      start: (i, body, extra) =>
        ctx.client.appendObject({ bucket: ctx.bucket, key: keyOf(ctx, i), position: HEAD_BYTES, body, ...extra }),
      assertUntouched: async () => {
        for (let i = 0; i < N; i++) {
          const got = await ctx.raw.getObject(ctx.bucket, keyOf(ctx, i));
          ctx.check.equal(got.status, 200);
          ctx.check.equal(got.body.length, HEAD_BYTES, `${keyOf(ctx, i)} keeps only its first append`);
          ctx.check.ok(got.body.equals(heads[i]!), `${keyOf(ctx, i)} content is unchanged`);
        }
      },
      assertWorks: async () => {
        const body = bytes(32 * KiB, 97);
        const r = await ctx.client.appendObject({ bucket: ctx.bucket, key: keyOf(ctx, 0), position: HEAD_BYTES, body });
        ctx.check.equal(r.nextPosition, HEAD_BYTES + body.length, 'next append position after EnableRequest');
        const got = await ctx.raw.getObject(ctx.bucket, keyOf(ctx, 0));
        ctx.check.ok(got.body.equals(Buffer.concat([heads[0]!, body])), 'the append landed after the first one');
      },
    };
  },
};

/** Calls made while disabled fail with 100002 and never reach the server (no request.start for their key). */
async function assertDisabledCallsRefused(ctx: ClientContext): Promise<void> {
  const key = ctx.key('int-while-disabled');
  const since = await cursor(ctx);
  await expectDriverError(
    ctx.client.putObject({ bucket: ctx.bucket, key, body: bytes(4 * KiB, 7) }),
    [CLIENT_CODES.disabled],
    'PutObject while disabled',
  );
  await expectDriverError(
    ctx.client.headObject({ bucket: ctx.bucket, key }),
    [CLIENT_CODES.disabled],
    'HeadObject while disabled',
  );
  if (since === undefined) return;
  // A request the suite sends afterwards is a marker: once the server logged it, an earlier one would be logged too.
  const marker = ctx.key('int-marker');
  await ctx.raw.headObject(ctx.bucket, marker);
  await waitForEvents(ctx, since, (e) => e.type === 'request.start' && e.key === marker, 1, 'marker request');
  const reached = (await spaceEvents(ctx, since)).filter((e) => e.type === 'request.start' && e.key === key);
  ctx.check.equal(reached.length, 0, 'calls made while disabled must not reach the server');
}

function disableMidUpload(id: string, kind: UploadKind, title: string): ClientScenario {
  return {
    id,
    subject: 'client',
    title,
    verifiedAgainst: CPP_DISABLE,
    requires: { capabilities: kind.needs, anyOf: ['disable', 'interrupt'] },
    async run(ctx) {
      const style = stopStyle(ctx);
      const prepared = await kind.prepare(ctx);
      const since = await cursor(ctx);
      const slow = await slowUploads(ctx, { operation: kind.operation, count: N, minBytes: CUT_AT, rate: RATE });
      const calls = Array.from({ length: N }, (_, i) =>
        prepared.start(i, bytes(BODY, i + 1), { headers: slow.headers, onProgress: slow.onProgress(i) }),
      );
      calls.forEach((c) => c.catch(() => undefined));
      await slow.reached();
      await stopInFlight(ctx, style);
      assertAllStopped(ctx, style, await outcomes(calls), kind.operation);
      // The server drains what the kernels buffered before it sees the end of each body: lift the throttle first.
      await slow.release();
      if (since !== undefined) await serverSawAborted(ctx, since, kind.operation, N);
      await prepared.assertUntouched();
      if (style === 'disable') await assertDisabledCallsRefused(ctx);
      await resumeAfterStop(ctx, style);
      await prepared.assertWorks();
    },
  };
}

const int004: ClientScenario = {
  id: 'INT-004',
  subject: 'client',
  title:
    "DisableRequest (or the SDK's own interruption) aborts 4 concurrent GetObject downloads; the objects stay intact and readable after enable",
  verifiedAgainst: CPP_DISABLE,
  requires: { anyOf: ['disable', 'interrupt'], control: true },
  async run(ctx) {
    const style = stopStyle(ctx);
    const bodies = Array.from({ length: N }, (_, i) => bytes(2 * MiB, 20 + i));
    for (let i = 0; i < N; i++) await ctx.raw.putObject(ctx.bucket, keyOf(ctx, i), bodies[i]!);
    const since = (await cursor(ctx)) ?? 0;
    const unthrottle = await addRule(ctx, {
      match: { bucket: ctx.bucket, keyPrefix: ctx.prefix, operation: 'GetObject' },
      egressRate: RATE,
    });
    const calls = bodies.map((_, i) => ctx.client.getObject({ bucket: ctx.bucket, key: keyOf(ctx, i) }));
    calls.forEach((c) => c.catch(() => undefined));
    await waitForEvents(
      ctx,
      since,
      (e) => e.type === 'request.start' && e.operation === 'GetObject',
      N,
      'downloads started',
    );
    await stopInFlight(ctx, style);
    assertAllStopped(ctx, style, await outcomes(calls), 'GetObject');
    if (style === 'disable') {
      await expectDriverError(
        ctx.client.getObject({ bucket: ctx.bucket, key: keyOf(ctx, 0) }),
        [CLIENT_CODES.disabled],
        'GetObject while disabled',
      );
    }
    await resumeAfterStop(ctx, style);
    await unthrottle();
    for (let i = 0; i < N; i++) {
      const got = await ctx.raw.getObject(ctx.bucket, keyOf(ctx, i));
      ctx.check.ok(got.status === 200 && got.body.equals(bodies[i]!), `${keyOf(ctx, i)} is intact`);
    }
    const small = bytes(8 * KiB, 30);
    await ctx.raw.putObject(ctx.bucket, ctx.key('int-small'), small);
    const r = await ctx.client.getObject({ bucket: ctx.bucket, key: ctx.key('int-small') });
    ctx.check.ok(r.body.equals(small), 'GetObject works after EnableRequest');
  },
};

const int005: ClientScenario = {
  id: 'INT-005',
  subject: 'client',
  title:
    "DisableRequest (or the SDK's interruption) issued once 4 uploads are seen sending: every call fails (200042/100002, or marked interrupted) and nothing is committed",
  verifiedAgainst: CPP_DISABLE,
  requires: { anyOf: ['disable', 'interrupt'] },
  async run(ctx) {
    const style = stopStyle(ctx);
    const since = await cursor(ctx);
    // throttled bodies too large to reach the server whole keep "nothing committed" true however the race goes
    const slow = await throttle(ctx, { operation: 'PutObject', rate: RATE });
    const progressed = new Array<boolean>(N).fill(false);
    const useProgress = !ctx.control && ctx.capabilities.has('progress');
    let wake: (() => void) | undefined;
    const calls = Array.from({ length: N }, (_, i) =>
      ctx.client.putObject({
        bucket: ctx.bucket,
        key: keyOf(ctx, i),
        body: bytes(INTERRUPTED_BODY, 40 + i),
        headers: slow.headers,
        onProgress: useProgress
          ? (b) => {
              if (b <= 0) return;
              progressed[i] = true;
              if (progressed.every(Boolean)) wake?.();
            }
          : undefined,
      }),
    );
    calls.forEach((c) => c.catch(() => undefined));
    // The uploads must be under way when the disable arrives: a driver in another process receives the calls after
    // writing their bodies to temp files, so a disable sent at once would reach it first and every call would only
    // be refused (100002). Wait until the server, or else the driver's progress, shows all of them in flight.
    let seenBy: string | undefined;
    if (ctx.control && slow.match) {
      await ctx.control.wait({ match: slow.match, count: N, timeoutMs: 10_000 });
      seenBy = 'the server';
    } else if (useProgress) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not all ${N} uploads reported progress in 10 s`)), 10_000);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        if (progressed.every(Boolean)) wake();
      });
      seenBy = "the driver's progress";
    }
    await stopInFlight(ctx, style);
    const results = await outcomes(calls);
    assertAllStopped(ctx, style, results, 'PutObject');
    const when =
      seenBy === undefined
        ? 'at once (no way to see the uploads in flight)'
        : `once ${seenBy} showed all ${N} uploads in flight`;
    if (style === 'disable') {
      const aborted = results.filter(
        (r) => !r.ok && isDriverError(r.error) && r.error.code === CLIENT_CODES.abortedByCallback,
      ).length;
      ctx.note(`disabled ${when}: ${aborted} aborted in flight (200042), ${N - aborted} refused (100002)`);
    } else {
      ctx.note(`interrupted ${when}`);
    }
    await slow.release();
    if (since !== undefined) await settled(ctx);
    for (let i = 0; i < N; i++) {
      ctx.check.equal(
        (await ctx.raw.headObject(ctx.bucket, keyOf(ctx, i))).status,
        404,
        `${keyOf(ctx, i)} not committed`,
      );
    }
    if (since !== undefined) {
      const committed = (await spaceEvents(ctx, since)).filter((e) => e.type === 'object.committed');
      ctx.check.equal(committed.length, 0, 'nothing may be committed');
    }
    await resumeAfterStop(ctx, style);
    await ctx.client.putObject({ bucket: ctx.bucket, key: keyOf(ctx, 0), body: bytes(4 * KiB, 1) });
    ctx.check.equal((await ctx.raw.headObject(ctx.bucket, keyOf(ctx, 0))).status, 200, 'a put after EnableRequest');
  },
};

/** Waits until the server holds no request body of this scenario in flight (it has concluded every one). */
async function settled(ctx: ClientContext): Promise<void> {
  const control = ctx.control;
  if (!control) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !ctx.signal.aborted) {
    if (!(await control.inflight()).some((e) => e.bucket === ctx.bucket)) return;
    await delay(20);
  }
  throw new Error('the server still holds request bodies 10 s after the client disabled its requests');
}

const int006: ClientScenario = {
  id: 'INT-006',
  subject: 'client',
  title:
    "DisableRequest (or the SDK's interruption) after the uploads completed: nothing to abort, the objects stay; with DisableRequest later calls get 100002",
  verifiedAgainst: `${CPP_DISABLE} ("small files may not be interrupted")`,
  requires: { anyOf: ['disable', 'interrupt'] },
  async run(ctx) {
    const style = stopStyle(ctx);
    const bodies = Array.from({ length: N }, (_, i) => bytes(64 * KiB, 60 + i));
    const results = await Promise.all(
      bodies.map((body, i) => ctx.client.putObject({ bucket: ctx.bucket, key: keyOf(ctx, i), body })),
    );
    const since = await cursor(ctx);
    await stopInFlight(ctx, style);
    for (let i = 0; i < N; i++) {
      const head = await ctx.raw.headObject(ctx.bucket, keyOf(ctx, i));
      ctx.check.equal(head.status, 200, `${keyOf(ctx, i)} stays committed`);
      ctx.check.ok(sameEtag(head.headers.etag, results[i]!.etag), `${keyOf(ctx, i)} is the uploaded version`);
    }
    if (since !== undefined) {
      const aborted = (await spaceEvents(ctx, since)).filter((e) => e.type === 'body.aborted');
      ctx.check.equal(aborted.length, 0, 'the server saw no aborted body');
    }
    if (style === 'disable') await assertDisabledCallsRefused(ctx);
    await resumeAfterStop(ctx, style);
    const got = await ctx.client.getObject({ bucket: ctx.bucket, key: keyOf(ctx, 0) });
    ctx.check.ok(got.body.equals(bodies[0]!), 'GetObject after EnableRequest');
  },
};

export const INT_SCENARIOS: ClientScenario[] = [
  disableMidUpload(
    'INT-001',
    putObject,
    "DisableRequest (or the SDK's own interruption) aborts 4 concurrent PutObject uploads mid-body; nothing committed; the server saw 4 aborted bodies",
  ),
  disableMidUpload(
    'INT-002',
    uploadPart,
    "DisableRequest (or the SDK's own interruption) aborts 4 concurrent UploadPart bodies; no part is listed; the upload ID stays usable",
  ),
  disableMidUpload(
    'INT-003',
    appendObject,
    "DisableRequest (or the SDK's own interruption) aborts 4 concurrent AppendObject bodies; every object keeps its previous length and bytes",
  ),
  int004,
  int005,
  int006,
];
