// startMockOss(): the fake OSS endpoint in-process (docs/architecture.md#contracts).
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ServerConfig } from './exchange/config.js';
import { MockControl } from './control/control.js';
import { ActiveRequests } from './http/active.js';
import { createMockListener } from './http/app.js';
import { expressClasses } from './http/express-classes.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { RequestLog, type LogDestination } from './http/request-log.js';
import { DEFAULT_BODY_IDLE_TIMEOUT_MS } from './ingest/body-reader.js';
import { releaseHashWorker, retainHashWorker } from './ingest/md5-worker.js';
import { createStore } from './storage/index.js';
import { OssError } from '../protocol/errors.js';
import type { RunningMock } from './testing.js';

export { MockControl } from './control/control.js';
export { resetMock, type OssMockInfo, type RunningMock } from './testing.js';
export { createApp } from './http/app.js';
export type { OperationName, FaultSpec, RateLimit, RequestContext } from './exchange/exchange.js';
export type { LogFormat, LogLevel, ServerConfig } from './exchange/config.js';
export type { LogDestination } from './http/request-log.js';
export type { AccessLevel, CredentialPair, Permissions, StsCredential } from './exchange/identity.js';
export type { IdentityInfo, MintedSts, MintStsOptions } from './control/identities.js';
export { IdentityConfigError } from './control/identities.js';
export type {
  ClockInfo,
  HealthInfo,
  InflightEntry,
  MockEvent,
  MockEventType,
  Rates,
  Rule,
  RuleMatch,
  WaitOptions,
} from './control/types.js';

export const DEFAULT_ACCESS_KEY_ID = 'oss-mock-access-key-id';
export const DEFAULT_ACCESS_KEY_SECRET = 'oss-mock-access-key-secret';
export const DEFAULT_REGION = 'cn-hangzhou';
/** Node's own default maxHeaderSize */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

export type MockOssOptions = Partial<ServerConfig> & {
  port?: number;
  /** where the request log goes when logLevel is not silent (default process.stdout) */
  logDestination?: LogDestination;
};

