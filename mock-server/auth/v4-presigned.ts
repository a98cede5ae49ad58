// V4 presigned URL: `?x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-credential=&x-oss-date=&x-oss-expires=
// &x-oss-signature=` (docs/protocol.md#v4-presign). x-oss-expires is relative (1..604800 s,
// docs/protocol.md#v4-presign).
import { dateStamp, parseOssDate } from '../../protocol/dates.js';
import { OssError, CAUSE_EC } from '../../protocol/errors.js';
import { V4_ALGORITHM } from '../../protocol/signing.js';
import { accessDenied, MAX_SKEW_MS, queryParam, type Verifier } from './verifier.js';
import { checkV4Signature } from './v4-signature.js';

const MAX_EXPIRES_S = 604_800;

export const v4Presigned: Verifier = {
  scheme: 'v4-presigned',
  carrier: 'query',
  detect: (r) => r.query.some(([n]) => n === 'x-oss-signature-version' || n === 'x-oss-signature'),
  verify(r, keys, now) {
    const version = queryParam(r, 'x-oss-signature-version');
    if (version !== V4_ALGORITHM) {
      throw new OssError('InvalidArgument', {
        message: `Unsupported x-oss-signature-version; oss-mock verifies ${V4_ALGORITHM}.`,
        extra: { ArgumentName: 'x-oss-signature-version', ArgumentValue: version ?? '' },
      });
    }
    const credential = (queryParam(r, 'x-oss-credential') ?? '').split('/');
    const timestamp = queryParam(r, 'x-oss-date') ?? '';
    const expires = queryParam(r, 'x-oss-expires') ?? '';
    const signature = queryParam(r, 'x-oss-signature') ?? '';
    const [accessKeyId = '', day = '', region = '', product = '', terminator = ''] = credential;
    if (credential.length !== 5 || terminator !== 'aliyun_v4_request' || !accessKeyId || !/^\d{8}$/.test(day)) {
      throw accessDenied('x-oss-credential is missing or malformed.', CAUSE_EC.v4InvalidCredential);
    }
    if (!/^\d+$/.test(expires))
      throw accessDenied('x-oss-expires is missing or invalid.', CAUSE_EC.v4PresignInvalidExpires);
    if (Number(expires) < 1 || Number(expires) > MAX_EXPIRES_S) {
      throw accessDenied(
        `x-oss-expires must be between 1 and ${MAX_EXPIRES_S} seconds.`,
        CAUSE_EC.v4PresignExpiresRange,
      );
    }
    const date = /^\d{8}T\d{6}Z$/.test(timestamp) ? parseOssDate(timestamp) : undefined;
    if (date === undefined) throw accessDenied('x-oss-date is missing or invalid.', CAUSE_EC.missingDate);
    if (date.getTime() - now.getTime() > MAX_SKEW_MS) {
      throw accessDenied('x-oss-date is too far in the future.', CAUSE_EC.v4PresignDateInFuture);
    }
    if (now.getTime() > date.getTime() + Number(expires) * 1000) {
      throw accessDenied('Request has expired.', CAUSE_EC.presignExpired);
    }
    // the signing key comes from the credential's day, which must be the day of x-oss-date (EC 0002-00000223, an
    // invalid sign date in x-oss-credential: https://www.alibabacloud.com/help/en/oss/support/0002-00000223)
    if (day !== dateStamp(date)) {
      throw accessDenied(
        `The sign date ${day} in x-oss-credential is not the day of x-oss-date ${timestamp}.`,
        CAUSE_EC.v4PresignCredentialDay,
      );
    }
    const creds = keys(accessKeyId);
    const additional = (queryParam(r, 'x-oss-additional-headers') ?? '').split(';').filter((h) => h !== '');
    checkV4Signature(r, creds, {
      accessKeyId,
      date: day,
      region,
      product,
      additionalHeaders: additional,
      signature,
      timestamp,
    });
  },
};
