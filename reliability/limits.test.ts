// Limits: each exceeded limit is a clear OSS error and the server keeps serving. The XML body caps and the 5 GB object
// cap are exercised with hostile input in hostile-input.test.ts; here: the configurable header cap and connection cap
// (ServerConfig.maxHeaderBytes, maxConnections), the part-size cap and the PutBucket body cap.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOss, type MockOssHandle } from '../mock-server/index.js';
import { rawExchange, rawHead, send } from '../testkit/requests.js';

const BUCKET = 'limits';

async function openConnections(mock: MockOssHandle): Promise<number> {
  return new Promise((resolve, reject) => mock.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}

/** Polls (bounded) until the server counts `n` open connections. */
async function connectionsReach(mock: MockOssHandle, n: number): Promise<void> {
  for (let i = 0; i < 500 && (await openConnections(mock)) !== n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(await openConnections(mock)).toBe(n);
}

describe('request header cap (ServerConfig.maxHeaderBytes)', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss({ maxHeaderBytes: 4096 });
    await send(mock, { method: 'PUT', bucket: BUCKET });
  });
  afterAll(() => mock.close());

  it('over the cap: 400 InvalidRequest naming it, connection closed; under it: served', async () => {
    const head = (size: number) =>
      rawHead(mock, { method: 'GET', bucket: BUCKET }, [`x-pad: ${'p'.repeat(size)}`, 'connection: close']);
    const over = await rawExchange(mock, head(5000));
    expect([over.status, over.code, over.closed]).toEqual([400, 'InvalidRequest', true]);
    expect(over.text).toContain('exceeds 4096 bytes');
    expect(over.text).toMatch(/x-oss-request-id: [0-9A-F]{24}/);
    expect((await rawExchange(mock, head(3000))).status).toBe(200);
  });
});

describe('connection cap (ServerConfig.maxConnections)', () => {
  let mock: MockOssHandle;
  const held: Socket[] = [];
  beforeAll(async () => {
    mock = await startMockOss({ maxConnections: 3 });
    await send(mock, { method: 'PUT', bucket: BUCKET, agent: false });
    await connectionsReach(mock, 0);
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await mock.close();
  });

  it('a connection over the cap is answered 503 ServiceUnavailable and closed; freed slots serve again', async () => {
    for (let i = 0; i < 3; i++) {
      const socket = connect({ host: '127.0.0.1', port: mock.port });
      socket.on('error', () => undefined);
      held.push(socket);
    }
    await connectionsReach(mock, 3);
    const refused = await send(mock, { method: 'GET', bucket: BUCKET, agent: false });
    expect([refused.status, refused.code]).toEqual([503, 'ServiceUnavailable']);
    expect(refused.headers.connection).toBe('close');
    for (const s of held.splice(0)) s.destroy();
    await connectionsReach(mock, 0);
    expect((await send(mock, { method: 'GET', bucket: BUCKET, agent: false })).status).toBe(200);
  });
});

describe('size caps', () => {
  let mock: MockOssHandle;
  beforeAll(async () => {
    mock = await startMockOss();
    await send(mock, { method: 'PUT', bucket: BUCKET });
  });
  afterAll(() => mock.close());

  it('an UploadPart over 5 GB is refused before its body is read', async () => {
    const init = await send(mock, { method: 'POST', bucket: BUCKET, key: 'big', query: [['uploads', undefined]] });
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(init.body.toString())![1]!;
    const query: Array<[string, string]> = [
      ['partNumber', '1'],
      ['uploadId', uploadId],
    ];
    const res = await rawExchange(
      mock,
      rawHead(mock, { method: 'PUT', bucket: BUCKET, key: 'big', query }, [`content-length: ${5 * 1024 ** 3 + 1}`]),
    );
    expect([res.status, res.code]).toEqual([400, 'InvalidArgument']);
    expect(
      (
        await send(mock, { method: 'GET', bucket: BUCKET, key: 'big', query: [['uploadId', uploadId]] })
      ).body.toString(),
    ).not.toContain('<Part>');
  });

  it('a PutBucket configuration over its cap is MalformedXML and creates nothing', async () => {
    const res = await send(mock, { method: 'PUT', bucket: 'too-much-config', body: Buffer.alloc(64 * 1024 + 1, ' ') });
    expect([res.status, res.code]).toEqual([400, 'MalformedXML']);
    expect((await send(mock, { method: 'GET', bucket: 'too-much-config' })).code).toBe('NoSuchBucket');
  });
});
