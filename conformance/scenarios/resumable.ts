// RES: resumable upload stopped part-way and resumed, through each SDK's own checkpointing uploader. The C++ SDK
// (capability 'disable') stops its workers between parts with ClientError:100002, keeps the checkpoint, and on
// resume asks ListParts and finishes the same upload ID without a new Initiate; after an Abort between the runs
// ListParts says NoSuchUpload and it starts a new upload (docs/protocol.md#cpp-sdk). ali-oss (capability
// 'cancel') rejects with `cancel`, resumes from its checkpoint without Initiate, and after an Abort rejects with
// `abort` (docs/protocol.md#ali-oss). Drivers with 'interrupt-resumable' stop it with the SDK's own interruption. What an
// SDK does when resuming an aborted upload differs between SDKs (a new upload, or an error): RES-002 records it.
// RES-003 kills the driver process part-way (SIGKILL) and resumes from the checkpoint directory in a fresh process,
// which works for every SDK whether or not it can cancel in-process.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CLIENT_CODES,
  DRIVER_ERROR_CODES,
  isDriverError,
  type DriverClient,
  type ResumableArgs,
} from '../drivers/driver.js';
import type { ClientContext, ClientScenario } from '../scenario.js';
import type { StsCredential } from '../targets/control.js';
import {
  bytes,
  cursor,
  describeError,
  expectDriverError,
  KiB,
  MiB,
  outcomes,
  spaceEvents,
  throttle,
} from './support.js';

const SIZE = 2 * MiB;
const PART = 256 * KiB;
const PARTS = SIZE / PART;
const DONE_BEFORE_STOP = 3;

type Style = 'disable' | 'cancel' | 'interrupt' | 'kill';

interface Run {
  args: ResumableArgs;
  file: Buffer;
  style: Style;
}

/** How this driver stops a running resumable upload in-process, if it can. */
function inProcessStop(ctx: ClientContext): Style | undefined {
  if (ctx.capabilities.has('disable')) return 'disable';
  if (ctx.capabilities.has('cancel')) return 'cancel';
  if (ctx.capabilities.has('interrupt-resumable')) return 'interrupt';
  return undefined;
}

const STOP_CAPABILITIES = ['disable', 'cancel', 'interrupt-resumable'] as const;

async function prepare(ctx: ClientContext, style: Style = inProcessStop(ctx) ?? 'disable'): Promise<Run> {
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
/**
 * Returns the upload ID the server holds and the client to resume with (a fresh process's after a 'kill').
 */
async function startAndStop(ctx: ClientContext, run: Run): Promise<{ uploadId: string; client: DriverClient }> {
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
  } else if (run.style === 'kill') {
    const fresh = await ctx.restartDriver!();
    const [killed] = await outcomes([call]);
    if (killed?.ok) throw new Error('the resumable upload completed although its driver process was killed');
    await slow.release();
    await noBodyInFlight(ctx);
    await assertStoppedState(ctx, run, uploadId);
    return { uploadId, client: fresh };
  } else if (run.style === 'cancel') {
    await ctx.client.cancel();
    await expectDriverError(call, [DRIVER_ERROR_CODES.cancel], 'multipart upload stopped by cancel()');
  } else {
    await ctx.client.interrupt();
    const [r] = await outcomes([call]);
    if (r?.ok) throw new Error('resumable upload completed although it was interrupted part-way');
    if (!isDriverError(r?.error) || !r.error.interrupted) {
      throw new Error(`resumable upload: expected a failure marked interrupted, got ${describeError(r?.error)}`);
    }
    ctx.observe(`interrupted resumable upload failed with ${r.error.code} (status ${r.error.status})`);
  }
  await slow.release();
  await assertStoppedState(ctx, run, uploadId);
  return { uploadId, client: ctx.client };
}

