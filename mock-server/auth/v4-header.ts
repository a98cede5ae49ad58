// V4 header signature: `Authorization: OSS4-HMAC-SHA256 Credential=ak/day/region/oss/aliyun_v4_request,
// AdditionalHeaders=...,Signature=<hex>` (docs/protocol.md#v4-signature).
import { dateStamp, parseOssDate } from '../../protocol/dates.js';
import { OssError, CAUSE_EC } from '../../protocol/errors.js';
import { parseV4Authorization, UNSIGNED_PAYLOAD, V4_ALGORITHM } from '../../protocol/signing.js';
import { accessDenied, checkSkew, header, type Verifier } from './verifier.js';
import { checkV4Signature } from './v4-signature.js';

/**
 * OSS V4 signs no payload hash: x-oss-content-sha256 must be UNSIGNED-PAYLOAD, and any other value, a correct
 * SHA-256 of the body included, is 400 InvalidArgument with EC 0002-00000214
 * (https://www.alibabacloud.com/help/en/oss/support/0002-00000214). Absent, the canonical request uses
 * UNSIGNED-PAYLOAD as well (the Go SDK v3 sends it, ali-oss and the C++ SDK too).
 */
function checkPayloadHash(value: string | undefined): void {
  if (value === undefined || value === UNSIGNED_PAYLOAD) return;
  throw new OssError('InvalidArgument', {
    message: `The x-oss-content-sha256 only supports ${UNSIGNED_PAYLOAD}.`,
    ec: CAUSE_EC.v4PayloadHash,
    extra: { ArgumentName: 'x-oss-content-sha256', ArgumentValue: value },
  });
}

export const v4Header: Verifier = {
  scheme: 'v4-header',
  carrier: 'header',
  detect: (r) => header(r, 'authorization')?.startsWith(V4_ALGORITHM) === true,
  verify(r, keys, now) {
    const value = header(r, 'authorization')!;
    const auth = parseV4Authorization(value);
    if (auth === undefined) {
      throw new OssError('InvalidArgument', {
        message: 'Authorization header is invalid.',
        extra: { Authorization: value },
      });
    }
    checkPayloadHash(header(r, 'x-oss-content-sha256'));
    const creds = keys(auth.accessKeyId);
    // The timestamp line is x-oss-date, or the raw Date string when absent (Go SDK v3, docs/protocol.md#v4-signature).
    const timestamp = header(r, 'x-oss-date') ?? header(r, 'date');
    const date = timestamp === undefined ? undefined : parseOssDate(timestamp);
    if (timestamp === undefined || date === undefined) {
      throw accessDenied('OSS authentication requires a valid x-oss-date or Date.', CAUSE_EC.missingDate);
    }
    checkSkew(date, timestamp, now);
    // The signing key is derived from the Credential's day, so a request signed with yesterday's key would pass the
    // signature check; the day must be the request's own (EC 0002-00000212, an invalid sign date in the
    // Authorization header: https://help.aliyun.com/zh/oss/support/0002-00000212).
    if (auth.date !== dateStamp(date)) {
      throw accessDenied(
        `The sign date ${auth.date} in the Credential of the Authorization header is not the day of the request time ${timestamp}.`,
        CAUSE_EC.v4InvalidCredential,
      );
    }
    checkV4Signature(r, creds, { ...auth, timestamp });
  },
};
