// Request authentication: pick the one verifier whose signature the request carries (reference §4).
import { OssError } from '../../protocol/errors.js';
import type { Credentials, SignableRequest } from '../../protocol/signing.js';
import type { ServerConfig } from '../exchange/config.js';
import { v1Header } from './v1-header.js';
import { v1Presigned } from './v1-presigned.js';
import { header, type AuthScheme, type Verifier } from './verifier.js';
import { v4Header } from './v4-header.js';
import { v4Presigned } from './v4-presigned.js';

export const VERIFIERS: readonly Verifier[] = [v1Header, v4Header, v1Presigned, v4Presigned];

/**
 * Verifies `r` against the configured credentials and returns the scheme used ('anonymous' when unsigned). With
 * `auth: false` (`--auth off`) every request passes unchecked, signed or not, so SDKs configured with any
 * credentials work. A signature in both the Authorization header and the query is 400 InvalidArgument (§4.2); an
 * Authorization header of an unknown scheme is 400 InvalidArgument. An unsigned request passes as 'anonymous': what
 * it may do is for the bucket and object ACLs to say (operations/access.ts).
 */
export function authenticate(
  config: Pick<ServerConfig, 'auth' | 'accessKeyId' | 'accessKeySecret'>,
  r: SignableRequest,
  now: Date = new Date(),
): AuthScheme | 'anonymous' {
  const found = VERIFIERS.filter((v) => v.detect(r));
  if (!config.auth) return found[0]?.scheme ?? 'anonymous';
  const authorization = header(r, 'authorization');
  if (found.some((v) => v.carrier === 'query') && authorization !== undefined) {
    throw new OssError('InvalidArgument', {
      message:
        'Only one auth mechanism allowed; only the X-OSS-Signature, the Signature query parameter or the Authorization header should be specified.',
    });
  }
  if (authorization !== undefined && !found.some((v) => v.carrier === 'header')) {
    throw new OssError('InvalidArgument', {
      message: 'Authorization header is invalid.',
      extra: { Authorization: authorization },
    });
  }
  const verifier = found[0];
  if (verifier === undefined) return 'anonymous';
  const creds: Credentials = { accessKeyId: config.accessKeyId, accessKeySecret: config.accessKeySecret };
  verifier.verify(r, creds, now);
  return verifier.scheme;
}
