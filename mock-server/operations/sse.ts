// Server-side encryption headers: accepted on the writes, stored with the version and echoed as OSS does; nothing is
// encrypted (docs/protocol.md#server-side-encryption). Values from developer-reference/putobject: algorithm AES256,
// KMS or SM4; a KMS key id only with KMS; x-oss-server-side-data-encryption (SM4) only with KMS. The Go SDK v2
// sends the three together (alibabacloud-oss-go-sdk-v2 oss/api_op_object_test.go, TestMarshalInput_PutObject).
import { OssError } from '../../protocol/errors.js';
import type { Exchange } from '../exchange/exchange.js';
import type { HeaderMap } from '../exchange/reply.js';
import type { ServerSideEncryption } from '../storage/store.js';
import { requestHeader } from '../exchange/request-target.js';

export const SSE_ALGORITHMS = ['AES256', 'KMS', 'SM4'] as const;
const DATA_ENCRYPTIONS = ['SM4'];

function invalidArgument(name: string, value: string, message: string): OssError {
  return new OssError('InvalidArgument', { message, extra: { ArgumentName: name, ArgumentValue: value } });
}

/** The request's SSE headers, validated; undefined when it sends none. */
export function sseOf(ex: Exchange): ServerSideEncryption | undefined {
  const algorithm = requestHeader(ex.req, 'x-oss-server-side-encryption')?.trim();
  const keyId = requestHeader(ex.req, 'x-oss-server-side-encryption-key-id')?.trim();
  const dataEncryption = requestHeader(ex.req, 'x-oss-server-side-data-encryption')?.trim();
  if (algorithm === undefined) {
    if (keyId !== undefined || dataEncryption !== undefined) {
      const [name, value] =
        keyId !== undefined
          ? ['x-oss-server-side-encryption-key-id', keyId]
          : ['x-oss-server-side-data-encryption', dataEncryption!];
      throw invalidArgument(name, value, `${name} needs x-oss-server-side-encryption: KMS.`);
    }
    return undefined;
  }
  if (!(SSE_ALGORITHMS as readonly string[]).includes(algorithm)) {
    // developer-reference/putobject, error codes: InvalidEncryptionAlgorithmError, 400
    throw new OssError('InvalidEncryptionAlgorithmError', {
      extra: { ArgumentName: 'x-oss-server-side-encryption', ArgumentValue: algorithm },
    });
  }
  const sse: ServerSideEncryption = { algorithm };
  if (keyId !== undefined) {
    if (algorithm !== 'KMS') {
      throw invalidArgument(
        'x-oss-server-side-encryption-key-id',
        keyId,
        'x-oss-server-side-encryption-key-id is valid only when x-oss-server-side-encryption is KMS.',
      );
    }
    sse.keyId = keyId;
  }
  if (dataEncryption !== undefined) {
    if (algorithm !== 'KMS' || !DATA_ENCRYPTIONS.includes(dataEncryption)) {
      throw invalidArgument(
        'x-oss-server-side-data-encryption',
        dataEncryption,
        'x-oss-server-side-data-encryption must be SM4, with x-oss-server-side-encryption: KMS.',
      );
    }
    sse.dataEncryption = dataEncryption;
  }
  return sse;
}

/** The headers that report a version's SSE on write answers and on GET/HEAD. */
export function sseResponseHeaders(sse: ServerSideEncryption | undefined): HeaderMap {
  if (sse === undefined) return {};
  return {
    'x-oss-server-side-encryption': sse.algorithm,
    'x-oss-server-side-encryption-key-id': sse.keyId,
    'x-oss-server-side-data-encryption': sse.dataEncryption,
  };
}