export interface MockOssHandle {
  /** e.g. `http://127.0.0.1:40123` */
  endpoint: string;
  host: string;
  port: number;
  accessKeyId: string;
  accessKeySecret: string;
  /** without the `oss-` prefix, e.g. `cn-hangzhou` (ali-oss takes `oss-cn-hangzhou`) */
  region: string;
  control: MockControl;
  server: http.Server;
  config: Readonly<ServerConfig>;
  /** Stops accepting, cuts in-flight requests (their partial bodies are discarded), closes the store. */
  close(): Promise<void>;
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveConfig(options: MockOssOptions = {}): ServerConfig {
  const { logDestination: _destination, ...settings } = options;
  const config: ServerConfig = {
    host: '127.0.0.1',
    port: 0,
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
    region: DEFAULT_REGION,
    auth: true,
    baseDomains: [],
    ...withoutUndefined(settings),
  };
  // ali-oss users write `oss-cn-hangzhou`; the V4 scope and the bucket location want the bare region
  config.region = config.region.replace(/^oss-/, '');
  return config;
}

/** The URL a client on this machine uses: wildcard hosts are reached through loopback. */
function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startMockOss(options: MockOssOptions = {}): Promise<MockOssHandle> {
  const config = resolveConfig(options);
  const store = createStore(config.dataDir);
  // before the store opens: a bad identity configuration fails without touching (or locking) the data dir
  const control = new MockControl({ config, store });
  store.useClock?.(() => control.clock.date());
  await store.open();
  for (const name of config.buckets ?? []) {
    try {
      await store.createBucket({
        name,
        location: `oss-${config.region}`,
        storageClass: 'Standard',
        dataRedundancyType: 'LRS',
        acl: 'private',
      });
    } catch (err) {
      // a file store restarted with the same --bucket keeps the bucket (and its objects)
      if (!(err instanceof OssError && err.code === 'BucketAlreadyExists')) {
        await store.close();
        throw err;
      }
    }
  }
  const active = new ActiveRequests();
  const requestLog = await RequestLog.create({
    ...(config.logLevel === undefined ? {} : { level: config.logLevel }),
    ...(config.logFormat === undefined ? {} : { format: config.logFormat }),
    ...(options.logDestination === undefined ? {} : { destination: options.logDestination }),
  });
  const maxHeaderBytes = config.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  const idleMs = config.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS;
  const guard = new ConnectionGuard({
    maxHeaderBytes,
    maxConnections: config.maxConnections,
    // the guard's own answers belong in the event log like every other
    onAnswer: ({ requestId, status, code }) => {
      control.emit({ type: 'request.start', requestId });
      control.emit({ type: 'request.end', requestId, status, code });
      requestLog?.guardAnswer({ requestId, status, code });
    },
    now: () => control.clock.date(),
  });
  const { app, listener: mockListener } = createMockListener({
    config,
    store,
    control,
    active,
    ...(requestLog === undefined ? {} : { requestLog }),
  });
  const listener = guard.track(mockListener);
  const server = http.createServer(
    {
      // every request and response is created with Express's prototypes (http/express-classes.ts)
      ...expressClasses(app),
      // ali-oss streams send Content-Length together with Transfer-Encoding: chunked, which the strict parser refuses
      // (docs/protocol.md#ali-oss)
      insecureHTTPParser: true,
      maxHeaderSize: maxHeaderBytes,
      // Node's default cuts any request still being received after 300 s, which a throttled upload outlives;
      // a body that stops moving is answered RequestTimeout by ingest/ after bodyIdleTimeoutMs instead
      requestTimeout: 0,
      // a header section that stops arriving gets the same RequestTimeout after the same time
      // (http/connection-guard.ts)
      headersTimeout: idleMs,
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(idleMs / 4))),
    },
    listener,
  );
  // Node answers `Expect: 100-continue` with 100 as soon as the headers arrive, unless the server listens for
  // checkContinue: then the body readers send it once the request was authenticated and dispatched
  // (exchange/reply.ts continueIfExpected), and a refused request never makes the client send its body.
  server.on('checkContinue', listener);
  // Node keeps the first 2000 header lines of a request and silently drops the rest (a Content-MD5 among them would
  // go unchecked); maxHeaderSize already bounds the header section, so nothing is dropped.
  server.maxHeadersCount = 0;
  server.on('connection', guard.onConnection);
  server.on('clientError', guard.onClientError);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    await store.close();
    throw err;
  }
  config.port = (server.address() as AddressInfo).port;
  // the MD5 worker of large bodies (ingest/md5-worker.ts) is started on first use and stopped with the last server
  retainHashWorker();

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await stopped;
    // handlers of cut requests discard their staged bodies before the store goes away
    await active.settled();
    await store.close();
    await releaseHashWorker();
  };

  return {
    endpoint: `http://${endpointHost(config.host)}:${config.port}`,
    host: config.host,
    port: config.port,
    accessKeyId: config.accessKeyId,
    accessKeySecret: config.accessKeySecret,
    region: config.region,
    control,
    server,
    config,
    close: () => (closing ??= close()),
  };
}

/**
 * One mock for a test run, in the shape any runner uses (Jest's globalSetup, node:test's before; oss-mock/vitest
 * for vitest): where it listens, the credentials, reset() between tests, stop() at the end.
 */
export async function startMock(options: MockOssOptions = {}): Promise<RunningMock> {
  const mock = await startMockOss(options);
  return {
    endpoint: mock.endpoint,
    region: mock.region,
    accessKeyId: mock.accessKeyId,
    accessKeySecret: mock.accessKeySecret,
    reset: () => mock.control.reset(),
    stop: () => mock.close(),
  };
}
