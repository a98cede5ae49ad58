// A multipart upload spoken the way OSS and S3 both understand it (docs/protocol.md#v1-signature: POST ?uploads, PUT
// ?partNumber&uploadId, POST ?uploadId with CompleteMultipartUpload), so the mock, s3rver and the sinks run the very
// same sequence of requests.
import http from 'node:http';
import { putBytes, request } from './http-client.js';

export type UrlFor = (query: string) => string;

function ok(status: number, what: string, body: Buffer): void {
  if (status !== 200) throw new Error(`${what} answered ${status}: ${body.toString().slice(0, 300)}`);
}

/** Uploads `size` bytes in `partSize` parts one after another over one keep-alive connection; returns ms. */
export async function multipartUpload(url: UrlFor, size: number, partSize: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  try {
    const init = await request(url('uploads'), { method: 'POST', agent });
    ok(init.status, 'InitiateMultipartUpload', init.body);
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())?.[1];
    if (uploadId === undefined) throw new Error(`no UploadId in ${init.body.toString().slice(0, 300)}`);
    const id = encodeURIComponent(uploadId);
    const parts: string[] = [];
    for (let n = 1, at = 0; at < size; n++, at += partSize) {
      const part = await putBytes(url(`partNumber=${n}&uploadId=${id}`), Math.min(partSize, size - at), { agent });
      ok(part.status, `UploadPart ${n}`, part.body);
      parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>${String(part.headers.etag)}</ETag></Part>`);
    }
    const xml = `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`;
    const done = await request(url(`uploadId=${id}`), {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) },
      body: xml,
    });
    ok(done.status, 'CompleteMultipartUpload', done.body);
    return performance.now() - started;
  } finally {
    agent.destroy();
  }
}