/** After a stop: the checkpoint is on disk, exactly the stopped upload is open, nothing committed. */
async function assertStoppedState(ctx: ClientContext, run: Run, uploadId: string): Promise<void> {
  const { bucket, key } = run.args;
  ctx.check.ok((await readdir(run.args.checkpointDir)).length > 0, 'the checkpoint is kept after the stop');
  const uploads = (await ctx.raw.listUploads(bucket, key)).filter((u) => u.key === key);
  ctx.check.deepEqual(
    uploads.map((u) => u.uploadId),
    [uploadId],
    'exactly the interrupted upload is open on the server',
  );
  ctx.check.equal((await ctx.raw.headObject(bucket, key)).status, 404, 'nothing is committed yet');
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
  requires: { capabilities: ['resumable'], anyOf: [...STOP_CAPABILITIES] },
  timeoutMs: 40_000,
  async run(ctx) {
    const run = await prepare(ctx);
    const { uploadId: first } = await startAndStop(ctx, run);
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
    'After AbortMultipartUpload between the runs the resumable upload does not reuse the dead upload ID: it starts a new upload or fails with a clear error (recorded per SDK)',
  verifiedAgainst:
    'docs/protocol.md#cpp-sdk (ListParts -> NoSuchUpload -> new Initiate), docs/protocol.md#common-headers (abort event)',
  requires: { capabilities: ['resumable'] },
  timeoutMs: 60_000,
  async run(ctx) {
    // an SDK that cannot stop its uploader in-process is stopped by killing its driver process (as RES-003)
    const style = inProcessStop(ctx) ?? (ctx.restartDriver ? 'kill' : undefined);
    if (style === undefined) {
      return ctx.notApplicable(
        `driver lacks capability: one of ${STOP_CAPABILITIES.join(', ')}, and runs inside the suite's process`,
      );
    }
    const run = await prepare(ctx, style);
    const { uploadId: first, client } = await startAndStop(ctx, run);
    if (style === 'kill') ctx.note('stopped by killing the driver process; resumed in a fresh one');
    const torn = style === 'kill' && (await emptyCheckpoint(run));
    const abort = await ctx.raw.abort(run.args.bucket, run.args.key, first);
    ctx.check.equal(abort.status, 204, 'AbortMultipartUpload of the stopped upload');
    let since = await cursor(ctx);
    const [resumed] = await outcomes([client.resumableUpload(run.args)]);
    if (!resumed?.ok) {
      const e = resumed?.error;
      // a clear error is the SDK reporting the dead upload; a driver or transport failure is not an answer
      if (!isDriverError(e) || UNCLEAR.includes(e.code) || e.code.startsWith('ClientError:2000')) {
        throw new Error(`resume after Abort: expected a new upload or a clear error, got ${describeError(e)}`, {
          cause: e,
        });
      }
      ctx.observe(
        `resume after Abort fails with ${e.code}${e.status ? ` (HTTP ${e.status})` : ''}; a fresh run without the checkpoint starts a new upload`,
      );
      ctx.check.equal((await ctx.raw.headObject(run.args.bucket, run.args.key)).status, 404, 'nothing committed');
      if (e.code === DRIVER_ERROR_CODES.abort) ctx.note('ali-oss rejected the resume with `abort`, as documented');
      for (const f of await readdir(run.args.checkpointDir)) {
        await rm(path.join(run.args.checkpointDir, f), { recursive: true, force: true });
      }
      since = await cursor(ctx);
      await client.resumableUpload(run.args);
    }
    const events = since === undefined ? [] : await spaceEvents(ctx, since);
    const uploads = events.filter((e) => e.type === 'upload.initiated');
    if (since !== undefined) ctx.check.equal(uploads.length, 1, 'exactly one new InitiateMultipartUpload');
    const second = uploads[0]?.uploadId;
    if (resumed?.ok) {
      // A new upload without a single request naming the aborted one means the SDK never used its checkpoint (e.g.
      // judged it invalid): the run then says nothing about what the SDK does with a dead upload ID.
      const askedDead = events.some((e) => e.type === 'request.start' && e.uploadId === first);
      ctx.observe(
        since === undefined || askedDead
          ? 'resume after Abort starts a new upload (a new Initiate)'
          : `resume after Abort starts a new upload without one request to the aborted upload: the SDK did not use its checkpoint (${torn ? 'the kill left it empty while the SDK rewrote it in place' : 'it judged it invalid'}), so this run did not exercise resuming a dead upload`,
      );
    }
    if (second !== undefined) ctx.check.notEqual(second, first, 'the new upload ID differs from the aborted one');
    if (second !== undefined) await assertCompleted(ctx, run, second, since);
    else {
      const got = await ctx.raw.getObject(run.args.bucket, run.args.key);
      ctx.check.ok(got.status === 200 && got.body.equals(run.file), 'the object holds exactly the file');
      ctx.check.deepEqual(await readdir(run.args.checkpointDir), [], 'the checkpoint is removed after success');
    }
  },
};

/** Failures that say nothing about the upload (the driver broke, or could not express the call). */
const UNCLEAR = ['DriverExited', 'DriverTimeout', 'DriverProtocolError', 'DriverInternalError', 'NotSupported'];

const res003: ClientScenario = {
  id: 'RES-003',
  subject: 'client',
  title:
    'The driver process is killed (SIGKILL) part-way through a resumable upload; a fresh process resumes from the checkpoint directory on the same upload ID without a new Initiate',
  verifiedAgainst:
    'https://www.alibabacloud.com/help/en/oss/user-guide/resumable-upload (the checkpoint file is the only state a resume needs)',
  requires: { capabilities: ['resumable'] },
  timeoutMs: 60_000,
  async run(ctx) {
    const restart = ctx.restartDriver;
    if (!restart) {
      return ctx.notApplicable(
        "the driver runs inside the suite's process and cannot be killed; run it as a process driver (process:CMD)",
      );
    }
    const run = await prepare(ctx);
    const { bucket, key } = run.args;
    const slow = await throttle(ctx, { operation: 'UploadPart', rate: 1 * MiB });
    const since = await cursor(ctx);
    const call = ctx.client.resumableUpload({ ...run.args, headers: slow.headers });
    call.catch(() => undefined);
    const uploadId = await waitForStoredParts(ctx, { bucket, key, n: DONE_BEFORE_STOP, call, since });
    const fresh = await restart();
    const [killed] = await outcomes([call]);
    if (killed?.ok) throw new Error('the resumable upload completed although its driver process was killed');
    await slow.release();
    if (since !== undefined) await noBodyInFlight(ctx);
    await assertStoppedState(ctx, run, uploadId);
    await noteCheckpoint(ctx, run);
    const resumedSince = await cursor(ctx);
    const leftBehind = await checkpointContents(run);
    if (tornCheckpoint(leftBehind, uploadId) === 'empty') {
      // The kill landed while the SDK rewrote its checkpoint in place (truncate, then write): the fresh process finds
      // an empty file and cannot resume. A checkpoint exists to survive exactly this, so it is a failure of the SDK
      // (a known defect where the registry documents it), reported with what the fresh run then did.
      await fresh.resumableUpload(run.args);
      throw await tornCheckpointError(ctx, run, uploadId, 'left it empty');
    }
    await fresh.resumableUpload(run.args);
    if (resumedSince !== undefined) {
      const initiated = (await spaceEvents(ctx, resumedSince)).filter((e) => e.type === 'upload.initiated');
      if (initiated.length > 0 && tornCheckpoint(leftBehind, uploadId) === 'cut') {
        throw await tornCheckpointError(ctx, run, uploadId, 'cut it short');
      }
      ctx.check.equal(initiated.length, 0, 'the resumed run in the fresh process sends no InitiateMultipartUpload');
    }
    await assertCompleted(ctx, run, uploadId, resumedSince);
  },
};

/** What the SDK left in the checkpoint directory (kept in the result: the first thing to read when a resume fails). */
async function noteCheckpoint(ctx: ClientContext, run: Run): Promise<void> {
  for (const f of await readdir(run.args.checkpointDir)) {
    const bytes = await readFile(path.join(run.args.checkpointDir, f)).catch(() => undefined);
    const text =
      bytes === undefined
        ? '(unreadable)'
        : `(${bytes.length} bytes, ending ${bytes.subarray(-4).toString('hex')}) ${bytes.toString('utf8').slice(0, 600)}`;
    ctx.note(`checkpoint ${f} ${text}`);
  }
}

/** The first bytes of a Java object serialization stream (Java Object Serialization Specification, 6.4.2). */
const JAVA_STREAM_MAGIC = Buffer.from([0xac, 0xed, 0x00, 0x05]);
/** TC_ENDBLOCKDATA: closes a class's custom data, such as ArrayList.writeObject's elements. */
const TC_ENDBLOCKDATA = 0x78;

/**
 * Whether the checkpoint files a killed process left are torn: one was being rewritten in place (truncate, then
 * write) and is 'empty', or every one was 'cut' short. A checkpoint without the upload ID is cut (every SDK driven
 * here keeps it as plain text: JSON, or Java's modified UTF-8 for an ASCII ID). So is a Java-serialized one that does
 * not end where a whole one does: aliyun-sdk-oss's UploadCheckPoint goes through an ObjectOutputStream in several
 * writes, and its last field (uploadParts, an ArrayList) ends with TC_ENDBLOCKDATA. 'cut' is judged only after the
 * fresh run started a new upload, so a format this does not know cannot turn a good resume into a failure.
 */
export function tornCheckpoint(files: readonly Buffer[], uploadId: string): 'empty' | 'cut' | undefined {
  if (files.some((b) => b.length === 0)) return 'empty';
  const cut = (b: Buffer): boolean =>
    !b.includes(uploadId) ||
    (b.subarray(0, JAVA_STREAM_MAGIC.length).equals(JAVA_STREAM_MAGIC) && b[b.length - 1] !== TC_ENDBLOCKDATA);
  return files.length > 0 && files.every(cut) ? 'cut' : undefined;
}

/** The checkpoint files the killed process left, as bytes. */
async function checkpointContents(run: Run): Promise<Buffer[]> {
  const files: Buffer[] = [];
  for (const f of await readdir(run.args.checkpointDir)) {
    const file = path.join(run.args.checkpointDir, f);
    if ((await stat(file).catch(() => undefined))?.isFile()) files.push(await readFile(file));
  }
  return files;
}

/** The failure of a fresh run that started over because the killed process tore its checkpoint. */
async function tornCheckpointError(ctx: ClientContext, run: Run, uploadId: string, how: string): Promise<Error> {
  const { bucket, key } = run.args;
  const got = await ctx.raw.getObject(bucket, key);
  ctx.check.ok(got.status === 200 && got.body.equals(run.file), 'the object holds exactly the file');
  const left = (await ctx.raw.listUploads(bucket, key)).filter((u) => u.key === key).length;
  return new Error(
    `torn checkpoint: the SIGKILL landed while the SDK rewrote its checkpoint in place and ${how}, so the fresh process could not resume upload ${uploadId} and started over${left > 0 ? ', leaving the old upload open' : ''}`,
  );
}

/** A checkpoint file the killed process left empty (it was being rewritten in place). */
async function emptyCheckpoint(run: Run): Promise<boolean> {
  return tornCheckpoint(await checkpointContents(run), '') === 'empty';
}

/** The killed process's part bodies are concluded by the server before the state is judged. */
async function noBodyInFlight(ctx: ClientContext): Promise<void> {
  const control = ctx.control;
  if (!control) return;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !ctx.signal.aborted) {
    if (!(await control.inflight()).some((e) => e.bucket === ctx.bucket)) return;
    await delay(20);
  }
  throw new Error('the server still receives part bodies 10 s after the driver process was killed');
}

