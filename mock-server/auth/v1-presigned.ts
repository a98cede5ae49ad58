// V1 presigned URL: `?OSSAccessKeyId=&Expires=<unix seconds>&Signature=` (reference §4.2). The expiry is checked
// before the signature, as OSS does.
import { signV1, stringToSignV1Bytes } from '../../protocol/signing.js';
import {
  accessDenied,
  checkAccessKey,
  queryParam,
  sameSignature,
  signatureMismatch,
  type Verifier,
} from './verifier.js';

export const v1Presigned: Verifier = {
  scheme: 'v1-presigned',
  carrier: 'query',
  detect: (r) => r.query.some(([n]) => n === 'OSSAccessKeyId' || n === 'Signature'),
  verify(r, creds, now) {
    const accessKeyId = queryParam(r, 'OSSAccessKeyId');
    const expires = queryParam(r, 'Expires');
    const provided = queryParam(r, 'Signature');
    if (!accessKeyId || !provided) {
      throw accessDenied('Request must contain OSSAccessKeyId, Expires and Signature.', '0002-00000067');
    }
    if (!expires) throw accessDenied('Request must contain Expires.', '0002-00000068');
    if (!/^\d+$/.test(expires)) throw accessDenied('Expires is not a valid Unix time.', '0002-00000070');
    if (now.getTime() / 1000 > Number(expires)) throw accessDenied('Request has expired.', '0002-00000069');
    checkAccessKey(accessKeyId, creds);
    const stringToSign = stringToSignV1Bytes(r, expires);
    if (!sameSignature(provided, signV1(creds.accessKeySecret, stringToSign))) {
      throw signatureMismatch({ accessKeyId, provided, stringToSign });
    }
  },
};
