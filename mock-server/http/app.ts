// The Express app of the fake endpoint. Order of work for an OSS request (one async pipeline, one error path):
// common headers -> /_mock control API (path style only) -> addressing -> dispatch -> request.start ->
// x-oss-traffic-limit -> authentication -> names -> plan (rules) -> beforeBody (delay, early faults) -> handler ->
// error envelope -> request.end. No body parser: bodies are streamed by ingest/, the one body reader.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidBucketName, objectKeyError, resolveAddress, type Address } from '../../protocol/addressing.js';
import { OssError } from '../../protocol/errors.js';
import type { Exchange, OperationName, RequestContext } from '../exchange/exchange.js';
import { controlGate } from '../control/gate.js';
import { controlRouter } from '../control/router.js';
import { ConsoleAssets } from '../console/assets.js';
import { ConsoleHub } from '../console/hub.js';
import { consoleRouter } from '../console/router.js';
import { BodyAbortedError, FaultFiredError } from '../ingest/errors.js';
import { beforeBody } from '../ingest/faults.js';
import { parseTrafficLimit } from '../../protocol/traffic-limit.js';
import { authenticate } from '../auth/authenticate.js';
import type { EventSubject } from '../control/types.js';
import { checkAnonymousAccess } from '../operations/access.js';
import type { Identity } from '../control/identities.js';
import { authorize } from '../auth/permissions.js';
import { parseCopySource } from '../operations/copy-source.js';
import { corsHeadersFor } from '../operations/cors.js';
import { OPERATION_TABLE, type OperationServices } from '../operations/table.js';
import type { ActiveRequests } from './active.js';
import type { RequestLog } from './request-log.js';
import { commonHeaders, requestIdOf, stampServerTime } from './common-headers.js';
import { dispatch, type TargetLevel } from '../operations/dispatch.js';
import { sendError } from '../exchange/reply.js';
import { signableRequest } from './signable.js';
import { eventSubject } from '../control/events.js';
import { StoredBytesMissingError } from '../storage/store.js';
import { controlFormBody, controlJsonBody } from './control-body.js';
import { DEFAULT_BODY_IDLE_TIMEOUT_MS } from '../ingest/body-reader.js';
import { parseTarget, queryValue, requestHeader } from '../exchange/request-target.js';

/** The largest control API request body (a rule, a wait, rates). */
const CONTROL_BODY_LIMIT = 1024 * 1024;
/** the console's login form: one token field */
const LOGIN_FORM_LIMIT = 4096;

export interface AppServices extends OperationServices {
  /** handlers in progress, for a clean close() */
  active?: ActiveRequests;
  /** the web console's live side (default: one of the control router's own) */
  consoleHub?: ConsoleHub;
  /** the request log; undefined (level silent) installs nothing */
  requestLog?: RequestLog;
}

function levelOf(address: Address): TargetLevel {
  if (address.bucket === undefined) return 'service';
  return address.key === undefined ? 'bucket' : 'object';
}

function contextFor(
  id: number,
  requestId: string,
  operation: OperationName,
  address: Address,
  query: Record<string, string>,
): RequestContext {
  const ctx: RequestContext = { id, requestId, operation, startedAt: Date.now() };
  if (address.bucket !== undefined) ctx.bucket = address.bucket;
  if (address.key !== undefined) ctx.key = address.key;
  const uploadId = queryValue(query, 'uploadId');
  if (uploadId !== undefined) ctx.uploadId = uploadId;
  const partNumber = queryValue(query, 'partNumber');
  if (partNumber !== undefined && /^\d{1,5}$/.test(partNumber)) ctx.partNumber = Number(partNumber);
  return ctx;
}

/** Bucket names are checked for every bucket and object request; keys for object requests (docs/protocol.md#limits). */
function checkNames(address: Address, operation: OperationName): void {
  if (address.bucket !== undefined && !isValidBucketName(address.bucket)) {
    throw new OssError('InvalidBucketName', { extra: { BucketName: address.bucket } });
  }
  if (address.key !== undefined && operation !== 'ListBuckets') {
    const keyError = objectKeyError(address.key);
    if (keyError !== undefined) throw keyError;
  }
}

