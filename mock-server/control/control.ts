// One MockControl per server: the rules, the in-flight registry, the event log and the run-time default rates.
// The control router exposes it over HTTP; startMockOss() hands it out as `control`; http/ and ingest/ call its
// hooks (planFor, requestStarted/Ended, trackBody, emit).

import type { FaultSpec, RateLimit, RequestContext, RequestPlan } from '../exchange/exchange.js';
import type { ServerConfig } from '../exchange/config.js';
import type { Store } from '../storage/store.js';
import {
  IdentityConfigError,
  IdentityRegistry,
  validatePermissions,
  type IdentityInfo,
  type MintedSts,
  type MintStsOptions,
} from './identities.js';
import { RuleValidationError } from './errors.js';
import { EventLog, eventSubject } from './events.js';
import { InflightRegistry, type BodyTracker } from './inflight.js';
import { DEFAULT_RESTORE_DELAY_MS, validateRestoreDelay } from './restore-delay.js';
import { ruleMatches, validateRates, validateRule, validateWait } from './rules.js';
import { ServerClock } from '../clock.js';
import { mockVersion } from '../version.js';
import { resolve } from 'node:path';
import type {
  ClockInfo,
  HealthInfo,
  InflightEntry,
  MockEvent,
  MockEventInput,
  Rates,
  Rule,
  WaitOptions,
} from './types.js';

function copyRule(r: Rule): Rule {
  return structuredClone(r);
}

/** A rule as the control holds it. */
interface Held {
  rule: Rule;
  /** clearRules()/reset() generation it was added in: a later clear withdraws it */
  epoch: number;
  /** removed by deleteRule(): it no longer applies, even to requests that consumed it */
  deleted: boolean;
}

/** The slower of two rates (undefined: unlimited). */
function slower(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined || a <= b ? a : b;
}

/** The rule with the slowest ingest rate (the first of equals), if any rule sets one. */
function slowestIngestRule(rules: Rule[]): Rule | undefined {
  let min: Rule | undefined;
  for (const r of rules)
    if (r.ingestRate !== undefined && (min === undefined || r.ingestRate < min.ingestRate!)) min = r;
  return min;
}

/** The slowest of the given rates; undefined (unlimited) when none is given. */
function slowest(rates: Array<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const r of rates) if (r !== undefined && (min === undefined || r < min)) min = r;
  return min;
}

/** IdentityConfigError as the control API reports bad input. */
function withField<T>(f: () => T, field = ''): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof IdentityConfigError) throw new RuleValidationError(field, err.message);
    throw err;
  }
}

/** The JSON body of POST /_mock/sts. */
function validateMint(input: unknown): MintStsOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new RuleValidationError('', 'must be a JSON object');
  }
  const { durationSeconds, expiration, permissions, accessKeyId, accessKeySecret, securityToken, ...rest } =
    input as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw new RuleValidationError(unknown, 'unknown field');
  const o: MintStsOptions = {};
  if (durationSeconds !== undefined) {
    if (typeof durationSeconds !== 'number') throw new RuleValidationError('durationSeconds', 'must be a number');
    o.durationSeconds = durationSeconds;
  }
  if (expiration !== undefined) {
    const at = typeof expiration === 'string' ? new Date(expiration) : undefined;
    if (at === undefined || Number.isNaN(at.getTime())) {
      throw new RuleValidationError('expiration', 'must be an ISO 8601 time');
    }
    o.expiration = at;
  }
  if (permissions !== undefined)
    o.permissions = withField(() => validatePermissions(permissions, 'permissions'), 'permissions');
  for (const [field, value] of Object.entries({ accessKeyId, accessKeySecret, securityToken })) {
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new RuleValidationError(field, 'must be a string');
    o[field as 'accessKeyId' | 'accessKeySecret' | 'securityToken'] = value;
  }
  return o;
}

