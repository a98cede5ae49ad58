// RES: resumable upload stopped part-way and resumed. The C++ SDK (capability 'disable') stops its workers between
// parts with ClientError:100002, keeps the checkpoint, and on resume asks ListParts and finishes the same upload ID
// without a new Initiate; after an Abort between the runs ListParts says NoSuchUpload and it starts a new upload
// (docs/protocol.md#cpp-sdk). ali-oss (capability 'cancel') rejects with `cancel`, resumes from its checkpoint without
// Initiate, and after an Abort rejects with `abort` (docs/protocol.md#ali-oss).
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CLIENT_CODES, DRIVER_ERROR_CODES, type ResumableArgs } from '../drivers/driver.js';
import type { ClientContext, ClientScenario } from '../scenario.js';
import { bytes, cursor, describeError, expectDriverError, KiB, MiB, spaceEvents, throttle } from './support.js';

const SIZE = 2 * MiB;
const PART = 256 * KiB;
const PARTS = SIZE / PART;
const DONE_BEFORE_STOP = 3;

interface Run {
  args: ResumableArgs;
  file: Buffer;
  style: 'disable' | 'cancel';
}

async function prepare(ctx: ClientContext): Promise<Run> {
  const style = ctx.capabilities.has('disable') ? 'disable' : ctx.capabilities.has('cancel') ? 'cancel' : undefined;
  if (style === undefined) ctx.notApplicable('needs capability disable or cancel to stop a resumable upload');
  const dir = await ctx.tempDir();
  const file = bytes(SIZE, 71);
  const filePath = path.join(dir, 'source.bin');
  await writeFile(filePath, file);
  const checkpointDir = path.join(dir, 'checkpoints');
  await mkdir(checkpointDir);
  const key = ctx.key('res-object');
  return { style, file, args: { bucket: ctx.bucket, key, file: filePath, partSize: PART, parallel: 2, checkpointDir } };
}

/**
 * Starts the upload slowed down, waits until DONE_BEFORE_STOP parts are stored on the server, stops it the driver's
 * way and checks the documented outcome. Returns the upload ID the server holds.
 */
async function startAndStop(ctx: ClientContext, run: Run): Promise<string> {
  const { bucket, key } = run.args;
  const slow = await throttle(ctx, { operation: 'UploadPart', rate: 1 * MiB });
  const since = await cursor(ctx);
  const call = ctx.client.resumableUpload({ ...run.args, headers: slow.headers });
  call.catch(() => undefined);
  const uploadId = await waitForStoredParts(ctx, { bucket, key, n: DONE_BEFORE_STOP, call, since });
  if (run.style === 'disable') {
    await ctx.client.disableRequests();
    await expectDriverError(call, [CLIENT_CODES.disabled], 'resumable upload stopped by DisableRequest');
    await ctx.client.enableRequests();
  } else {
    await ctx.client.cancel();
    await expectDriverError(call, [DRIVER_ERROR_CODES.cancel], 'multipart upload stopped by cancel()');
  }
  await slow.release();
  ctx.check.ok((await readdir(run.args.checkpointDir)).length > 0, 'the checkpoint is kept after the stop');
  const uploads = (await ctx.raw.listUploads(bucket, key)).filter((u) => u.key === key);
  ctx.check.deepEqual(
    uploads.map((u) => u.uploadId),
    [uploadId],
    'exactly the interrupted upload is open on the server',
  );
  ctx.check.equal((await ctx.raw.headObject(bucket, key)).status, 404, 'nothing is committed yet');
  return uploadId;
}

/**
 * Polls the server (events on the mock; ListMultipartUploads + ListParts elsewhere) until the upload of `key` holds
 * `n` parts; fails early if the upload call itself ends first.
 */
async function waitForStoredParts(
  ctx: ClientContext,
  o: { bucket: string; key: string; n: number; call: Promise<unknown>; since: number | undefined },
): Promise<string> {
  const { bucket, key, n, call, since } = o;
  let ended: string | undefined;
  call.then(
    () => (ended = 'completed before it could be stopped (is the throttle applied?)'),
    (e: unknown) => (ended = `failed before it was stopped: ${describeError(e)}`),
  );
  const deadline = Date.now() + 15_000;
  while (!ctx.signal.aborted && Date.now() < deadline) {
    if (ended) throw new Error(`resumable upload ${ended}`);
    if (since !== undefined) {
      const stored = (await spaceEvents(ctx, since)).filter((e) => e.type === 'part.stored' && e.key === key);
      const byUpload = new Map<string, Set<number>>();
      for (const e of stored) {
        const set = byUpload.get(e.uploadId ?? '') ?? new Set<number>();
        set.add(e.partNumber ?? 0);
        byUpload.set(e.uploadId ?? '', set);
      }
      for (const [id, set] of byUpload) if (set.size >= n) return id;
      await delay(20);
      continue;
    }
    for (const u of (await ctx.raw.listUploads(bucket, key)).filter((x) => x.key === key)) {
      const { parts } = await ctx.raw.listParts(bucket, key, u.uploadId);
      if (parts.length >= n) return u.uploadId;
    }
    await delay(250);
  }
  throw new Error(`the server never held ${n} parts of ${key}`);
}

