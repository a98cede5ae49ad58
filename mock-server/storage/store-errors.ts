// The OssErrors the store throws, with the extra elements SDKs read (reference/oss-api.md §3.1, §3.3).

import { OssError } from '../../protocol/errors.js';
import { MAX_PART_NUMBER, MIN_PART_NUMBER } from './limits.js';

export function noSuchBucket(bucket: string): OssError {
  return new OssError('NoSuchBucket', { extra: { BucketName: bucket } });
}

export function noSuchKey(key: string): OssError {
  return new OssError('NoSuchKey', { extra: { Key: key } });
}

export function noSuchUpload(ec: string): OssError {
  return new OssError('NoSuchUpload', { ec });
}

/** §5.2, [WEB-5]: the message real OSS sends, with ArgumentName/ArgumentValue (the value as the client wrote it). */
export function partNumberError(value: string): OssError {
  return new OssError('InvalidArgument', {
    message: `Part number must be an integer between ${MIN_PART_NUMBER} and ${MAX_PART_NUMBER}, inclusive.`,
    extra: { ArgumentName: 'PartNumber', ArgumentValue: value },
  });
}

export function checkPartNumber(partNumber: number): void {
  if (Number.isInteger(partNumber) && partNumber >= MIN_PART_NUMBER && partNumber <= MAX_PART_NUMBER) return;
  throw partNumberError(String(partNumber));
}

/** PutObject over 5 GB is InvalidArgument on the API page (§3.3 EntityTooLarge row); appends use the same limit. */
export function tooLarge(size: number, limit: number): OssError {
  return new OssError('InvalidArgument', {
    message: `Your proposed upload exceeds the maximum allowed size: ${size} > ${limit} bytes.`,
  });
}