export class MockControl {
  readonly config: ServerConfig;
  private readonly store: Store;
  /**
   * The live rules; insertion order is match order (the first matching rule with a fault wins). A rule whose `times`
   * is used up leaves this map at once, so matching never scans exhausted rules; the requests that consumed it keep
   * its rates through their plans.
   */
  private readonly rules = new Map<string, Held>();
  private nextRuleId = 1;
  private epoch = 0;
  private resetCount = 0;
  /** bumped whenever the set of rules changes: plans recompute their rule rates only then */
  private version = 0;
  private readonly registry = new InflightRegistry();
  private readonly log = new EventLog();
  private rates: { ingest?: number; egress?: number };
  private restoreDelayMs: number;
  /** who may sign requests: configured identities and STS credentials minted at run time */
  readonly identities: IdentityRegistry;
  /** the server's wall clock (Date header, signature time checks, presign expiry, recorded times) */
  readonly clock: ServerClock;
  /** performance.now() at creation: uptime is monotonic, unaffected by the clock offset or system clock changes */
  private readonly createdAt = performance.now();
  /** how request bodies were read (health's `bodies`) */
  private readonly bodies = { whole: 0, streamed: 0 };

  /** Throws IdentityConfigError for a bad identity configuration (duplicate key id, malformed permissions). */
  constructor(services: { config: ServerConfig; store: Store }) {
    this.config = services.config;
    this.clock = new ServerClock(services.config.clockOffsetMs ?? 0);
    this.identities = new IdentityRegistry(services.config, () => this.clock.date());
    this.store = services.store;
    this.rates = { ingest: services.config.ingestRate, egress: services.config.egressRate };
    this.restoreDelayMs = services.config.restoreDelayMs ?? DEFAULT_RESTORE_DELAY_MS;
  }

  health(): HealthInfo {
    const dataDir = this.config.dataDir;
    return {
      status: 'ok',
      version: mockVersion(),
      uptimeSeconds: Math.floor((performance.now() - this.createdAt) / 1000),
      store: dataDir === undefined ? 'memory' : 'file',
      ...(dataDir === undefined ? {} : { dataDir: resolve(dataDir) }),
      ...this.store.counts(),
      rules: this.rules.size,
      inflight: this.registry.size,
      lastEventSeq: this.log.seq,
      bodies: { ...this.bodies },
      ...this.getRates(),
    };
  }

  /**
   * Drops every bucket, object and upload, every rule and event, and the STS credentials minted at run time; the
   * event seq keeps counting.
   */
  async reset(): Promise<void> {
    await this.store.reset();
    this.identities.dropMinted();
    this.clearRules();
    this.nextRuleId = 1;
    this.log.clear();
    this.registry.clear();
    this.resetCount++;
  }

  /** How many times reset() ran: a reader of the event log (the console) sees from it that the log was emptied. */
  get resets(): number {
    return this.resetCount;
  }

  listRules(): Rule[] {
    return [...this.rules.values()].map((h) => copyRule(h.rule));
  }

  /** Validates `input` (JSON-shaped); throws RuleValidationError naming the bad field. */
  addRule(input: unknown): Rule {
    const { id: given, ...spec } = validateRule(input);
    if (given !== undefined && this.rules.has(given)) throw new RuleValidationError('id', 'already in use');
    let id = given;
    while (id === undefined || this.rules.has(id)) id = `r${this.nextRuleId++}`;
    const rule: Rule = { id, ...spec, hits: 0 };
    this.rules.set(id, { rule, epoch: this.epoch, deleted: false });
    this.version++;
    return copyRule(rule);
  }

  /**
   * Replaces the live rule `id` with `input` (validated like addRule; an `id` in it must be the same), in its place in
   * the match order and keeping its hits. Requests in flight that it applied to drop the old version's rates, as for
   * deleteRule, and an unlimited-`times` new version applies to them if it matches. Undefined when no such rule.
   */
  replaceRule(id: string, input: unknown): Rule | undefined {
    const { id: given, ...spec } = validateRule(input);
    const old = this.rules.get(id);
    if (old === undefined) return undefined;
    if (given !== undefined && given !== id) throw new RuleValidationError('id', `must be ${id}, the rule replaced`);
    const rule: Rule = { id, ...spec, hits: old.rule.hits };
    old.deleted = true;
    const entries = [...this.rules];
    this.rules.clear();
    for (const [k, held] of entries) this.rules.set(k, k === id ? { rule, epoch: this.epoch, deleted: false } : held);
    this.version++;
    return copyRule(rule);
  }

  /** Removes a live rule; it stops applying to the requests in flight too. */
  deleteRule(id: string): boolean {
    const held = this.rules.get(id);
    if (held === undefined) return false;
    held.deleted = true;
    this.rules.delete(id);
    this.version++;
    return true;
  }