async function assertCompleted(
  ctx: ClientContext,
  run: Run,
  uploadId: string,
  since: number | undefined,
): Promise<void> {
  const { bucket, key } = run.args;
  const got = await ctx.raw.getObject(bucket, key);
  ctx.check.equal(got.status, 200, 'the object exists after the resumed run');
  ctx.check.ok(got.body.equals(run.file), 'the object holds exactly the file');
  ctx.check.match(got.headers.etag ?? '', new RegExp(`-${PARTS}"?$`), `a ${PARTS}-part multipart ETag`);
  ctx.check.deepEqual(await readdir(run.args.checkpointDir), [], 'the checkpoint is removed after success');
  ctx.check.deepEqual(
    (await ctx.raw.listUploads(bucket, key)).filter((u) => u.key === key),
    [],
    'no upload left open',
  );
  const { res } = await ctx.raw.listParts(bucket, key, uploadId);
  ctx.check.equal(res.status, 404, 'the completed upload ID is gone (NoSuchUpload)');
  if (since === undefined) return;
  const events = await spaceEvents(ctx, since);
  const completed = events.filter((e) => e.type === 'upload.completed' && e.key === key);
  ctx.check.deepEqual(
    completed.map((e) => e.uploadId),
    [uploadId],
    'the resumed run completed the expected upload ID',
  );
  const reuploaded = events.filter((e) => e.type === 'part.stored' && e.key === key).length;
  ctx.note(`resumed run stored ${reuploaded} of ${PARTS} parts`);
}

const res001: ClientScenario = {
  id: 'RES-001',
  subject: 'client',
  title:
    'A resumable upload stopped part-way keeps its checkpoint and resumes on the same upload ID without a new Initiate',
  verifiedAgainst:
    'docs/protocol.md#cpp-sdk (C++ src/resumable/ResumableUploader.cc), docs/protocol.md#common-headers (ali-oss checkpoint)',
  requires: { capabilities: ['resumable'] },
  timeoutMs: 40_000,
  async run(ctx) {
    const run = await prepare(ctx);
    const first = await startAndStop(ctx, run);
    const since = await cursor(ctx);
    await ctx.client.resumableUpload(run.args);
    if (since !== undefined) {
      const initiated = (await spaceEvents(ctx, since)).filter((e) => e.type === 'upload.initiated');
      ctx.check.equal(initiated.length, 0, 'the resumed run sends no InitiateMultipartUpload');
    }
    await assertCompleted(ctx, run, first, since);
  },
};

const res002: ClientScenario = {
  id: 'RES-002',
  subject: 'client',
  title:
    'After AbortMultipartUpload between the runs the resumable upload does not reuse the dead upload ID (C++: new upload; ali-oss: rejects with abort)',
  verifiedAgainst:
    'docs/protocol.md#cpp-sdk (ListParts -> NoSuchUpload -> new Initiate), docs/protocol.md#common-headers (abort event)',
  requires: { capabilities: ['resumable'] },
  timeoutMs: 40_000,
  async run(ctx) {
    const run = await prepare(ctx);
    const first = await startAndStop(ctx, run);
    const abort = await ctx.raw.abort(run.args.bucket, run.args.key, first);
    ctx.check.equal(abort.status, 204, 'AbortMultipartUpload of the stopped upload');
    const since = await cursor(ctx);
    if (run.style === 'cancel') {
      // ali-oss goes straight to the missing parts of the checkpoint's upload ID and reports the 404s as `abort`.
      await expectDriverError(ctx.client.resumableUpload(run.args), [DRIVER_ERROR_CODES.abort], 'resume after Abort');
      ctx.check.equal((await ctx.raw.headObject(run.args.bucket, run.args.key)).status, 404, 'nothing committed');
      for (const f of await readdir(run.args.checkpointDir)) {
        await rm(path.join(run.args.checkpointDir, f));
      }
      ctx.note('ali-oss rejected the resume with `abort`; a fresh run without the checkpoint was started');
    }
    await ctx.client.resumableUpload(run.args);
    const uploads =
      since === undefined ? [] : (await spaceEvents(ctx, since)).filter((e) => e.type === 'upload.initiated');
    if (since !== undefined) ctx.check.equal(uploads.length, 1, 'exactly one new InitiateMultipartUpload');
    const second = uploads[0]?.uploadId;
    if (second !== undefined) ctx.check.notEqual(second, first, 'the new upload ID differs from the aborted one');
    if (second !== undefined) await assertCompleted(ctx, run, second, since);
    else {
      const got = await ctx.raw.getObject(run.args.bucket, run.args.key);
      ctx.check.ok(got.status === 200 && got.body.equals(run.file), 'the object holds exactly the file');
      ctx.check.deepEqual(await readdir(run.args.checkpointDir), [], 'the checkpoint is removed after success');
    }
  },
};

export const RES_SCENARIOS = [res001, res002];
