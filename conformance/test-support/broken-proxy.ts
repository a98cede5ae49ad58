// Deliberately broken endpoints for proving the suite can fail: an HTTP proxy in front of the mock that breaks one
// documented guarantee (docs/architecture.md#guarantees) and passes everything else through.
// - commit-truncated: a request body the client abandons is ended cleanly upstream (chunked), so the mock commits
//   the truncated object or part, as a server that does not check Content-Length would.
// - forget-abort: AbortMultipartUpload answers 204 without telling the mock, so the "aborted" upload ID stays alive.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FrontEnd } from '../targets/embedded.js';

export type Breakage = 'commit-truncated' | 'forget-abort';

export function brokenFrontEnd(breakage: Breakage): FrontEnd {
  return async (mockEndpoint) => {
    const upstream = new URL(mockEndpoint);
    const sockets = new Set<Socket>();
    const server = http.createServer({ insecureHTTPParser: true }, (req, res) => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      if (breakage === 'forget-abort' && req.method === 'DELETE' && url.searchParams.has('uploadId')) {
        req.resume();
        res.writeHead(204, { 'x-oss-request-id': '0'.repeat(24) }).end();
        return;
      }
      const headers = { ...req.headers };
      const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
      if (breakage === 'commit-truncated' && hasBody) {
        delete headers['content-length'];
        headers['transfer-encoding'] = 'chunked';
      }
      const up = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: false },
        (ures) => {
          res.writeHead(ures.statusCode ?? 502, ures.headers);
          ures.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
      req.on('close', () => {
        if (req.complete) return;
        // The client went away mid-body: the broken proxy finishes the upstream body as if it were complete.
        if (breakage === 'commit-truncated') up.end();
        else up.destroy();
      });
    });
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return {
      endpoint: `http://127.0.0.1:${port}`,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
  };
}
