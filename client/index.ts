// `import { OssClient } from 'oss-mock/client'`: a TypeScript OSS client reproducing the C++ SDK's
// DisableRequest/EnableRequest, error codes, retries, CRC-64 checks and resumable upload
// (docs/architecture.md#contracts).
export { OssClient } from './client.js';
export type * from './call-options.js';
export {
  OssClientError,
  isOssClientError,
  CURL_ERRORS,
  CRC_MISMATCH,
  REQUESTS_DISABLED,
  type CurlCode,
  type OssClientErrorInit,
} from './errors.js';
export type { CredentialsProvider, OssClientOptions, OssCredentials, SignatureVersion } from './options.js';
export type { RetryOptions } from './retry.js';
export type { BodyInput, RequestBody } from './request-body.js';
export { fileBody } from './request-body.js';
export type { ResumableUploadOptions } from './resumable.js';
export { checkpointPath, readCheckpoint, recordMd5Sum, type Checkpoint, type UploadRecord } from './checkpoint.js';
export type * from './results.js';
