// V1 header signature: `Authorization: OSS <ak>:<base64 HMAC-SHA1>` (docs/protocol.md#v1-signature).
import { parseOssDate } from '../../protocol/dates.js';
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { signV1, stringToSignV1Bytes, v1DateLine } from '../../protocol/signing.js';
import { accessDenied, checkSkew, header, sameSignature, signatureMismatch, type Verifier } from './verifier.js';

const PREFIX = 'OSS ';

export const v1Header: Verifier = {
  scheme: 'v1-header',
  carrier: 'header',
  detect: (r) => header(r, 'authorization')?.startsWith(PREFIX) === true,
  verify(r, keys, now) {
    const value = header(r, 'authorization')!.slice(PREFIX.length).trim();
    const colon = value.indexOf(':');
    if (colon <= 0 || colon === value.length - 1) {
      throw new OssError('InvalidArgument', {
        message: 'Authorization header is invalid.',
        extra: { Authorization: value },
      });
    }
    const accessKeyId = value.slice(0, colon);
    const provided = value.slice(colon + 1);
    const creds = keys(accessKeyId);
    // The date line is x-oss-date when present (ali-oss sends no Date), else Date (docs/protocol.md#v1-signature).
    const dateLine = v1DateLine(r.headers);
    const date = dateLine === '' ? undefined : parseOssDate(dateLine);
    if (date === undefined) throw accessDenied('OSS authentication requires a valid Date.', CAUSE_EC.missingDate);
    checkSkew(date, dateLine, now);
    const stringToSign = stringToSignV1Bytes(r, dateLine);
    if (!sameSignature(provided, signV1(creds.accessKeySecret, stringToSign))) {
      throw signatureMismatch({ accessKeyId, provided, stringToSign });
    }
  },
};
