// Resumable multipart upload of a file, as the C++ SDK's ResumableUploader [src/resumable/ResumableUploader.cc;
// docs/protocol.md#cpp-sdk]:
// - a file no larger than one part goes through a plain PutObject (no checkpoint);
// - a fresh upload sends Initiate, then writes the checkpoint (checkpoint.ts);
// - a resume validates the checkpoint (md5Sum, file size and mtime), probes the upload ID with
//   ListParts(max-parts=1) — only NoSuchUpload marks it dead (then a new Initiate); any other answer counts as
//   alive — lists every part following NextPartNumberMarker, and skips the parts already there;
// - `parallel` workers upload the remaining parts; each checks the disable flag before its next part, so a
//   disabled client stops between parts (in-flight parts fail with 200042) and the call rejects with
//   ClientError:100002, keeping the checkpoint;
// - Complete on the same upload ID, verifying the combined part CRCs against the response (100001), then the
//   checkpoint is deleted.
//
// Which listed parts count as done: a part whose Size equals the part size, and the last part when its Size equals
// the expected last-part size (object size minus the full parts before it). Sizes are the only thing ListParts
// states about a part's bytes, and both rules reject a part of the wrong length; the last-part rule avoids
// re-sending the tail of an upload that stopped just before Complete.
import { stat } from 'node:fs/promises';
import { httpDate } from '../protocol/dates.js';
import { fileBody } from './request-body.js';
import { checkpointPath, readCheckpoint, removeCheckpoint, writeCheckpoint, type UploadRecord } from './checkpoint.js';
import type {
  CompleteMultipartUploadOptions,
  CompletePart,
  ListPartsOptions,
  PutObjectOptions,
  UploadPartOptions,
  WriteOptions,
} from './call-options.js';
import { isOssClientError, requestsDisabledError, validateError, type OssClientError } from './errors.js';
import type {
  CompleteMultipartUploadResult,
  InitiateMultipartUploadResult,
  ListPartsResult,
  PartSummary,
  PutObjectResult,
  UploadPartResult,
} from './results.js';

export interface ResumableUploadOptions {
  bucket: string;
  key: string;
  /** the local file to upload */
  file: string;
  /** bytes per part, at least 100 KiB (default 8 MiB); doubled until the file fits in 10000 parts */
  partSize?: number;
  /** concurrent part uploads (default 3) */
  parallel?: number;
  /** where the checkpoint lives; without it an interrupted upload cannot be resumed */
  checkpointDir?: string;
  headers?: Record<string, string>;
  contentType?: string;
  meta?: Record<string, string>;
  /**
   * x-oss-traffic-limit in bit/s for every UploadPart (and the single PutObject of a small file), as the C++ SDK's
   * UploadObjectRequest::setTrafficLimit; the server checks the range 819200..838860800.
   */
  trafficLimit?: number;
}

/** The calls of OssClient a resumable upload makes (OssClient passes itself). */
export interface ResumableClient {
  readonly requestsEnabled: boolean;
  putObject(o: PutObjectOptions): Promise<PutObjectResult>;
  initiateMultipartUpload(o: WriteOptions): Promise<InitiateMultipartUploadResult>;
  uploadPart(o: UploadPartOptions): Promise<UploadPartResult>;
  listParts(o: ListPartsOptions): Promise<ListPartsResult>;
  listAllParts(o: ListPartsOptions): Promise<PartSummary[]>;
  completeMultipartUpload(o: CompleteMultipartUploadOptions): Promise<CompleteMultipartUploadResult>;
}

const MIN_PART_SIZE = 100 * 1024;
const MAX_PART_SIZE = 5 * 1024 ** 3;
const MAX_PARTS = 10_000;

interface PartPlan {
  partNumber: number;
  start: number;
  size: number;
}