/** The identity's permissions (docs/protocol.md#permissions); copies also read their source bucket. */
function checkPermissions(identity: Identity, operation: OperationName, address: Address, req: Request): void {
  const copySource =
    operation === 'CopyObject' || operation === 'UploadPartCopy' ? requestHeader(req, 'x-oss-copy-source') : undefined;
  authorize(identity, {
    operation,
    action: OPERATION_TABLE[operation].action,
    ...(address.bucket === undefined ? {} : { bucket: address.bucket }),
    ...(copySource === undefined ? {} : { copySourceBucket: () => parseCopySource(copySource).bucket }),
  });
}

/**
 * Answers a failed request and returns its OSS code. A client that went away, or a reset/close fault, leaves
 * nothing to answer: the connection is already gone or closing (ingest/ owns how).
 */
function answerFailure(
  req: IncomingMessage,
  res: ServerResponse,
  err: unknown,
  o: { requestId: string; hostId: string; log: RequestLog | undefined },
): string | undefined {
  if (err instanceof BodyAbortedError || err instanceof FaultFiredError) return undefined;
  let ossError: OssError;
  if (err instanceof OssError) {
    ossError = err;
  } else {
    if (o.log !== undefined) o.log.internalError(req, o.requestId, err);
    else console.error(`oss-mock: internal error in ${req.method} ${req.url} (request ${o.requestId}):`, err);
    ossError = new OssError('InternalError');
  }
  sendError({ req, res }, ossError, o);
  return ossError.code;
}

async function handleOss(req: Request, res: Response, s: AppServices, id: number): Promise<void> {
  const requestId = requestIdOf(res);
  const host = requestHeader(req, 'host') ?? '';
  let ctx: RequestContext | undefined;
  let code: string | undefined;
  // what is known of a request refused before it had an operation (bad URL, NotImplemented, MethodNotAllowed)
  const subject: EventSubject = { requestId };
  try {
    const target = parseTarget(req.originalUrl);
    const address = resolveAddress({ host, path: target.path, baseDomains: s.config.baseDomains });
    if (address.bucket !== undefined) subject.bucket = address.bucket;
    if (address.key !== undefined) subject.key = address.key;
    // the bucket's CORS rules decide the CORS headers of every answer but a preflight's (which OptionObject gives),
    // error answers included; set now, they survive an error (exchange/reply.ts)
    if (address.bucket !== undefined && req.method !== 'OPTIONS') {
      const cors = await corsHeadersFor(s.store, address.bucket, requestHeader(req, 'origin'), req.method);
      for (const [name, value] of Object.entries(cors)) if (value !== undefined) res.setHeader(name, String(value));
    }
    const operation = dispatch({
      method: req.method,
      level: levelOf(address),
      query: target.query,
      hasCopySource: req.headers['x-oss-copy-source'] !== undefined,
    });
    ctx = contextFor(id, requestId, operation, address, target.query);
    s.control.requestStarted(ctx);
    if (OPERATION_TABLE[operation].trafficLimited) {
      const limit = requestHeader(req, 'x-oss-traffic-limit') ?? target.query['x-oss-traffic-limit'];
      if (limit !== undefined) ctx.trafficLimit = parseTrafficLimit(limit);
    }
    const entry = OPERATION_TABLE[operation];
    // an unsigned operation authenticates in its handler (PostObject's form), or never (a CORS preflight)
    const { scheme, identity } = entry.unsigned
      ? { scheme: undefined, identity: undefined }
      : authenticate(
          { auth: s.config.auth, identities: s.control.identities },
          signableRequest(req, address, target.pairs),
          s.control.clock.date(),
        );
    if (identity !== undefined) ctx.accessKeyId = identity.accessKeyId;
    checkNames(address, operation);
    if (identity !== undefined) checkPermissions(identity, operation, address, req);
    if (scheme === 'anonymous' && s.config.auth) {
      await checkAnonymousAccess(s, operation, address, requestHeader(req, 'x-oss-copy-source'));
    }
    const ex: Exchange = { ctx, req, res, host, query: target.query, plan: s.control.planFor(ctx) };
    await beforeBody(ex, s.control);
    await entry.handler(ex, s);
    if (!res.headersSent && !res.destroyed) throw new Error(`${operation} handler returned without answering`);
  } catch (err) {
    if (err instanceof StoredBytesMissingError) {
      s.control.emit({
        type: 'object.unreadable',
        ...(ctx === undefined ? {} : eventSubject(ctx)),
        error: err.message,
      });
    }
    code = answerFailure(req, res, err, { requestId, hostId: host, log: s.requestLog });
  } finally {
    // status 0: no answer was sent (client gone, connection cut by a fault)
    const status = res.headersSent ? res.statusCode : 0;
    if (s.requestLog !== undefined) s.requestLog.note(res, ctx?.operation, code);
    if (ctx !== undefined) {
      s.control.requestEnded(ctx, status, code);
    } else {
      // every answer is in the event log, those of requests that never had an operation too
      s.control.emit({ type: 'request.start', ...subject });
      s.control.emit({ type: 'request.end', ...subject, status, ...(code === undefined ? {} : { code }) });
    }
  }
}

