// The resumable-upload checkpoint file of the C++ SDK [src/resumable/ResumableUploader.cc; docs/protocol.md#cpp-sdk
// docs/protocol.md#addressing "Resumable upload"]: `<dir>/<MD5HEX(srcPath)>--<MD5HEX("oss://bucket/key")>`, JSON with
// opType, uploadID, filePath, bucket, key, mtime, size, partSize and md5Sum.
//
// md5Sum: the SDK hashes jsoncpp's styled dump of the other fields, which is not reproducible byte for byte outside
// jsoncpp. Here it is the uppercase hex MD5 of `JSON.stringify` of the other eight fields with the keys in
// alphabetical order (jsoncpp's object order) and no whitespace:
//   {"bucket":…,"filePath":…,"key":…,"mtime":…,"opType":"ResumableUpload","partSize":…,"size":…,"uploadID":…}
// `mtime` is the file's modification time as an RFC 1123 date (second resolution, as the SDK's ToGmtTime).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface UploadRecord {
  opType: 'ResumableUpload';
  uploadID: string;
  filePath: string;
  bucket: string;
  key: string;
  mtime: string;
  size: number;
  partSize: number;
}

export interface Checkpoint extends UploadRecord {
  md5Sum: string;
}

function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

export function checkpointPath(dir: string, o: { filePath: string; bucket: string; key: string }): string {
  return join(dir, `${md5Hex(o.filePath)}--${md5Hex(`oss://${o.bucket}/${o.key}`)}`);
}

export function recordMd5Sum(r: UploadRecord): string {
  const ordered = {
    bucket: r.bucket,
    filePath: r.filePath,
    key: r.key,
    mtime: r.mtime,
    opType: r.opType,
    partSize: r.partSize,
    size: r.size,
    uploadID: r.uploadID,
  };
  return md5Hex(JSON.stringify(ordered));
}

/** Written atomically (temporary file + rename), so a crash never leaves half a checkpoint. */
export async function writeCheckpoint(path: string, dir: string, record: UploadRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  const checkpoint: Checkpoint = { ...record, md5Sum: recordMd5Sum(record) };
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(checkpoint, null, 2));
  await rename(temporary, path);
}

/** The checkpoint at `path` when it exists, parses and its md5Sum matches; otherwise undefined. */
export async function readCheckpoint(path: string): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isCheckpoint(value)) return undefined;
  return recordMd5Sum(value) === value.md5Sum ? value : undefined;
}

export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}

function isCheckpoint(v: unknown): v is Checkpoint {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  const strings = ['uploadID', 'filePath', 'bucket', 'key', 'mtime', 'md5Sum'].every((k) => typeof c[k] === 'string');
  const numbers = ['size', 'partSize'].every((k) => Number.isSafeInteger(c[k]) && (c[k] as number) > 0);
  return c.opType === 'ResumableUpload' && strings && numbers;
}