/**
 * The credential's lifetime and how far the server's clock moves between the runs: past the expiry, yet well inside
 * the 15 minutes of clock skew OSS tolerates (RequestTimeTooSkewed, docs/protocol.md#error-catalogue), so the only
 * thing wrong with the resumed run's requests is the expired token.
 */
const STS_LIFETIME_S = 300;
const CLOCK_STEP_MS = (STS_LIFETIME_S + 60) * 1000;

const res004: ClientScenario = {
  id: 'RES-004',
  subject: 'client',
  title:
    'A resumable upload signed with STS credentials that expire between the runs: the resume fails with SecurityTokenExpired (403) and keeps the checkpoint and the upload; with fresh credentials it completes the same upload, byte-exact',
  verifiedAgainst:
    'docs/protocol.md#sts (https://www.alibabacloud.com/help/en/oss/support/0002-00000007); https://www.alibabacloud.com/help/en/oss/user-guide/resumable-upload',
  requires: { capabilities: ['resumable'], control: true },
  timeoutMs: 60_000,
  async run(ctx) {
    const control = ctx.control;
    if (!control) return ctx.skip('needs the mock control API to mint STS credentials and move the server clock');
    // an SDK that cannot stop its uploader in-process is stopped by killing its driver process (as RES-002)
    const style = inProcessStop(ctx) ?? (ctx.restartDriver ? 'kill' : undefined);
    if (style === undefined) {
      return ctx.notApplicable(
        `driver lacks capability: one of ${STOP_CAPABILITIES.join(', ')}, and runs inside the suite's process`,
      );
    }
    // V4 where the SDK signs it: the scenario is about expiry, not about how an SDK carries the token in a V1
    // header signature (alibabacloud-oss-v2's signer/v1.py sends it as `security-token`, not x-oss-security-token)
    const signatureVersion = ctx.capabilities.has('signature-v4') ? 'v4' : 'v1';
    const withSts = async (c: StsCredential): Promise<DriverClient> =>
      ctx.openClient({
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken,
        signatureVersion,
      });
    const first = await control.mintSts({ durationSeconds: STS_LIFETIME_S });
    const stsClient = await withSts(first);
    const run = await prepare(ctx, style);
    const { uploadId } = await startAndStop({ ...ctx, client: stsClient }, run);
    if (style === 'kill') ctx.note('stopped by killing the driver process; resumed in a fresh one');

    // time passes on the server: the credential expires between the runs
    let moved = true;
    const restoreClock = async (): Promise<void> => {
      if (moved) await control.setClockOffset(0);
      moved = false;
    };
    ctx.defer(restoreClock);
    await control.setClockOffset(CLOCK_STEP_MS);
    if (style === 'kill' && (await emptyCheckpoint(run))) {
      // as in RES-003: the SIGKILL landed while the SDK rewrote its checkpoint in place, so no run can resume
      throw new Error(
        `torn checkpoint: the SIGKILL landed while the SDK rewrote its checkpoint in place and left it empty, so upload ${uploadId} cannot be resumed`,
      );
    }
    const expiredClient = style === 'kill' ? await withSts(first) : stsClient;
    const e = await expectDriverError(
      expiredClient.resumableUpload(run.args),
      ['SecurityTokenExpired'],
      'resume with the expired STS credential',
      403,
    );
    ctx.observe(
      `resume with the expired credential fails with ${e.code} (HTTP ${e.status})${e.sdkError ? `: ${e.sdkError.slice(0, 200)}` : ''}`,
    );
    await assertStoppedState(ctx, run, uploadId);

    const fresh = await control.mintSts({ durationSeconds: 3600 });
    const since = await cursor(ctx);
    await (await withSts(fresh)).resumableUpload(run.args);
    if (since !== undefined) {
      const initiated = (await spaceEvents(ctx, since)).filter((ev) => ev.type === 'upload.initiated');
      ctx.check.equal(initiated.length, 0, 'the resume with fresh credentials sends no InitiateMultipartUpload');
    }
    await assertCompleted(ctx, run, uploadId, since);
    await restoreClock();
  },
};

export const RES_SCENARIOS = [res001, res002, res003, res004];
