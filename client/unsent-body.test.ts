// A request body the request never sends to its end: the client disabled between the attempt's start and its first
// byte, or a server that answers before reading. Its stream is destroyed, and a file stream that fails while still
// opening (its file removed meanwhile, as a test's temp dir after a scenario) never becomes an uncaught error.
import { createReadStream, type ReadStream } from 'node:fs';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Executor } from './executor.js';
import { resolveOptions } from './options.js';
import { RequestGate } from './request-gate.js';
import type { RequestBody } from './request-body.js';

const agents = { http: new http.Agent(), https: new http.Agent() };
const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function answering501(): Promise<string> {
  const server = http.createServer((req, res) => {
    res.writeHead(501, { 'content-length': '0' }).end();
    req.resume();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A file body whose file does not exist: its stream fails as it opens, like a file removed after the stat. */
function vanishedFile(onOpen: () => void, opened: ReadStream[]): RequestBody {
  return {
    length: 1024,
    replayable: true,
    open: () => {
      const s = createReadStream('/nonexistent-oss-mock-dir/part.bin');
      opened.push(s);
      onOpen();
      return s;
    },
  };
}

describe('a request body that is never sent', () => {
  it.each([true, false])(
    'disabled before the first byte (CRC tap: %s): rejected 200042, stream destroyed',
    async (crc) => {
      const gate = new RequestGate();
      const config = resolveOptions({ endpoint: await answering501(), accessKeyId: 'a', accessKeySecret: 'b' });
      const executor = new Executor(config, gate, agents);
      const opened: ReadStream[] = [];
      const err = await executor
        .request({
          method: 'PUT',
          bucket: 'bkt',
          key: 'k',
          body: vanishedFile(() => gate.disable(), opened),
          uploadCrc: crc,
        })
        .catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('ClientError:200042');
      expect(opened).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 50)); // the stream's failed open lands here: it must stay silent
      expect(opened[0]!.destroyed).toBe(true);
    },
  );
});
