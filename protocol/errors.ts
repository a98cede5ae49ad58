// The OSS error catalogue: one table of code -> HTTP status, message and EC, so the wire format cannot drift between
// handlers (docs/protocol.md#error-catalogue). Messages are the ones real OSS sends where a public source quotes them.
import { buildXml, type XmlValue } from './xml-writer.js';

export interface CatalogueEntry {
  status: number;
  message: string;
  /** Fine-grained error code sent as `x-oss-ec` and `<EC>`; per-call-site values override it (see OssError). */
  ec: string;
}

export const ERROR_CATALOGUE = {
  // a CORS preflight no rule allows, or to a bucket without rules: code and status
  // https://www.alibabacloud.com/help/en/oss/developer-reference/cors-options and https://developer.aliyun.com/ask/212256
  // ("403 Forbidden" when not allowed or CORS is off). No OSS page prints the message: this is the one users quote
  // from real OSS answers, typos included. No public EC.
  AccessForbidden: {
    status: 403,
    message:
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Requet-Headers are not whitelisted by the resource's CORS spec.",
    ec: '0000-00000000',
  },
  AccessDenied: { status: 403, message: 'You have no right to access this object.', ec: '0003-00000001' },
  // STS: https://www.alibabacloud.com/help/en/oss/user-guide/http-403-error-code and the EC pages cited in CAUSE_EC
  AccessKeyIdAndSecurityTokenNotMatch: {
    status: 403,
    message: 'The OSS access key id and security token you provided does not match.',
    ec: '0002-00000004',
  },
  // a CORS preflight without Origin or Access-Control-Request-Method:
  // https://www.alibabacloud.com/help/en/oss/support/http-400-status-code (BadRequest); no public EC
  BadRequest: { status: 400, message: 'Insufficient information. Origin request header needed.', ec: '0000-00000000' },
  BucketAlreadyExists: { status: 409, message: 'The requested bucket name is not available.', ec: '0015-00000104' },
  BucketNotEmpty: { status: 409, message: 'The bucket you tried to delete is not empty.', ec: '0015-00000301' },
  EntityTooLarge: {
    status: 400,
    message: 'Your proposed upload exceeds the maximum allowed size.',
    ec: '0016-00000102',
  },
  EntityTooSmall: {
    status: 400,
    message: 'Your proposed upload smaller than the minimum allowed size.',
    ec: '0042-00000213',
  },
  // EC: https://help.aliyun.com/en/oss/user-guide/0026-00000201 (PutObject or CopyObject with x-oss-forbid-overwrite)
  FileAlreadyExists: {
    status: 409,
    message: 'The object you specified already exists and can not be overwritten.',
    ec: '0026-00000201',
  },
  IncompleteBody: {
    status: 400,
    message: 'You did not provide the number of bytes specified by the Content-Length HTTP header.',
    ec: '0016-00000201',
  },
  InternalError: {
    status: 500,
    message: 'We encountered an internal error. Please try again.',
    ec: '0000-00000000',
  },
  InvalidAccessKeyId: {
    status: 403,
    message: 'The OSS Access Key Id you provided does not exist in our records.',
    ec: '0002-00000902',
  },
  // InvalidArgument has an EC per cause (CAUSE_EC, OPERATION_EC); this default is for causes without a public EC, and
  // is not 0017-00000001, which is MethodNotAllowed's
  InvalidArgument: { status: 400, message: 'Invalid argument.', ec: '0000-00000000' },
  InvalidBucketName: { status: 400, message: 'The specified bucket is not valid.', ec: '0015-00000001' },
  InvalidCRC64: {
    status: 400,
    message: 'The x-oss-hash-crc64ecma you specified does not match what we calculated.',
    ec: '0016-00000215',
  },
  // EC: https://help.aliyun.com/zh/oss/user-guide/0017-00000503 (the body's MD5 is not the Content-MD5)
  InvalidDigest: { status: 400, message: 'The Content-MD5 you specified was invalid.', ec: '0017-00000503' },
  // developer-reference/putobject lists the code; no public source shows its message or EC (docs/protocol.md)
  InvalidEncryptionAlgorithmError: {
    status: 400,
    message: 'The Encryption request you specified is not valid. Supported value: AES256/KMS/SM4',
    ec: '0000-00000000',
  },
  // https://www.alibabacloud.com/help/en/oss/support/0016-00000404 (EC);
  // alibabacloud.com/help/en/oss/the-the-operation-is-not-valid-for-the-object-s-state-error-message-is-returned-when-you-access-a-restored-archive-object (status, message)
  InvalidObjectState: {
    status: 403,
    message: "The operation is not valid for the object's state",
    ec: '0016-00000404',
  },
  InvalidObjectName: { status: 400, message: 'The specified object is not valid.', ec: '0016-00000001' },
  // https://www.alibabacloud.com/help/en/oss/how-to-handle-common-errors-when-the-postobject-operation-is-called;
  // each cause has its own EC (protocol/post-policy.ts POLICY_EC)
  InvalidPolicyDocument: { status: 400, message: 'Invalid Policy: Invalid JSON.', ec: '0006-00000204' },
  InvalidPart: {
    status: 400,
    message:
      "One or more of the specified parts could not be found or the specified entity tag might not have matched the part's entity tag.",
    ec: '0042-00000207',
  },
  InvalidPartOrder: { status: 400, message: 'The list of parts was not in ascending order.', ec: '0042-00000209' },
  InvalidRange: { status: 416, message: 'The requested range cannot be satisfied.', ec: '0016-00000302' },
  InvalidRequest: { status: 400, message: 'Invalid request.', ec: '0016-00000002' },
  InvalidSecurityToken: { status: 403, message: 'The security token you provided is invalid.', ec: '0002-00000006' },
  // the cases have their own ECs (operations/tagging.ts); the code name is S3's for the same checks
  InvalidTag: { status: 400, message: 'The tag you specified is not valid.', ec: '0010-00000217' },
  // developer-reference/getobject lists the code and status; no public source shows its message or EC
  InvalidTargetType: {
    status: 400,
    message: 'The symlink target object is a symlink, which cannot be read through another symlink.',
    ec: '0000-00000000',
  },
  // the PostObject troubleshooting page (as InvalidPolicyDocument); ECs per cause in ingest/form-reader.ts FORM_EC
  MalformedPOSTRequest: {
    status: 400,
    message: 'The body of your POST request is not well-formed multipart/form-data.',
    ec: '0006-00000104',
  },
  MalformedXML: {
    status: 400,
    message: 'The XML you provided was not well-formed or did not validate against our published schema.',
    ec: '0016-00000608',
  },
  // EC: https://help.aliyun.com/zh/oss/support/0017-00000001 (a method or parameter set OSS has no operation for)
  MethodNotAllowed: {
    status: 405,
    message: 'The specified method is not allowed against this resource.',
    ec: '0017-00000001',
  },
  MissingArgument: { status: 400, message: 'Missing Some Required Arguments.', ec: '0016-00000601' },
  // EC: https://help.aliyun.com/zh/oss/support/0017-00000101
  MissingContentLength: {
    status: 411,
    message: 'You must provide the Content-Length HTTP header.',
    ec: '0017-00000101',
  },
  NoSuchBucket: { status: 404, message: 'The specified bucket does not exist.', ec: '0015-00000101' },
  // code and status: aliyun-oss-python-sdk oss2/exceptions.py NoSuchCors; EC
  // https://www.alibabacloud.com/help/en/oss/user-guide/0034-00000001 (GetBucketCors of a bucket without rules)
  NoSuchCORSConfiguration: { status: 404, message: 'The CORS Configuration does not exist.', ec: '0034-00000001' },
  NoSuchKey: { status: 404, message: 'The specified key does not exist.', ec: '0026-00000001' },
  NoSuchUpload: {
    status: 404,
    message:
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    ec: '0042-00000002',
  },
  // the HTTP 404 error list names code and message (help/en/oss, "NoSuchVersion"); no public source shows its EC
  NoSuchVersion: { status: 404, message: 'The specified version does not exist.', ec: '0000-00000000' },
  // EC https://www.alibabacloud.com/help/en/oss/user-guide/0043-00000101; code from aliyun-oss-csharp-sdk tests
  NotSymlink: { status: 400, message: 'The specified object is not a symlink.', ec: '0043-00000101' },
  NotImplemented: {
    status: 400,
    message: 'A header you provided implies functionality that is not implemented.',
    ec: '0016-00000005',
  },
  // alibabacloud-oss-go-sdk-v2 oss/client_mock_test.go TestMockRestoreObject_Error (RestoreObject of a Standard object)
  OperationNotSupported: {
    status: 400,
    message: 'The operation is not supported for this resource',
    ec: '0016-00000702',
  },
  // EC: https://help.aliyun.com/en/oss/user-guide/0026-00000017; status 409 as oss2/exceptions.py ObjectNotAppendable
  // (a Conflict), which its tests run against real OSS (the http-status-code-411 page lists the code too)
  ObjectNotAppendable: { status: 409, message: 'The object is not appendable.', ec: '0026-00000017' },
  // message without a final period: ali-oss test/node/object.test.js compares err.message with it exactly, and the
  // alibabacloud-oss-go-sdk-v2 mock fixture of AppendObject carries it so
  PositionNotEqualToLength: { status: 409, message: 'Position is not equal to file length', ec: '0026-00000016' },
  // EC: https://www.alibabacloud.com/help/en/oss/user-guide/0017-00001001 (If-Match, If-None-Match,
  // If-Modified-Since, If-Unmodified-Since)
  PreconditionFailed: {
    status: 412,
    message: 'At least one of the pre-conditions you specified did not hold.',
    ec: '0017-00001001',
  },
  // https://www.alibabacloud.com/help/en/oss/support/http-400-status-code (a PostObject that is not a form); no public EC
  RequestIsNotMultiPartContent: {
    status: 400,
    message: 'Bucket POST must be of the enclosure-type multipart/form-data.',
    ec: '0000-00000000',
  },
  RequestTimeTooSkewed: {
    status: 403,
    message: 'The difference between the request time and the current time is too large.',
    ec: '0002-00000504',
  },
  // message: alibabacloud-oss-go-sdk-v2 client_integration_test.go TestRestoreObject (real OSS); EC: the x-oss-ec of
  // its TestMockRestoreObject_Error fixture
  RestoreAlreadyInProgress: { status: 409, message: 'The restore operation is in progress.', ec: '0026-00000011' },
  RequestTimeout: {
    status: 400,
    message:
      'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
    ec: '0016-00000202',
  },
  SecurityTokenExpired: {
    status: 403,
    message: 'The security token you provided has expired.',
    ec: '0002-00000007',
  },
  ServiceUnavailable: {
    status: 503,
    message: 'Please reduce your request rate.',
    ec: '0000-00000503',
  },
  SignatureDoesNotMatch: {
    status: 403,
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    ec: '0002-00000040',
  },
  // EC https://www.alibabacloud.com/help/en/oss/support/0026-00000012; status developer-reference/getobject
  SymlinkTargetNotExist: {
    status: 404,
    message: 'The symlink target object does not exist.',
    ec: '0026-00000012',
  },
  TooManyBuckets: {
    status: 400,
    message: 'You have attempted to create more buckets than allowed.',
    ec: '0015-00000103',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type OssErrorCode = keyof typeof ERROR_CATALOGUE;

/**
 * ECs that real OSS sends for a code only from a particular operation, where it differs from the catalogue's. Sources:
 * aliyun/alibabacloud-oss-go-sdk-v2 `oss/client_integration_test.go` (run against real OSS: NoSuchUpload after Abort,
 * docs/protocol.md#error-catalogue) and its `TestMockCompleteMultipartUpload_Error` responses (MalformedXML
 * 0042-00000205, complete-all InvalidArgument 0042-00000216); FileAlreadyExists on Complete from
 * docs/protocol.md#error-catalogue.
 */
export const OPERATION_EC: Readonly<Record<string, Partial<Record<OssErrorCode, string>>>> = {
  UploadPart: { NoSuchUpload: '0042-00000104' },
  UploadPartCopy: { NoSuchUpload: '0042-00000311' },
  CompleteMultipartUpload: {
    MalformedXML: '0042-00000205',
    FileAlreadyExists: '0042-00000214',
    InvalidArgument: '0042-00000216',
  },
};

/** The EC for `code` raised by `operation`: the per-operation value when OSS has one, else the catalogue's. */
export function ecFor(operation: string | undefined, code: string): string | undefined {
  const specific = operation === undefined ? undefined : OPERATION_EC[operation]?.[code as OssErrorCode];
  return specific ?? (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code]?.ec;
}

/** ecFor for a code of the catalogue, which always has an EC. */
export function ecOf(operation: string, code: OssErrorCode): string {
  return OPERATION_EC[operation]?.[code] ?? ERROR_CATALOGUE[code].ec;
}

/**
 * ECs OSS sends for one particular cause of an error, where it differs from the code's catalogue EC and does not
 * depend on the operation alone. OSS documents each EC at https://help.aliyun.com/zh/oss/support/<EC> (English:
 * https://www.alibabacloud.com/help/en/oss/support/<EC>).
 */
export const CAUSE_EC = {
  /** AccessDenied: no usable Date (V1) or x-oss-date (V4) */
  missingDate: '0002-00000018',
  /** AccessDenied: a V1 presigned URL without OSSAccessKeyId, Expires and Signature */
  presignMissingFields: '0002-00000067',
  /** AccessDenied: a V1 presigned URL without Expires */
  presignMissingExpires: '0002-00000068',
  /** AccessDenied: a presigned URL past its expiry */
  presignExpired: '0002-00000069',
  /** AccessDenied: a V1 presigned URL whose Expires is not a Unix time */
  presignInvalidExpires: '0002-00000070',
  /**
   * InvalidAccessKeyId: an STS access key id without its token (https://help.aliyun.com/en/oss/user-guide/0002-00000003)
   */
  stsTokenMissing: '0002-00000003',
  /**
   * InvalidAccessKeyId: a request carrying an STS token (x-oss-security-token or security-token) whose access key id
   * is not one STS issued (https://help.aliyun.com/zh/oss/support/0002-00000002)
   */
  stsAccessKeyUnknown: '0002-00000002',
  /** AccessDenied: a V4 Authorization whose Credential is malformed or signed on another day */
  v4InvalidCredential: '0002-00000212',
  /** InvalidArgument: x-oss-content-sha256 other than UNSIGNED-PAYLOAD */
  v4PayloadHash: '0002-00000214',
  /** AccessDenied: a V4 presigned URL without a valid x-oss-expires */
  v4PresignInvalidExpires: '0002-00000215',
  /** AccessDenied: a V4 presigned URL whose x-oss-credential day is not the day of x-oss-date */
  v4PresignCredentialDay: '0002-00000223',
  /** AccessDenied: a V4 presigned URL whose x-oss-expires is out of range */
  v4PresignExpiresRange: '0002-00000232',
  /** AccessDenied: a V4 presigned URL whose x-oss-date lies in the future */
  v4PresignDateInFuture: '0002-00000235',
  /** InvalidObjectName: an object name that is not UTF-8 */
  nameNotUtf8: '0016-00000002',
  /** InvalidArgument: an x-oss-meta-* value with characters OSS does not support */
  userMetaValue: '0011-00000005',
  /** InvalidArgument: ListObjectVersions with version-id-marker but no key-marker */
  versionIdMarkerWithoutKeyMarker: '0012-00000106',
  /** InvalidArgument: AppendObject with a versionId parameter */
  appendWithVersionId: '0016-00000504',
  /** InvalidRequest: x-oss-copy-source names a delete marker by versionId */
  copySourceDeleteMarker: '0016-00000307',
  /** MalformedXML: a DeleteMultipleObjects Object with an empty VersionId */
  deleteEmptyVersionId: '0016-00000612',
  /** InvalidArgument: x-oss-copy-source not starting with `/` */
  copySourceNotAbsolute: '0042-00000301',
  /** MissingArgument: DeleteMultipleObjects without Content-MD5 */
  deleteWithoutContentMd5: '0016-00000606',
  /** MalformedXML: a DeleteMultipleObjects Object without Key */
  deleteObjectWithoutKey: '0016-00000613',
  /** InvalidTag: a tag key over 128 characters */
  tagKeyTooLong: '0010-00000209',
  /** InvalidTag: a tag value over 256 characters */
  tagValueTooLong: '0010-00000214',
  /** InvalidTag: a character outside the tag alphabet, an empty key, more than 10 tags, a key repeated in x-oss-tagging */
  tagInvalid: '0010-00000217',
  /** InvalidTag: a key repeated in a PutObjectTagging body (https://help.aliyun.com/en/oss/user-guide/0010-00000210) */
  tagKeyRepeatedInBody: '0010-00000210',
  /** MalformedXML: a PutObjectTagging body that is not XML (https://www.alibabacloud.com/help/en/oss/user-guide/0010-00000101) */
  taggingXmlMalformed: '0010-00000101',
  /** MalformedXML: a PutObjectTagging body whose root is not Tagging (https://help.aliyun.com/en/oss/user-guide/0010-00000102) */
  taggingXmlRoot: '0010-00000102',
  /** InvalidTag: an x-oss-tagging header that is not `k=v&k2=v2` */
  taggingHeaderMalformed: '0010-00000219',
  /** InvalidArgument: RestoreObject Days out of 1-365 (ColdArchive, DeepColdArchive) */
  restoreDaysColdArchive: '0016-00000704',
  /** InvalidArgument: RestoreObject Days out of 1-7 (Archive) */
  restoreDaysArchive: '0016-00000708',
  /** InvalidArgument: RestoreObject JobParameters/Tier not one the class has */
  restoreTier: '0016-00000703',
  /** MalformedXML: a RestoreRequest with GlacierJobParameters */
  restoreGlacierJobParameters: '0016-00000709',
  /** MalformedXML: a RestoreRequest with OutputLocation */
  restoreOutputLocation: '0016-00000710',
  /** MalformedXML: a RestoreRequest with Type */
  restoreType: '0016-00000713',
} as const;

export interface OssErrorOptions {
  /** Overrides the catalogue message (e.g. InvalidObjectName's length message). */
  message?: string;
  /** Overrides the catalogue EC where OSS uses a per-operation value (e.g. NoSuchUpload after Abort). */
  ec?: string;
  /** Overrides the catalogue status (a fault rule may ask for any status). */
  status?: number;
  /** Extra child elements of <Error>, in order: BucketName, Key, ArgumentName, StringToSign, ServerTime... */
  extra?: Record<string, string>;
  /** Extra response headers (e.g. x-oss-next-append-position on PositionNotEqualToLength). */
  headers?: Record<string, string>;
}

/** An error that a handler throws to answer with the OSS XML envelope. */
export class OssError extends Error {
  readonly code: string;
  readonly status: number;
  readonly ec: string;
  readonly extra: Record<string, string>;
  readonly headers: Record<string, string>;

  constructor(code: OssErrorCode | string, options: OssErrorOptions = {}) {
    const entry: CatalogueEntry | undefined = (ERROR_CATALOGUE as Record<string, CatalogueEntry>)[code];
    super(options.message ?? entry?.message ?? code);
    this.name = 'OssError';
    this.code = code;
    this.status = options.status ?? entry?.status ?? 400;
    this.ec = options.ec ?? entry?.ec ?? '0000-00000000';
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }
}

export function isOssError(err: unknown): err is OssError {
  return err instanceof OssError;
}

/** Elements of the envelope that `extra` may not replace (docs/protocol.md#error-envelope). */
const ENVELOPE_ELEMENTS = new Set(['Code', 'Message', 'RequestId', 'HostId', 'EC', 'RecommendDoc']);

/**
 * The `<Error>` body of docs/protocol.md#error-envelope: Code, Message, RequestId, HostId, the error's extra elements
 * (BucketName, Key, StringToSign, ServerTime…), then EC and RecommendDoc, which real OSS always points at its
 * troubleshoot page. HostId echoes the Host the client used.
 */
export function renderErrorXml(err: OssError, o: { requestId: string; hostId: string }): string {
  const body: Record<string, XmlValue> = {
    Code: err.code,
    Message: err.message,
    RequestId: o.requestId,
    HostId: o.hostId,
  };
  for (const [name, value] of Object.entries(err.extra)) {
    if (!ENVELOPE_ELEMENTS.has(name)) body[name] = value;
  }
  body.EC = err.ec;
  body.RecommendDoc = `https://api.aliyun.com/troubleshoot?q=${err.ec}`;
  return buildXml('Error', body);
}

/**
 * The `x-oss-err` header of a HEAD error response: the same XML, base64 encoded, because a HEAD answer has no body
 * (docs/protocol.md#head-errors). Go, oss2 and ali-oss decode it to tell NoSuchBucket from NoSuchKey.
 */
export function errHeaderValue(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}
