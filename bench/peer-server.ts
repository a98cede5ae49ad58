// A baseline server in its own process, so it gets a core of its own like the mock's CLI does:
//   node build/bench/peer-server.js bare|md5crc|md5crc-keep|md5crc-file|s3rver [--dir DIR]
// Prints `listening on http://127.0.0.1:PORT` (the line children.ts waits for) and runs until SIGTERM/SIGINT.
import type { AddressInfo } from 'node:net';
import { createSink, SINK_KINDS, type SinkKind } from './sinks.js';

export const PEER_KINDS = [...SINK_KINDS, 's3rver'] as const;
export type PeerKind = (typeof PEER_KINDS)[number];

async function serve(kind: PeerKind, dir: string | undefined): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === 's3rver') {
    if (dir === undefined) throw new Error('s3rver needs --dir');
    // loaded only here: its koa/winston/lodash tree would otherwise inflate the sinks' start-up and memory baselines
    const { default: S3rver } = await import('s3rver');
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir });
    const address = await s3.run();
    return { port: address.port, close: () => s3.close() };
  }
  const server = createSink(kind as SinkKind, dir);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function main(argv: string[]): Promise<void> {
  const kind = argv[0] as PeerKind;
  if (!PEER_KINDS.includes(kind)) throw new Error(`usage: peer-server ${PEER_KINDS.join('|')} [--dir DIR]`);
  const dirAt = argv.indexOf('--dir');
  const server = await serve(kind, dirAt >= 0 ? argv[dirAt + 1] : undefined);
  process.stdout.write(`listening on http://127.0.0.1:${server.port}\n`);
  const stop = (): void => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`peer-server: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
