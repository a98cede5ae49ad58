// The mock's control API as the suite uses it (docs/architecture.md#contracts). The embedded target adapts the
// in-process MockControl; an external oss-mock is reached over HTTP at `<endpoint>/_mock/`. Real OSS has neither, and
// scenarios that need it are skipped there.

import type { FaultSpec, OperationName } from '../../mock-server/exchange/exchange.js';
import type { RuleMatch } from '../../mock-server/control/types.js';
import { ControlClient, hasHttpControl } from '../../testkit/control-client.js';

export type { OperationName, RuleMatch };

/** A rule as POST /_mock/rules takes it (the server assigns id and counts hits). */
export interface RuleInput {
  match: RuleMatch;
  ingestRate?: number;
  egressRate?: number;
  delayMs?: number;
  fault?: FaultSpec;
  times?: number;
}

export interface InflightEntry {
  requestId: string;
  operation: string;
  bucket?: string | null;
  key?: string | null;
  bytesReceived: number;
}

export interface ControlEvent {
  seq: number;
  type: string;
  operation?: string;
  bucket?: string;
  key?: string;
  uploadId?: string;
  partNumber?: number;
  requestId?: string;
  bytesReceived?: number;
  status?: number;
  [detail: string]: unknown;
}

export interface WaitOptions {
  match: RuleMatch;
  /** 'aborted': answers once the mock has noticed that `count` matching requests were interrupted */
  until?: 'received' | 'aborted';
  minBytes?: number;
  count?: number;
  timeoutMs: number;
}

export interface ControlApi {
  addRule(rule: RuleInput): Promise<{ id: string }>;
  deleteRule(id: string): Promise<void>;
  /** resolves when `count` matching in-flight requests have each received >= minBytes; rejects on timeout */
  wait(o: WaitOptions): Promise<InflightEntry[]>;
  /** events with seq > since, oldest first */
  events(since?: number): Promise<ControlEvent[]>;
  /** seq of the newest event (0 when none): the cursor for "what happened from now on" */
  lastEventSeq(): Promise<number>;
  inflight(): Promise<InflightEntry[]>;
  /** runs the server's clock `offsetMs` away from real time (0: real time again) */
  setClockOffset(offsetMs: number): Promise<void>;
  /** mints an STS temporary credential valid for `durationSeconds` of the server's clock (POST /_mock/sts) */
  mintSts(o: { durationSeconds: number }): Promise<StsCredential>;
}

/** What POST /_mock/sts answers (named as STS AssumeRole names its Credentials). */
export interface StsCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** ISO time */
  expiration: string;
}

/** The subset of mock-server/control MockControl the adapter relies on (sync or async results both work). */
export interface InProcessControl {
  addRule(input: unknown): { id: string } | Promise<{ id: string }>;
  deleteRule(id: string): boolean | Promise<boolean>;
  wait(o: WaitOptions): Promise<unknown[]>;
  events(since?: number): unknown[] | Promise<unknown[]>;
  inflight(): unknown[] | Promise<unknown[]>;
  health(): { lastEventSeq: number } | Promise<{ lastEventSeq: number }>;
  setClockOffset(offsetMs: number): unknown;
  mintSts(input: unknown): StsCredential;
}

export function inProcessControl(c: InProcessControl): ControlApi {
  return {
    addRule: async (rule) => ({ id: (await c.addRule(rule)).id }),
    deleteRule: async (id) => {
      await c.deleteRule(id);
    },
    wait: async (o) => (await c.wait(o)) as InflightEntry[],
    events: async (since) => after(since, (await c.events(since)) as ControlEvent[]),
    lastEventSeq: async () => (await c.health()).lastEventSeq,
    inflight: async () => (await c.inflight()) as InflightEntry[],
    setClockOffset: async (offsetMs) => {
      await c.setClockOffset(offsetMs);
    },
    mintSts: async (o) => c.mintSts(o),
  };
}

/** The control API of an oss-mock reached over HTTP (path-style `/_mock/...`, JSON in and out). */
export function httpControl(endpoint: string, token?: string): ControlApi {
  const client = new ControlClient(endpoint, token);
  return {
    addRule: async (rule) => ({ id: (await client.addRule(rule)).id }),
    deleteRule: (id) => client.deleteRule(id),
    wait: async (o) => (await client.wait(o)) as InflightEntry[],
    events: async (since) => after(since, (await client.events(since)) as unknown as ControlEvent[]),
    lastEventSeq: () => client.lastEventSeq(),
    inflight: async () => (await client.inflight()) as InflightEntry[],
    setClockOffset: async (offsetMs) => {
      const res = await fetch(`${endpoint.replace(/\/+$/, '')}/_mock/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ offsetMs }),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`control API POST /clock: HTTP ${res.status} ${text}`);
    },
    mintSts: (o) => client.mintSts(o),
  };
}

export { hasHttpControl };

function after(since: number | undefined, events: ControlEvent[]): ControlEvent[] {
  return since === undefined ? events : events.filter((e) => e.seq > since);
}