/**
 * The paths Express routes itself: the control API and the console (`/_mock`, matched as Express matches a mount path:
 * case-insensitively, whole segment), and any request target that is not a plain path (an absolute-form URL).
 */
const EXPRESS_ROUTED = /^(?!\/)|^\/_mock(?:[/?#]|$)/i;

/**
 * The app and the server's request listener. The listener hands OSS requests (every path but /_mock's) straight to
 * the OSS pipeline, with the same first steps the app's middleware would take (request log, common headers) and
 * the request properties that pipeline reads (`originalUrl`, `req.res`/`res.req`): for a small request Express's
 * router was about a tenth of the server's work, and the OSS path uses nothing else of it. /_mock and anything
 * unusual go to the app, which serves OSS requests the same way (createApp, for embedding the mock in another app).
 */
export function createMockListener(services: AppServices): {
  app: express.Express;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
} {
  const { app, common, oss } = buildApp(services);
  const log = services.requestLog;
  const proceed = (): void => {};
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (EXPRESS_ROUTED.test(url)) {
      app(req, res);
      return;
    }
    const request = req as Request;
    const response = res as Response;
    request.originalUrl = url;
    request.res = response;
    response.req = request;
    if (log !== undefined) log.begin(req, res, proceed);
    common(request, response, proceed);
    oss(request, response);
  };
  return { app, listener };
}

export function createApp(services: AppServices): express.Express {
  return buildApp(services).app;
}

function buildApp(services: AppServices): {
  app: express.Express;
  common: (req: Request, res: Response, next: NextFunction) => void;
  oss: (req: Request, res: Response) => void;
} {
  const { config, control } = services;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', false);
  stampServerTime(app);
  const log = services.requestLog;
  if (log !== undefined) app.use(log.begin);
  const common = commonHeaders(control.clock);
  app.use(common);

  // `_` is illegal in bucket names, so /_mock cannot shadow a bucket; a virtual-hosted request for the key
  // `_mock/...` is an object request like any other and never reaches the control API.
  const limits = { idleMs: config.bodyIdleTimeoutMs ?? DEFAULT_BODY_IDLE_TIMEOUT_MS };
  const mockPaths = express.Router();
  mockPaths.use(controlGate({ config, formBody: controlFormBody({ limit: LOGIN_FORM_LIMIT, ...limits }) }));
  mockPaths.use(
    '/ui',
    consoleRouter({
      hub: services.consoleHub ?? new ConsoleHub(control, config),
      assets: new ConsoleAssets(),
      store: services.store,
    }),
  );
  mockPaths.use(controlRouter(control, controlJsonBody({ limit: CONTROL_BODY_LIMIT, ...limits })));
  app.use('/_mock', (req: Request, res: Response, next: NextFunction) => {
    const host = requestHeader(req, 'host') ?? '';
    const style = resolveAddress({ host, path: '/_mock', baseDomains: config.baseDomains }).style;
    if (style !== 'path') return next();
    if (log !== undefined) log.control(res);
    mockPaths(req, res, next);
  });

  let nextId = 1;
  const oss = (req: Request, res: Response): void => {
    const handled = handleOss(req, res, services, nextId++);
    services.active?.track(handled);
  };
  app.use(oss);

  // Anything Express itself (or the control router) lets through still gets the OSS envelope, never HTML, and is
  // logged like every other answer.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = requestIdOf(res);
    const code = answerFailure(req, res, err, { requestId, hostId: requestHeader(req, 'host') ?? '', log });
    if (log !== undefined) log.note(res, undefined, code);
    control.emit({ type: 'request.start', requestId });
    const status = res.headersSent ? res.statusCode : 0;
    control.emit({ type: 'request.end', requestId, status, ...(code === undefined ? {} : { code }) });
  });
  return { app, common, oss };
}
