// PostObject authentication: the signature travels in the form, not in a header or the URL (OSS does not check those
// on a PostObject, developer-reference/postobject). V1: OSSAccessKeyId, policy and Signature (base64 HMAC-SHA1 of the
// policy); V4: x-oss-signature-version, x-oss-credential, x-oss-date, policy and x-oss-signature (hex HMAC-SHA256 of
// the policy with the V4 signing key). docs/protocol.md#postobject-signature has the sources.
import { dateStamp, parseOssDate } from '../../protocol/dates.js';
import { CAUSE_EC, OssError } from '../../protocol/errors.js';
import { postSignatureV1, postSignatureV4 } from '../../protocol/post-policy.js';
import { V4_ALGORITHM } from '../../protocol/signing.js';
import { xmlTime } from '../../protocol/dates.js';
import { IdentityRegistry, type Identity } from '../control/identities.js';
import { accessDenied, hexBytes, MAX_SKEW_MS, sameSignature, type KeyLookup } from './verifier.js';

export type FormAuthScheme = 'anonymous' | 'post-v1' | 'post-v4';

/** How long after its x-oss-date a V4 form stays valid (signature-version-4-recommend: "at most 7 days"). */
export const MAX_V4_FORM_AGE_MS = 7 * 24 * 3600 * 1000;

const V1_FIELDS = ['ossaccesskeyid', 'policy', 'signature'] as const;
const V4_FIELDS = ['x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'policy', 'x-oss-signature'] as const;

/**
 * One of OSSAccessKeyId, policy and Signature without the others (developer-reference/postobject, error codes:
 * InvalidArgument, 400); a missing policy has its own EC (https://www.alibabacloud.com/help/en/oss/support/0002-00000702).
 */
function missingField(name: string): OssError {
  return new OssError('InvalidArgument', {
    message: `Bucket POST must contain a field named '${name}'.`,
    ...(name === 'policy' ? { ec: '0002-00000702' } : {}),
    extra: { ArgumentName: name },
  });
}

/**
 * The PostObject troubleshooting page quotes a wrong form signature as Code AccessDenied with a message that starts
 * with SignatureDoesNotMatch
 * (https://www.alibabacloud.com/help/en/oss/how-to-handle-common-errors-when-the-postobject-operation-is-called).
 * What was signed (the policy) is sent back as for a header signature, never the secret.
 */
function formSignatureMismatch(accessKeyId: string, provided: string, policy: string): OssError {
  return new OssError('AccessDenied', {
    message:
      'SignatureDoesNotMatch The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ec: '0002-00000040',
    extra: {
      OSSAccessKeyId: accessKeyId,
      SignatureProvided: provided,
      StringToSign: policy,
      StringToSignBytes: hexBytes(policy),
    },
  });
}

/** How the API page spells the V1 fields (the form's names are case-insensitive). */
const V1_SPELLING: Record<(typeof V1_FIELDS)[number], string> = {
  ossaccesskeyid: 'OSSAccessKeyId',
  policy: 'policy',
  signature: 'Signature',
};

function verifyV1(fields: ReadonlyMap<string, string>, keys: KeyLookup): void {
  const missing = V1_FIELDS.find((n) => !fields.has(n));
  if (missing !== undefined) throw missingField(V1_SPELLING[missing]);
  const accessKeyId = fields.get('ossaccesskeyid')!;
  const creds = keys(accessKeyId);
  const policy = fields.get('policy')!;
  const provided = fields.get('signature')!;
  if (!sameSignature(provided, postSignatureV1(creds.accessKeySecret, policy))) {
    throw formSignatureMismatch(accessKeyId, provided, policy);
  }
}

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aliyun_v4_request$/;

function verifyV4(fields: ReadonlyMap<string, string>, keys: KeyLookup, now: Date): void {
  const missing = V4_FIELDS.find((n) => !fields.has(n));
  if (missing !== undefined) throw missingField(missing);
  const version = fields.get('x-oss-signature-version')!;
  if (version !== V4_ALGORITHM) {
    throw new OssError('InvalidArgument', {
      message: `The x-oss-signature-version of a PostObject form must be ${V4_ALGORITHM}.`,
      extra: { ArgumentName: 'x-oss-signature-version', ArgumentValue: version },
    });
  }
  const credential = fields.get('x-oss-credential')!;
  const m = CREDENTIAL.exec(credential);
  if (m === null) {
    throw accessDenied(`The x-oss-credential ${credential} of the form is malformed.`, CAUSE_EC.v4InvalidCredential);
  }
  const [, accessKeyId, day, region, product] = m;
  const creds = keys(accessKeyId!);
  const timestamp = fields.get('x-oss-date')!;
  const date = /^\d{8}T\d{6}Z$/.test(timestamp) ? parseOssDate(timestamp) : undefined;
  if (date === undefined) {
    throw accessDenied(
      'The x-oss-date of the form must be an ISO 8601 basic time such as 20231203T121212Z.',
      CAUSE_EC.missingDate,
    );
  }
  // the signing key's day must be the request's (signature-version-4-recommend: "must be the same day")
  if (day !== dateStamp(date)) {
    throw accessDenied(
      `The sign date ${day} in the x-oss-credential of the form is not the day of its x-oss-date ${timestamp}.`,
      CAUSE_EC.v4InvalidCredential,
    );
  }
  // x-oss-date may be up to 15 minutes ahead of the server, and the form is valid for 7 days from it
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) {
    throw new OssError('RequestTimeTooSkewed', {
      extra: { RequestTime: timestamp, ServerTime: xmlTime(now), MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS) },
    });
  }
  if (now.getTime() - date.getTime() > MAX_V4_FORM_AGE_MS) {
    throw accessDenied(`The form signed at ${timestamp} has expired: a V4 form is valid for 7 days.`);
  }
  const policy = fields.get('policy')!;
  const provided = fields.get('x-oss-signature')!;
  if (!sameSignature(provided, postSignatureV4(creds.accessKeySecret, day!, region!, policy, product))) {
    throw formSignatureMismatch(accessKeyId!, provided, policy);
  }
}

export interface FormAuth {
  scheme: FormAuthScheme;
  /** who signed the form (undefined: anonymous, or auth off) */
  identity?: Identity;
}

/**
 * Which signature the form carries (a V4 field makes it V4; OSSAccessKeyId, Signature or policy V1; none of them,
 * anonymous) and, with authentication on, whether it is valid and whose it is. An STS credential's form carries its
 * token in the x-oss-security-token field (developer-reference/postobject). Throws the OssError OSS answers.
 */
export function verifyPostForm(
  s: { auth: boolean; identities: IdentityRegistry },
  fields: ReadonlyMap<string, string>,
  now: Date = new Date(),
): FormAuth {
  const v4 = ['x-oss-signature-version', 'x-oss-credential', 'x-oss-signature'].some((n) => fields.has(n));
  const v1 = V1_FIELDS.some((n) => fields.has(n));
  if (!v4 && !v1) return { scheme: 'anonymous' };
  const scheme = v4 ? 'post-v4' : 'post-v1';
  if (!s.auth) return { scheme };
  const token = fields.get('x-oss-security-token');
  let identity: Identity | undefined;
  const keys: KeyLookup = (accessKeyId) => {
    identity = s.identities.resolve(accessKeyId, token === '' ? undefined : token, now);
    return IdentityRegistry.credentials(identity);
  };
  if (v4) verifyV4(fields, keys, now);
  else verifyV1(fields, keys);
  return identity === undefined ? { scheme } : { scheme, identity };
}
