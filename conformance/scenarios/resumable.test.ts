// How RES-003 tells a torn checkpoint (an SDK defect: the kill landed while the checkpoint was rewritten in place)
// from a resume that wrongly started over.
import { describe, expect, it } from 'vitest';
import { tornCheckpoint } from './resumable.js';

const UPLOAD_ID = '0D1EA9B7FCCA251B90B65D0B19070D42';

/** The start of a Java-serialized UploadCheckPoint as aliyun-sdk-oss writes it: class descriptor, then values. */
const javaHead = Buffer.concat([
  Buffer.from([0xac, 0xed, 0x00, 0x05]),
  Buffer.from('sr\u0000;com.aliyun.oss.internal.OSSUploadOperation$UploadCheckPoint', 'latin1'),
  Buffer.from('L\u0000\bkeyt\u0000\u0012Ljava/lang/String;L\u0000\buploadIDq\u0000~\u0000\u0001xp', 'latin1'),
  Buffer.from('t\u0000\nres-object', 'latin1'),
]);
/** ... uploadID, then uploadParts: an ArrayList whose custom data ends with TC_ENDBLOCKDATA (0x78) */
const javaWhole = Buffer.concat([
  javaHead,
  Buffer.from(`t\u0000 ${UPLOAD_ID}sr\u0000\u0013java.util.ArrayListx`, 'latin1'),
  Buffer.from('\u0000\u0000\u0000\u0001w\u0004\u0000\u0000\u0000\u0001sr\u0000\u0004Partx', 'latin1'),
]);

describe('tornCheckpoint', () => {
  it('calls an empty file torn (truncated, never rewritten)', () => {
    expect(tornCheckpoint([Buffer.alloc(0)], UPLOAD_ID)).toBe('empty');
    expect(tornCheckpoint([javaWhole, Buffer.alloc(0)], UPLOAD_ID)).toBe('empty');
  });

  it('calls a checkpoint cut short before the upload ID torn (a Java checkpoint killed between its writes)', () => {
    expect(tornCheckpoint([javaHead], UPLOAD_ID)).toBe('cut');
    // past the upload ID, inside the last field
    expect(tornCheckpoint([javaWhole.subarray(0, javaWhole.length - 3)], UPLOAD_ID)).toBe('cut');
  });

  it('does not call a whole checkpoint torn, in either format', () => {
    expect(tornCheckpoint([javaWhole], UPLOAD_ID)).toBeUndefined();
    const json = Buffer.from(JSON.stringify({ upload_id: UPLOAD_ID, parts: [{ part_number: 1 }] }));
    expect(tornCheckpoint([json], UPLOAD_ID)).toBeUndefined();
  });

  it('has nothing to judge when the SDK left no checkpoint', () => {
    expect(tornCheckpoint([], UPLOAD_ID)).toBeUndefined();
  });
});
