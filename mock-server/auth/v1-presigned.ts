// V1 presigned URL: `?OSSAccessKeyId=&Expires=<unix seconds>&Signature=` (docs/protocol.md#v1-presign). The expiry is
// checked before the signature, as OSS does.
import { CAUSE_EC } from '../../protocol/errors.js';
import { signV1, stringToSignV1Bytes } from '../../protocol/signing.js';
import { accessDenied, queryParam, sameSignature, signatureMismatch, type Verifier } from './verifier.js';

export const v1Presigned: Verifier = {
  scheme: 'v1-presigned',
  carrier: 'query',
  detect: (r) => r.query.some(([n]) => n === 'OSSAccessKeyId' || n === 'Signature'),
  verify(r, keys, now) {
    const accessKeyId = queryParam(r, 'OSSAccessKeyId');
    const expires = queryParam(r, 'Expires');
    const provided = queryParam(r, 'Signature');
    if (!accessKeyId || !provided) {
      throw accessDenied('Request must contain OSSAccessKeyId, Expires and Signature.', CAUSE_EC.presignMissingFields);
    }
    if (!expires) throw accessDenied('Request must contain Expires.', CAUSE_EC.presignMissingExpires);
    if (!/^\d+$/.test(expires)) throw accessDenied('Expires is not a valid Unix time.', CAUSE_EC.presignInvalidExpires);
    if (now.getTime() / 1000 > Number(expires)) throw accessDenied('Request has expired.', CAUSE_EC.presignExpired);
    const creds = keys(accessKeyId);
    const stringToSign = stringToSignV1Bytes(r, expires);
    if (!sameSignature(provided, signV1(creds.accessKeySecret, stringToSign))) {
      throw signatureMismatch({ accessKeyId, provided, stringToSign });
    }
  },
};
