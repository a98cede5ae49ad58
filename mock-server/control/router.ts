// The control API over HTTP (docs/architecture.md#contracts), mounted by http/ at /_mock on path-style requests,
// behind the gate (gate.ts) that decides who may use it. JSON in and out; every error is `{ error, field? }` so a
// test can assert on the offending field.

import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { MockControl } from './control.js';
import { RuleValidationError, WaitTimeoutError } from './errors.js';
import { validateWait } from './rules.js';
import { parseDuration } from '../clock.js';

const MAX_CLOCK_OFFSET_MS = 10 * 365 * 86_400_000;

/**
 * The query of a control request. Read from the URL itself: the app turns Express's query parser off (OSS query
 * strings are parsed by exchange/request-target.ts), so `req.query` is always empty there.
 */
function queryOf(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : req.originalUrl.slice(at + 1));
}

function sinceParam(query: URLSearchParams, field: string): number | undefined {
  const value = query.get(field);
  if (value === null) return undefined;
  if (!/^\d{1,15}$/.test(value)) {
    throw new RuleValidationError(field, 'must be a non-negative integer');
  }
  return Number(value);
}

/**
 * `jsonBody` reads a request's JSON into req.body (http/ provides the one that applies the OSS routes' idle timeout
 * and limits); a body it refuses reaches the error handler as an Error with a numeric `status`.
 */
export function controlRouter(control: MockControl, jsonBody: RequestHandler): Router {
  const router = express.Router();

  // after access control: a refused caller is never asked for its body (no 100 Continue)
  router.use(jsonBody);

  router.get('/health', (_req, res) => {
    res.json(control.health());
  });

  router.post('/reset', async (_req, res) => {
    await control.reset();
    res.json({ reset: true });
  });

  router.get('/rules', (_req, res) => {
    res.json({ rules: control.listRules() });
  });

  router.post('/rules', (req, res) => {
    res.status(201).json(control.addRule(req.body));
  });

  router.put('/rules/:id', (req, res) => {
    const rule = control.replaceRule(req.params.id as string, req.body);
    if (rule !== undefined) res.json(rule);
    else res.status(404).json({ error: `no rule ${req.params.id}`, field: 'id' });
  });

  router.delete('/rules', (_req, res) => {
    res.json({ deleted: control.clearRules() });
  });

  router.delete('/rules/:id', (req, res) => {
    if (control.deleteRule(req.params.id as string)) res.json({ deleted: 1 });
    else res.status(404).json({ error: `no rule ${req.params.id}`, field: 'id' });
  });

  router.get('/rates', (_req, res) => {
    res.json(control.getRates());
  });

  router.post('/rates', (req, res) => {
    res.json(control.setRates(req.body));
  });

  router.get('/restore-delay', (_req, res) => {
    res.json(control.getRestoreDelay());
  });

  router.post('/restore-delay', (req, res) => {
    res.json(control.setRestoreDelay(req.body));
  });

  // identities (docs/protocol.md#identities): never their secrets or tokens
  router.get('/credentials', (_req, res) => {
    res.json({ credentials: control.credentials() });
  });

  // mints an STS temporary credential: { durationSeconds?, expiration?, permissions?, accessKeyId?, ... }
  router.post('/sts', (req, res) => {
    res.status(201).json(control.mintSts(req.body ?? {}));
  });

  // an STS credential expires now: the next request signed with it is SecurityTokenExpired
  router.post('/sts/:accessKeyId/expire', (req, res) => {
    const expired = control.expireSts(req.params.accessKeyId as string);
    if (expired !== undefined) res.json(expired);
    else res.status(404).json({ error: `no STS credential ${req.params.accessKeyId}`, field: 'accessKeyId' });
  });

  router.get('/clock', (_req, res) => {
    res.json(control.getClock());
  });

  // { offsetMs: number } or { offset: "20m" }: the server's clock runs that far from real time from now on
  router.post('/clock', (req, res) => {
    const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    let ms: number | undefined;
    if (typeof body.offsetMs === 'number' && Number.isFinite(body.offsetMs)) ms = body.offsetMs;
    else if (typeof body.offset === 'string') ms = parseDuration(body.offset);
    if (ms === undefined || Math.abs(ms) > MAX_CLOCK_OFFSET_MS) {
      throw new RuleValidationError(
        body.offset !== undefined ? 'offset' : 'offsetMs',
        'must be a number of milliseconds or a duration like "20m" or "-90s", at most 10 years',
      );
    }
    res.json(control.setClockOffset(ms));
  });

  router.get('/inflight', (_req, res) => {
    res.json({ inflight: control.inflight() });
  });

  router.post('/wait', async (req, res) => {
    const options = validateWait(req.body);
    // the caller hanging up cancels its wait
    const gone = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) gone.abort();
    };
    res.on('close', onClose);
    try {
      res.json({ entries: await control.wait({ ...options, signal: gone.signal }) });
    } catch (err) {
      if (gone.signal.aborted) return;
      throw err;
    } finally {
      res.off('close', onClose);
    }
  });

  router.get('/events', (req, res) => {
    const query = queryOf(req);
    const since = sinceParam(query, 'since');
    const limit = sinceParam(query, 'limit');
    const events = control.events(since, limit);
    res.json({ events, lastSeq: control.health().lastEventSeq });
  });

  router.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no control endpoint ${req.method} ${req.path}` });
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof RuleValidationError) {
      res.status(400).json({ error: err.message, field: err.field });
    } else if (err instanceof WaitTimeoutError) {
      res.status(408).json({ error: err.message, entries: err.matched });
    } else if (isBodyError(err)) {
      res.status(err.status).json({ error: err.message, field: '' });
    } else {
      res.status(500).json({ error: err instanceof Error ? err.message : String(err) });
    }
  });

  return router;
}

/** The body reader's errors carry an HTTP status (400 bad JSON or timed out, 413 too large). */
function isBodyError(err: unknown): err is Error & { status: number } {
  return err instanceof Error && typeof (err as { status?: unknown }).status === 'number';
}
