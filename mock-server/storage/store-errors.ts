// The OssErrors the store throws, with the extra elements SDKs read (docs/protocol.md#error-envelope,
// docs/protocol.md#error-catalogue).

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

/** docs/protocol.md#multipart, docs/protocol.md#multipart: the message real OSS sends, with ArgumentName/ArgumentValue
 * (the value as the client wrote it). */
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

/** PutObject over 5 GB is InvalidArgument on the API page (docs/protocol.md#error-catalogue EntityTooLarge row);
 * appends use the same limit. */
export function tooLarge(size: number, limit: number): OssError {
  return new OssError('InvalidArgument', {
    message: `Your proposed upload exceeds the maximum allowed size: ${size} > ${limit} bytes.`,
  });
}