export async function resumableUpload(client: ResumableClient, o: ResumableUploadOptions): Promise<PutObjectResult> {
  const requestedPartSize = o.partSize ?? 8 * 1024 * 1024;
  const parallel = o.parallel ?? 3;
  if (
    !Number.isSafeInteger(requestedPartSize) ||
    requestedPartSize < MIN_PART_SIZE ||
    requestedPartSize > MAX_PART_SIZE
  ) {
    throw validateError(`The part size must be ${MIN_PART_SIZE} to ${MAX_PART_SIZE} bytes.`);
  }
  if (!Number.isSafeInteger(parallel) || parallel < 1) throw validateError('parallel must be a positive integer.');
  const info = await stat(o.file).catch((err: Error) => {
    throw validateError(`Cannot read ${o.file}: ${err.message}`);
  });
  if (!info.isFile()) throw validateError(`${o.file} is not a file.`);
  const size = info.size;
  const write = { bucket: o.bucket, key: o.key, headers: o.headers, contentType: o.contentType, meta: o.meta };

  if (size <= requestedPartSize) {
    return client.putObject({ ...write, headers: { ...o.headers, ...trafficLimitHeader(o) }, file: o.file });
  }

  const mtime = httpDate(info.mtime);
  const path = o.checkpointDir === undefined ? undefined : checkpointPath(o.checkpointDir, { filePath: o.file, ...o });
  const resumed = path === undefined ? undefined : await resumableRecord(client, path, { o, size, mtime });

  let record: UploadRecord;
  let listed: PartSummary[] = [];
  if (resumed) {
    ({ record, listed } = resumed);
  } else {
    const partSize = fitPartSize(requestedPartSize, size);
    const { uploadId } = await client.initiateMultipartUpload(write);
    record = {
      opType: 'ResumableUpload',
      uploadID: uploadId,
      filePath: o.file,
      bucket: o.bucket,
      key: o.key,
      mtime,
      size,
      partSize,
    };
    if (path !== undefined) await writeCheckpoint(path, o.checkpointDir!, record);
  }

  const plan = partPlan(size, record.partSize);
  const done = new Map<number, CompletePart>();
  for (const part of listed) {
    const expected = plan[part.partNumber - 1];
    if (expected !== undefined && part.size === expected.size) done.set(part.partNumber, { ...part });
  }
  const todo = plan.filter((p) => !done.has(p.partNumber));
  const failures = await uploadParts(client, o, record.uploadID, todo, parallel, done);

  if (!client.requestsEnabled) throw requestsDisabledError();
  if (failures.length > 0) throw failures[0];

  const completed = await client.completeMultipartUpload({
    bucket: o.bucket,
    key: o.key,
    uploadId: record.uploadID,
    parts: plan.map((p) => done.get(p.partNumber)!),
  });
  if (path !== undefined) await removeCheckpoint(path);
  return completed;
}

/**
 * The upload to resume, or undefined to start afresh (no checkpoint, a stale one — removed — or a dead upload ID).
 */
async function resumableRecord(
  client: ResumableClient,
  path: string,
  c: { o: ResumableUploadOptions; size: number; mtime: string },
): Promise<{ record: UploadRecord; listed: PartSummary[] } | undefined> {
  const record = await readCheckpoint(path);
  const matches =
    record !== undefined &&
    record.size === c.size &&
    record.mtime === c.mtime &&
    record.filePath === c.o.file &&
    record.bucket === c.o.bucket &&
    record.key === c.o.key &&
    record.partSize >= MIN_PART_SIZE &&
    Math.ceil(c.size / record.partSize) <= MAX_PARTS;
  if (!matches) {
    await removeCheckpoint(path);
    return undefined;
  }
  const upload = { bucket: record.bucket, key: record.key, uploadId: record.uploadID };
  try {
    await client.listParts({ ...upload, maxParts: 1 });
  } catch (err) {
    if (isOssClientError(err) && err.code === 'NoSuchUpload') {
      await removeCheckpoint(path);
      return undefined;
    }
    // Any other failure leaves the upload ID standing; the full listing below reports it if it persists.
  }
  return { record, listed: await client.listAllParts(upload) };
}

/** ResumableBaseWorker::determinePartSize: double the part size until the file fits in 10000 parts. */
function fitPartSize(partSize: number, size: number): number {
  let fitted = partSize;
  while (Math.ceil(size / fitted) > MAX_PARTS) fitted *= 2;
  return fitted;
}

function partPlan(size: number, partSize: number): PartPlan[] {
  const count = Math.ceil(size / partSize);
  return Array.from({ length: count }, (_, i) => ({
    partNumber: i + 1,
    start: i * partSize,
    size: i === count - 1 ? size - i * partSize : partSize,
  }));
}

/** Workers take parts from one queue; each checks the disable flag before its next part. Returns the failures. */
async function uploadParts(
  client: ResumableClient,
  o: ResumableUploadOptions,
  uploadId: string,
  todo: PartPlan[],
  parallel: number,
  done: Map<number, CompletePart>,
): Promise<OssClientError[]> {
  const queue = [...todo];
  const failures: OssClientError[] = [];
  const worker = async (): Promise<void> => {
    for (let part = queue.shift(); part !== undefined; part = queue.shift()) {
      if (!client.requestsEnabled) return;
      try {
        const body = await fileBody(o.file, { start: part.start, length: part.size });
        const result = await client.uploadPart({
          bucket: o.bucket,
          key: o.key,
          uploadId,
          partNumber: part.partNumber,
          body,
          headers: trafficLimitHeader(o),
        });
        done.set(part.partNumber, {
          partNumber: part.partNumber,
          etag: result.etag,
          crc64: result.crc64,
          size: part.size,
        });
      } catch (err) {
        if (!isOssClientError(err)) throw err;
        failures.push(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, todo.length) }, worker));
  return failures;
}

function trafficLimitHeader(o: ResumableUploadOptions): Record<string, string> {
  return o.trafficLimit === undefined ? {} : { 'x-oss-traffic-limit': String(o.trafficLimit) };
}
