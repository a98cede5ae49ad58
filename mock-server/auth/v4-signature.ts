// The V4 signature comparison shared by the header and presigned forms (docs/protocol.md#v4-signature,
// docs/protocol.md#v4-presign).
import type { Credentials, SignableRequest, V4Authorization } from '../../protocol/signing.js';
import { canonicalRequestV4Bytes, scopeV4, signingKeyV4, signV4, stringToSignV4 } from '../../protocol/signing.js';
import { sameSignature, signatureMismatch } from './verifier.js';

/**
 * Recomputes the signature with the scope the client declared (its region too: the mock serves whatever region a client
 * is configured for). A `name=` on the wire is ambiguous in V4: most SDKs sign it bare, ali-oss signs an ordinary empty
 * parameter as `name=` (docs/protocol.md#ali-oss), so both readings are tried.
 */
export function checkV4Signature(
  r: SignableRequest,
  creds: Credentials,
  auth: V4Authorization & { timestamp: string },
): void {
  const scope = scopeV4(auth.date, auth.region, auth.product);
  const key = signingKeyV4(creds.accessKeySecret, auth.date, auth.region, auth.product);
  const attempt = (emptyValueStyle: 'standard' | 'ali-oss') => {
    const canonicalRequest = canonicalRequestV4Bytes(r, auth.additionalHeaders, { emptyValueStyle });
    const stringToSign = stringToSignV4(auth.timestamp, scope, canonicalRequest);
    return { canonicalRequest, stringToSign, ok: sameSignature(auth.signature, signV4(key, stringToSign)) };
  };
  const standard = attempt('standard');
  if (standard.ok || attempt('ali-oss').ok) return;
  throw signatureMismatch({
    accessKeyId: auth.accessKeyId,
    provided: auth.signature,
    stringToSign: standard.stringToSign,
    canonicalRequest: standard.canonicalRequest,
  });
}
