// V4 header signature: `Authorization: OSS4-HMAC-SHA256 Credential=ak/day/region/oss/aliyun_v4_request,
// AdditionalHeaders=...,Signature=<hex>` (reference §4.4).
import { parseOssDate } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import { parseV4Authorization, V4_ALGORITHM } from '../../protocol/signing.js';
import { accessDenied, checkAccessKey, checkSkew, header, type Verifier } from './verifier.js';
import { checkV4Signature } from './v4-signature.js';

export const v4Header: Verifier = {
  scheme: 'v4-header',
  carrier: 'header',
  detect: (r) => header(r, 'authorization')?.startsWith(V4_ALGORITHM) === true,
  verify(r, creds, now) {
    const value = header(r, 'authorization')!;
    const auth = parseV4Authorization(value);
    if (auth === undefined) {
      throw new OssError('InvalidArgument', {
        message: 'Authorization header is invalid.',
        extra: { Authorization: value },
      });
    }
    checkAccessKey(auth.accessKeyId, creds);
    // The timestamp line is x-oss-date, or the raw Date string when absent (Go SDK v3, §4.4).
    const timestamp = header(r, 'x-oss-date') ?? header(r, 'date');
    const date = timestamp === undefined ? undefined : parseOssDate(timestamp);
    if (timestamp === undefined || date === undefined) {
      throw accessDenied('OSS authentication requires a valid x-oss-date or Date.', '0002-00000018');
    }
    checkSkew(date, timestamp, now);
    checkV4Signature(r, creds, { ...auth, timestamp });
  },
};
