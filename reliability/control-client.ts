// The /_mock control API over HTTP (DESIGN.md "Contracts"), so the same run drives an in-process mock and a CLI
// child process alike.
import type { HealthInfo, InflightEntry, Rule } from '../mock-server/control/types.js';
import type { Endpoint } from './wire.js';

export class ControlClient {
  constructor(
    private readonly ep: Pick<Endpoint, 'host' | 'port'>,
    private readonly token?: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(`http://${this.ep.host}:${this.ep.port}/_mock${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await res.json()) as T;
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  addRule(rule: Omit<Rule, 'id' | 'hits'>): Promise<Rule> {
    return this.call('POST', '/rules', rule);
  }

  async clearRules(): Promise<void> {
    await this.call('DELETE', '/rules');
  }

  health(): Promise<HealthInfo> {
    return this.call('GET', '/health');
  }

  async inflight(): Promise<InflightEntry[]> {
    return (await this.call<{ inflight: InflightEntry[] }>('GET', '/inflight')).inflight;
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
