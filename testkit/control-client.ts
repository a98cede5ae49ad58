// The one client of the mock's control API over HTTP (`/_mock/...` on a path-style request, JSON in and out; the
// README's "control API" table): the conformance suite drives an external oss-mock with it, the reliability runs an
// in-process mock and a CLI child alike. A list answer is accepted bare or wrapped (`{ inflight: [...] }`).
import type { MintedSts } from '../mock-server/control/identities.js';
import type { HealthInfo, InflightEntry, MockEvent, Rule, WaitOptions } from '../mock-server/control/types.js';

export type RuleInput = Omit<Rule, 'id' | 'hits'> & { id?: string };

export class ControlClient {
  private readonly base: string;

  /** `endpoint`: `http://127.0.0.1:9000`, or the host and port of one */
  constructor(
    endpoint: string | { host: string; port: number },
    private readonly token?: string,
  ) {
    const url = typeof endpoint === 'string' ? endpoint : `http://${endpoint.host}:${endpoint.port}`;
    this.base = `${url.replace(/\/+$/, '')}/_mock`;
  }

  private async call(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`control API ${method} ${path}: HTTP ${res.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  async addRule(rule: RuleInput): Promise<Rule> {
    return (await this.call('POST', '/rules', rule)) as Rule;
  }

  async deleteRule(id: string): Promise<void> {
    await this.call('DELETE', `/rules/${encodeURIComponent(id)}`);
  }

  async clearRules(): Promise<void> {
    await this.call('DELETE', '/rules');
  }

  async health(): Promise<HealthInfo> {
    return (await this.call('GET', '/health')) as HealthInfo;
  }

  /** seq of the newest event (0 when none): the cursor for "what happened from now on" */
  async lastEventSeq(): Promise<number> {
    const seq = ((await this.call('GET', '/health')) as Partial<HealthInfo> | undefined)?.lastEventSeq;
    if (typeof seq !== 'number') throw new Error('control API: /health has no lastEventSeq');
    return seq;
  }

  async inflight(): Promise<InflightEntry[]> {
    return unwrapList<InflightEntry>(await this.call('GET', '/inflight'), 'inflight');
  }

  /** Resolves when `count` matching in-flight requests have each received >= minBytes; rejects on timeout. */
  async wait(o: Omit<WaitOptions, 'signal'>): Promise<InflightEntry[]> {
    return unwrapList<InflightEntry>(await this.call('POST', '/wait', o, o.timeoutMs + 30_000), 'entries');
  }

  /** Events with seq > since, oldest first. */
  async events(since = 0): Promise<MockEvent[]> {
    const events = unwrapList<MockEvent>(await this.call('GET', `/events?since=${since}`), 'events');
    return events.filter((e) => e.seq > since);
  }

  /** Mints an STS temporary credential (POST /_mock/sts; docs/protocol.md#sts). */
  async mintSts(o: { durationSeconds?: number; expiration?: string } = {}): Promise<MintedSts> {
    return (await this.call('POST', '/sts', o)) as MintedSts;
  }

  /** Polls (bounded) until no request body is being received; returns what is still in flight at the end. */
  async settle(timeoutMs = 10_000): Promise<InflightEntry[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const entries = await this.inflight();
      if (entries.length === 0 || Date.now() > deadline) return entries;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Probes `<endpoint>/_mock/health`: true when the endpoint is an oss-mock whose control API lets us in. */
export async function hasHttpControl(endpoint: string, token?: string): Promise<boolean> {
  try {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const res = await fetch(endpoint.replace(/\/+$/, '') + '/_mock/health', {
      headers,
      signal: AbortSignal.timeout(3000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

function unwrapList<T>(v: unknown, field: string): T[] {
  if (Array.isArray(v)) return v as T[];
  if (typeof v === 'object' && v !== null && Array.isArray((v as Record<string, unknown>)[field])) {
    return (v as Record<string, unknown>)[field] as T[];
  }
  throw new Error(`control API: expected a list (or {${field}: [...]}), got ${JSON.stringify(v)?.slice(0, 200)}`);
}
