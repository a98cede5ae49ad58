import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointPath, readCheckpoint, recordMd5Sum, writeCheckpoint, type UploadRecord } from './checkpoint.js';

const record: UploadRecord = {
  opType: 'ResumableUpload',
  uploadID: 'U1',
  filePath: '/data/file.bin',
  bucket: 'bkt',
  key: 'dir/file.bin',
  mtime: 'Sat, 05 Dec 2015 11:10:29 GMT',
  size: 1_000_000,
  partSize: 102_400,
};

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('checkpoint file', () => {
  it('is named <MD5HEX(srcPath)>--<MD5HEX("oss://bucket/key")>', () => {
    // md5('/data/file.bin') and md5('oss://bkt/dir/file.bin'), uppercase hex
    expect(checkpointPath('/cp', record)).toBe(
      '/cp/4D67CD7653B5B4006653A9419B1F1760--E09B3A424AE871FFBC7E1A28124C2025',
    );
  });

  it('hashes the alphabetically ordered fields for md5Sum', () => {
    const json =
      '{"bucket":"bkt","filePath":"/data/file.bin","key":"dir/file.bin","mtime":"Sat, 05 Dec 2015 11:10:29 GMT",' +
      '"opType":"ResumableUpload","partSize":102400,"size":1000000,"uploadID":"U1"}';
    expect(recordMd5Sum(record)).toBe(createHash('md5').update(json).digest('hex').toUpperCase());
  });

  it('round-trips, and a tampered or truncated file reads as no checkpoint', async () => {
    dir = await mkdtemp(join(tmpdir(), 'oss-cp-'));
    const path = checkpointPath(dir, record);
    await writeCheckpoint(path, dir, record);
    expect(await readCheckpoint(path)).toEqual({ ...record, md5Sum: recordMd5Sum(record) });
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"U1"', '"U2"'));
    expect(await readCheckpoint(path)).toBeUndefined();
    await writeFile(path, text.slice(0, 20));
    expect(await readCheckpoint(path)).toBeUndefined();
    expect(await readCheckpoint(join(dir, 'absent'))).toBeUndefined();
  });
});