  /** Removes every rule, and lifts the rates of used-up rules from the requests in flight that consumed them. */
  clearRules(): number {
    const n = this.rules.size;
    this.rules.clear();
    this.epoch++;
    this.version++;
    return n;
  }

  inflight(): InflightEntry[] {
    return this.registry.list();
  }

  /** See InflightRegistry.wait; the options are validated like the HTTP body of POST /_mock/wait. */
  wait(o: WaitOptions): Promise<InflightEntry[]> {
    const { signal, ...input } = o;
    return this.registry.wait({ ...validateWait(input), signal });
  }

  events(since?: number, limit?: number): MockEvent[] {
    return this.log.since(since, limit);
  }

  /** Changes the --ingest-rate / --egress-rate defaults (null: unlimited, absent: unchanged), in flight too. */
  setRates(o: { ingestRate?: number | null; egressRate?: number | null }): Rates {
    const valid = validateRates(o);
    if (valid.ingestRate !== undefined) this.rates.ingest = valid.ingestRate ?? undefined;
    if (valid.egressRate !== undefined) this.rates.egress = valid.egressRate ?? undefined;
    return this.getRates();
  }

  /** The identities that may sign requests (never their secrets or tokens). */
  credentials(): IdentityInfo[] {
    return this.identities.list();
  }

  /**
   * Mints an STS temporary credential (docs/protocol.md#sts): random unless given, expiring after durationSeconds
   * (default 3600) or at `expiration`. Throws RuleValidationError naming the bad field.
   */
  mintSts(input: unknown = {}): MintedSts {
    return withField(() => this.identities.mintSts(validateMint(input)));
  }

  /** Makes an STS credential expire now; undefined for an unknown or permanent access key id. */
  expireSts(accessKeyId: string): IdentityInfo | undefined {
    return this.identities.expire(accessKeyId);
  }

  /** Sets the offset of the server's clock from real time (`--clock-offset` at run time); returns the clock. */
  setClockOffset(offsetMs: number): ClockInfo {
    this.clock.setOffset(offsetMs);
    return this.getClock();
  }

  getClock(): ClockInfo {
    return { offsetMs: this.clock.offsetMs, now: this.clock.date().toISOString() };
  }

  getRates(): Rates {
    return { ingestRate: this.rates.ingest ?? null, egressRate: this.rates.egress ?? null };
  }

  /** How long a RestoreObject started from now takes (restores already running keep their time). */
  getRestoreDelay(): { restoreDelayMs: number } {
    return { restoreDelayMs: this.restoreDelayMs };
  }

  /** `{ restoreDelayMs }` in ms or as a duration string; throws RuleValidationError naming the field. */
  setRestoreDelay(input: unknown): { restoreDelayMs: number } {
    this.restoreDelayMs = validateRestoreDelay(input);
    return this.getRestoreDelay();
  }

  /** Logs an event; returns its seq. */
  emit(e: MockEventInput): number {
    return this.log.append(e);
  }

