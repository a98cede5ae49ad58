// Request signing with protocol/signing (docs/protocol.md#v1-signature), as the C++ SDK sends it: V1 with a `Date`
// header (OssClientImpl::addHeaders/addSignInfo); V4 with `x-oss-date` (ISO basic), `x-oss-content-sha256:
// UNSIGNED-PAYLOAD` and the region in the scope (SignerV4). STS tokens travel as `x-oss-security-token`.
import { httpDate, isoBasic } from '../protocol/dates.js';
import {
  authorizeV1,
  authorizeV4,
  presignV1,
  presignV4,
  UNSIGNED_PAYLOAD,
  type Credentials,
  type SignableRequest,
} from '../protocol/signing.js';
import type { ClientConfig } from './options.js';

/** Adds the date, token and Authorization headers to `r.headers` (lowercased names). */
export function signRequest(r: SignableRequest, config: ClientConfig, now: Date): void {
  const creds: Credentials = config.credentials();
  r.headers.date = httpDate(now);
  if (creds.securityToken) r.headers['x-oss-security-token'] = creds.securityToken;
  if (config.signatureVersion === 'v4') {
    r.headers['x-oss-date'] = isoBasic(now);
    r.headers['x-oss-content-sha256'] = UNSIGNED_PAYLOAD;
    r.headers.authorization = authorizeV4(r, creds, { region: config.region }).authorization;
  } else {
    r.headers.authorization = authorizeV1(r, creds).authorization;
  }
}

/** The signature query parameters of a presigned URL valid for `expiresSeconds` from `now`. */
export function presignParams(
  r: SignableRequest,
  config: ClientConfig,
  o: { now: Date; expiresSeconds: number },
): Array<[string, string]> {
  const creds: Credentials = config.credentials();
  if (config.signatureVersion === 'v4') {
    return presignV4(r, creds, { region: config.region, date: o.now, expiresSeconds: o.expiresSeconds });
  }
  return presignV1(r, creds, Math.floor(o.now.getTime() / 1000) + o.expiresSeconds);
}
