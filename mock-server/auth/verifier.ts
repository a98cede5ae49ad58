// One verifier per signature scheme behind one interface (as Azurite's authentication/ folder does). Each verifier
// recognises its own request shape and either returns or throws the OssError real OSS answers with.
import { timingSafeEqual } from 'node:crypto';
import { xmlTime } from '../../protocol/dates.js';
import { OssError } from '../../protocol/errors.js';
import type { Credentials, SignableRequest } from '../../protocol/signing.js';

export type AuthScheme = 'v1-header' | 'v4-header' | 'v1-presigned' | 'v4-presigned';

export interface Verifier {
  scheme: AuthScheme;
  /** Where the scheme's signature travels; a request signed in both places is refused (docs/protocol.md#v1-presign). */
  carrier: 'header' | 'query';
  /** The request carries this scheme's signature (it may still be malformed). */
  detect(r: SignableRequest): boolean;
  /**
   * Returns when the signature is valid for the credentials `keys` finds for its access key id at `now`; throws the
   * OssError OSS answers otherwise (`keys` throws for an unknown key or a bad STS token).
   */
  verify(r: SignableRequest, keys: KeyLookup, now: Date): void;
}

/** Allowed distance between the request's date and the server clock (docs/protocol.md#v1-signature,
 * docs/protocol.md#limits). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export function header(r: SignableRequest, name: string): string | undefined {
  return r.headers[name];
}

/** First occurrence wins (docs/protocol.md#v1-presign); a bare name reads as ''. */
export function queryParam(r: SignableRequest, name: string): string | undefined {
  const pair = r.query.find(([n]) => n === name);
  return pair === undefined ? undefined : (pair[1] ?? '');
}

export function sameSignature(provided: string, expected: string): boolean {
  const a = Buffer.from(provided, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The signing credentials of an access key id; throws InvalidAccessKeyId (or an STS token error) when there are none. */
export type KeyLookup = (accessKeyId: string) => Credentials;

/** RequestTimeTooSkewed carries ServerTime so C++ and the ali-oss browser build can re-sync their clocks
 * (docs/protocol.md#error-envelope). */
export function checkSkew(requestTime: Date, raw: string, now: Date): void {
  if (Math.abs(now.getTime() - requestTime.getTime()) > MAX_SKEW_MS) {
    throw new OssError('RequestTimeTooSkewed', {
      extra: { RequestTime: raw, ServerTime: xmlTime(now), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) },
    });
  }
}

export function accessDenied(message: string, ec?: string): OssError {
  return new OssError('AccessDenied', ec === undefined ? { message } : { message, ec });
}

/** `47 45 54 0A ...`: how real OSS spells StringToSignBytes, so non-ASCII and whitespace differences are visible. */
export function hexBytes(s: string | Buffer): string {
  return [...(typeof s === 'string' ? Buffer.from(s, 'utf8') : s)]
    .map((b) => b.toString(16).toUpperCase().padStart(2, '0'))
    .join(' ');
}

/**
 * SignatureDoesNotMatch with what the server signed, for debuggability (docs/protocol.md#v1-signature): the access key
 * id, the signature the client sent, the string to sign and its bytes; V4 adds the canonical request. Never the secret.
 */
export function signatureMismatch(o: {
  accessKeyId: string;
  provided: string;
  /** the bytes signed (a string: its UTF-8 bytes); shown as text and as hex */
  stringToSign: string | Buffer;
  canonicalRequest?: string | Buffer;
}): OssError {
  const text = (s: string | Buffer): string => (typeof s === 'string' ? s : s.toString('utf8'));
  const extra: Record<string, string> = {
    OSSAccessKeyId: o.accessKeyId,
    SignatureProvided: o.provided,
    StringToSign: text(o.stringToSign),
    StringToSignBytes: hexBytes(o.stringToSign),
  };
  if (o.canonicalRequest !== undefined) {
    extra.CanonicalRequest = text(o.canonicalRequest);
    extra.CanonicalRequestBytes = hexBytes(o.canonicalRequest);
  }
  return new OssError('SignatureDoesNotMatch', { extra });
}
