// The baselines must do the work they stand for: hash exactly the body (ETag = MD5, x-oss-hash-crc64ecma = CRC-64),
// and for md5crc-file, leave the last complete body on disk and nothing else.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../protocol/crc64.js';
import { putBytes } from './http-client.js';
import { createSink, SINK_KINDS } from './sinks.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oss-mock-sinks-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(SINK_KINDS.filter((k) => k !== 'bare'))('%s sink', (kind) => {
  it('answers each PUT with the MD5 and CRC-64 of exactly its body', async () => {
    const sinkDir = await mkdtemp(join(dir, `${kind}-`));
    const server = createSink(kind, sinkDir);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/b/k`;
      for (const size of [0, 1, 3 * 1024 * 1024 + 5]) {
        const reply = await putBytes(url, size);
        const sent = await putBytesBody(size);
        expect(reply.status).toBe(200);
        expect(reply.headers.etag).toBe(`"${createHash('md5').update(sent).digest('hex').toUpperCase()}"`);
        expect(reply.headers['x-oss-hash-crc64ecma']).toBe((await crc64(sent)).toString());
        if (kind === 'md5crc-file') {
          const files = await readdir(sinkDir);
          expect(files).toHaveLength(1);
          expect((await readFile(join(sinkDir, files[0]!))).equals(sent)).toBe(true);
        }
      }
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });
});

/** The bytes putBytes sends for `size`: its repeating 1 MiB pattern, captured from a local echo of one upload. */
async function putBytesBody(size: number): Promise<Buffer> {
  const { createServer } = await import('node:http');
  const echo = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  try {
    const reply = await putBytes(`http://127.0.0.1:${(echo.address() as AddressInfo).port}/`, size);
    return reply.body;
  } finally {
    echo.close();
  }
}
