// A non-conforming endpoint, as some OSS emulators are: a proxy in front of the mock that serves buckets and simple
// objects (ListBuckets, Put/Delete/List bucket, Put/Get/Head/Delete object without sub-resources) and answers every
// other request, the mock's control API included, 501 NotImplemented with an OSS error envelope. The suite must
// still end every scenario as pass, fail, skip or not applicable, finish the run and write its reports.
import http from 'node:http';
import type { Socket } from 'node:net';

export interface LimitedEndpoint {
  endpoint: string;
  /** requests answered 501 so far */
  readonly refused: number;
  close(): Promise<void>;
}

const NOT_IMPLEMENTED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented</Code>' +
  '<Message>A header or query you provided implies functionality that is not implemented.</Message>' +
  '<RequestId>000000000000000000000000</RequestId></Error>';

/** the query parameters of ListObjects (v1 and v2): listing a bucket is served */
const LISTING = new Set([
  'prefix',
  'marker',
  'max-keys',
  'delimiter',
  'encoding-type',
  'list-type',
  'continuation-token',
  'start-after',
  'fetch-owner',
]);

/** Path-style only: `/`, `/bucket`, `/bucket/key`. */
function served(method: string, url: URL, headers: http.IncomingHttpHeaders): boolean {
  const [bucket, ...key] = url.pathname.slice(1).split('/');
  if (bucket === '_mock') return false;
  const plain = [...url.searchParams.keys()].every((k) => LISTING.has(k));
  if (bucket === '' || bucket === undefined) return method === 'GET' && url.search === '';
  if (key.length === 0 || key.join('/') === '') return ['PUT', 'DELETE', 'GET'].includes(method) && plain;
  if (headers['x-oss-copy-source'] !== undefined) return false;
  return ['PUT', 'GET', 'HEAD', 'DELETE'].includes(method) && url.search === '';
}

export async function startLimitedEndpoint(mockEndpoint: string): Promise<LimitedEndpoint> {
  const upstream = new URL(mockEndpoint);
  const sockets = new Set<Socket>();
  let refused = 0;
  const server = http.createServer({ insecureHTTPParser: true }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://limited');
    if (!served(req.method ?? '', url, req.headers)) {
      refused++;
      req.resume();
      res.writeHead(501, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(NOT_IMPLEMENTED),
        'x-oss-request-id': '0'.repeat(24),
      });
      res.end(req.method === 'HEAD' ? undefined : NOT_IMPLEMENTED);
      return;
    }
    const up = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: false,
      },
      (ures) => {
        res.writeHead(ures.statusCode ?? 502, ures.headers);
        ures.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
    req.on('close', () => {
      if (!req.complete) up.destroy();
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
    get refused() {
      return refused;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