  /**
   * Decides delay, fault and rates for one request. Every matching rule is consumed (`times`, `hits`) and logged; a
   * rule used up by it leaves the rule list (`rule.exhausted` in the event log). Rates stay live: the slowest of
   * x-oss-traffic-limit, the current defaults, the rules this request consumed (until deleted or cleared), and any
   * live unlimited-`times` rule that matches now (so a rule added mid-upload applies to it).
   */
  planFor(ctx: RequestContext): RequestPlan {
    const consumed: Held[] = [];
    let fault: (FaultSpec & { ruleId: string }) | undefined;
    let delayMs = 0;
    for (const held of this.rules.values()) {
      const { rule } = held;
      if (!ruleMatches(rule.match, ctx)) continue;
      if (rule.times !== undefined) rule.times--;
      rule.hits++;
      consumed.push(held);
      this.emit({ type: 'rule.matched', ...eventSubject(ctx), ruleId: rule.id });
      if (rule.times === 0) {
        this.rules.delete(rule.id);
        this.version++;
        this.emit({ type: 'rule.exhausted', ...eventSubject(ctx), ruleId: rule.id, hits: rule.hits });
      }
      delayMs = Math.max(delayMs, rule.delayMs ?? 0);
      if (fault === undefined && rule.fault !== undefined) fault = { ...rule.fault, ruleId: rule.id };
    }
    // the throttle re-reads the rates many times a second: the rule part is recomputed only when the rules changed
    let cached: { version: number; ingest?: number; ingestRuleId?: string; egress?: number } | undefined;
    const ruleRates = (): { ingest?: number; ingestRuleId?: string; egress?: number } => {
      if (cached?.version !== this.version) {
        const applying = consumed
          .filter((h) => !h.deleted && h.epoch === this.epoch)
          .map((h) => h.rule)
          .concat(this.unlimitedMatching(ctx).filter((r) => !consumed.some((h) => h.rule === r)));
        const ingestRule = slowestIngestRule(applying);
        cached = {
          version: this.version,
          ingest: ingestRule?.ingestRate,
          ingestRuleId: ingestRule?.id,
          egress: slowest(applying.map((r) => r.egressRate)),
        };
      }
      return cached;
    };
    const plan: RequestPlan = {
      ruleIds: consumed.map((h) => h.rule.id),
      delayMs,
      // called for every batch of a body: no array, and no rule work while no rule exists or applies
      ingestRate: () =>
        slower(
          slower(ctx.trafficLimit, this.rates.ingest),
          consumed.length + this.rules.size > 0 ? ruleRates().ingest : undefined,
        ),
      egressRate: () =>
        slower(
          slower(ctx.trafficLimit, this.rates.egress),
          consumed.length + this.rules.size > 0 ? ruleRates().egress : undefined,
        ),
      ingestLimit: () => {
        // the same minimum as ingestRate(); of equal rates a rule is named first, then the request's own limit
        const byRule = consumed.length + this.rules.size > 0 ? ruleRates() : undefined;
        let limit: RateLimit | undefined =
          byRule?.ingest === undefined ? undefined : { rate: byRule.ingest, by: 'rule', ruleId: byRule.ingestRuleId! };
        if (ctx.trafficLimit !== undefined && (limit === undefined || ctx.trafficLimit < limit.rate))
          limit = { rate: ctx.trafficLimit, by: 'traffic-limit' };
        const byDefault = this.rates.ingest;
        if (byDefault !== undefined && (limit === undefined || byDefault < limit.rate))
          limit = { rate: byDefault, by: 'default' };
        return limit;
      },
    };
    if (fault !== undefined) plan.fault = fault;
    return plan;
  }

  /** The live rules without a `times` limit that match `ctx`. */
  private unlimitedMatching(ctx: RequestContext): Rule[] {
    const out: Rule[] = [];
    for (const { rule } of this.rules.values())
      if (rule.times === undefined && ruleMatches(rule.match, ctx)) out.push(rule);
    return out;
  }

  requestStarted(ctx: RequestContext): void {
    this.emit({ type: 'request.start', ...eventSubject(ctx) });
  }

  requestEnded(ctx: RequestContext, status: number, code?: string): void {
    this.emit(
      code === undefined
        ? { type: 'request.end', ...eventSubject(ctx), status }
        : { type: 'request.end', ...eventSubject(ctx), status, code },
    );
  }

  /**
   * A request its client interrupted before the body reader started (during a delay or an early stall): logs
   * body.aborted and tells the `until: 'aborted'` waits. The body reader reports its own through its tracker.
   */
  bodyAborted(ctx: RequestContext, contentLength: number | null): void {
    this.emit({ type: 'body.aborted', ...eventSubject(ctx), bytesReceived: 0 });
    this.registry.abortedBeforeBody(ctx, contentLength);
  }

  /** Counts a request body by how the body reader read it: in one step, or through the pacing reader. */
  bodyTaken(how: 'whole' | 'streamed'): void {
    this.bodies[how]++;
  }

  /** Whether some wait (POST /_mock/wait, wait()) is pending. */
  get waiting(): boolean {
    return this.registry.waiting;
  }

  /**
   * Registers a body being received (ingest/ calls it); end() the tracker whatever happens. With the request's plan,
   * its in-flight entry tells the rate that applies and what sets it.
   */
  trackBody(ctx: RequestContext, contentLength: number | null, plan?: RequestPlan): BodyTracker {
    return this.registry.track(ctx, contentLength, plan);
  }
}
