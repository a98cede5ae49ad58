// Each transport failure provoked for real on loopback and seen as the C++ SDK's ClientError:2000NN code.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, rejectionOf, startRawServer, testClient, type RawServer } from './test-support/raw-server.js';

const MiB = 1024 * 1024;
let server: RawServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('transport error mapping', () => {
  it('maps a refused connection to 200007', async () => {
    const client = testClient(`http://127.0.0.1:${await freePort()}`);
    const err = await rejectionOf(client.putObject({ bucket: 'bkt', key: 'k', body: 'x' }));
    expect(err.code).toBe('ClientError:200007');
    expect(err.status).toBe(0);
  });

  it('maps an unresolvable host to 200006', async () => {
    const client = testClient('http://nonexistent.invalid:9');
    const err = await rejectionOf(client.headObject({ bucket: 'bkt', key: 'k' }));
    expect(err.code).toBe('ClientError:200006');
  });

  it('maps a reset while the body is going out to 200055 or 200056', async () => {
    server = await startRawServer(
      (req) => {
        let received = 0;
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= 64 * 1024) req.socket.resetAndDestroy();
        });
      },
      { readBody: false },
    );
    const client = testClient(server.endpoint);
    const err = await rejectionOf(client.putObject({ bucket: 'bkt', key: 'k', body: Buffer.alloc(8 * MiB) }));
    expect(['ClientError:200055', 'ClientError:200056']).toContain(err.code);
  });

  it('maps a connection closed without any reply to 200052', async () => {
    server = await startRawServer((req) => req.socket.destroy());
    const client = testClient(server.endpoint);
    const err = await rejectionOf(client.putObject({ bucket: 'bkt', key: 'k', body: 'hello' }));
    expect(err.code).toBe('ClientError:200052');
  });

  it('maps a response body cut short to 200056', async () => {
    server = await startRawServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
      setImmediate(() => res.socket?.destroy());
    });
    const client = testClient(server.endpoint);
    const err = await rejectionOf(client.getObject({ bucket: 'bkt', key: 'k' }));
    expect(err.code).toBe('ClientError:200056');
  });

  it('maps an idle connection to 200028', async () => {
    server = await startRawServer(() => undefined);
    const client = testClient(server.endpoint, { timeoutMs: 150 });
    const err = await rejectionOf(client.getObject({ bucket: 'bkt', key: 'k' }));
    expect(err.code).toBe('ClientError:200028');
  });

  it('reads an early error answer while the body is still being sent', async () => {
    server = await startRawServer(
      (req, res) => {
        req.resume();
        if (req.method === 'GET') {
          res.end('ok');
          return;
        }
        res.writeHead(403, { 'content-type': 'application/xml', 'x-oss-request-id': 'ABC' });
        res.end('<Error><Code>AccessDenied</Code><Message>no</Message><RequestId>ABC</RequestId></Error>');
      },
      { readBody: false },
    );
    const client = testClient(server.endpoint);
    const err = await rejectionOf(client.putObject({ bucket: 'bkt', key: 'k', body: Buffer.alloc(4 * MiB) }));
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    // The connection that carried the unfinished body is not reused for the next call.
    const next = await client.getObject({ bucket: 'bkt', key: 'k' });
    expect(next.content.toString()).toBe('ok');
  });
});
