// Request authentication: pick the one verifier whose signature the request carries (docs/protocol.md#v1-signature),
// and find the identity that signed it (control/identities.ts).
import { OssError } from '../../protocol/errors.js';
import type { SignableRequest } from '../../protocol/signing.js';
import { IdentityRegistry, type Identity } from '../control/identities.js';
import { v1Header } from './v1-header.js';
import { v1Presigned } from './v1-presigned.js';
import { header, queryParam, type AuthScheme, type Verifier } from './verifier.js';
import { v4Header } from './v4-header.js';
import { v4Presigned } from './v4-presigned.js';

export const VERIFIERS: readonly Verifier[] = [v1Header, v4Header, v1Presigned, v4Presigned];

export interface Authenticated {
  scheme: AuthScheme | 'anonymous';
  /** who signed (undefined: anonymous, or any request with auth off) */
  identity?: Identity;
}

export interface AuthSettings {
  auth: boolean;
  identities: IdentityRegistry;
}

/**
 * The STS token a request carries: the `x-oss-security-token` header, or in a presigned URL the `security-token`
 * (V1) or `x-oss-security-token` (V4) parameter (docs/protocol.md#sts). An empty value counts as none.
 */
export function securityTokenOf(r: SignableRequest): string | undefined {
  const token =
    header(r, 'x-oss-security-token') ?? queryParam(r, 'security-token') ?? queryParam(r, 'x-oss-security-token');
  return token === '' ? undefined : token;
}

/**
 * Verifies `r` against the configured identities. With `auth: false` (`--auth off`) every request passes unchecked,
 * signed or not, so SDKs configured with any credentials work. A signature in both the Authorization header and the
 * query is 400 InvalidArgument (docs/protocol.md#v1-presign); an Authorization header of an unknown scheme is 400
 * InvalidArgument. An unsigned request passes as 'anonymous': what it may do is for the bucket and object ACLs to say
 * (operations/access.ts).
 */
export function authenticate(s: AuthSettings, r: SignableRequest, now: Date = new Date()): Authenticated {
  const found = VERIFIERS.filter((v) => v.detect(r));
  if (!s.auth) return { scheme: found[0]?.scheme ?? 'anonymous' };
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
  if (verifier === undefined) return { scheme: 'anonymous' };
  const token = securityTokenOf(r);
  let identity: Identity | undefined;
  verifier.verify(
    r,
    (accessKeyId) => {
      identity = s.identities.resolve(accessKeyId, token, now);
      return IdentityRegistry.credentials(identity);
    },
    now,
  );
  return identity === undefined ? { scheme: verifier.scheme } : { scheme: verifier.scheme, identity };
}
