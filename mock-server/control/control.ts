// One MockControl per server: the rules, the in-flight registry, the event log and the run-time default rates.
// The control router exposes it over HTTP; startMockOss() hands it out as `control`; http/ and ingest/ call its
// hooks (planFor, requestStarted/Ended, trackBody, emit).

import type { FaultSpec, RequestContext, RequestPlan, ServerConfig, ServerServices } from '../context.js';
import type { Store } from '../storage/store.js';
import { RuleValidationError } from './errors.js';
import { EventLog, eventSubject } from './events.js';
import { InflightRegistry, type BodyTracker } from './inflight.js';
import { ruleMatches, validateRates, validateRule, validateWait } from './rules.js';
import type { HealthInfo, InflightEntry, MockEvent, MockEventInput, Rates, Rule, WaitOptions } from './types.js';

function copyRule(r: Rule): Rule {
  return structuredClone(r);
}

/** The slowest of the given rates; undefined (unlimited) when none is given. */
function slowest(rates: Array<number | undefined>): number | undefined {
  let min: number | undefined;
  for (const r of rates) if (r !== undefined && (min === undefined || r < min)) min = r;
  return min;
}

export class MockControl {
  readonly config: ServerConfig;
  private readonly store: Store;
  /** insertion order is match order: the first matching rule with a fault wins */
  private readonly rules = new Map<string, Rule>();
  private nextRuleId = 1;
  private readonly registry = new InflightRegistry();
  private readonly log = new EventLog();
  private rates: { ingest?: number; egress?: number };

  constructor(services: ServerServices) {
    this.config = services.config;
    this.store = services.store;
    this.rates = { ingest: services.config.ingestRate, egress: services.config.egressRate };
  }

  health(): HealthInfo {
    return {
      status: 'ok',
      rules: this.rules.size,
      inflight: this.registry.size,
      lastEventSeq: this.log.seq,
      ...this.getRates(),
    };
  }

  /** Drops every bucket, object and upload, every rule and event; the event seq keeps counting. */
  async reset(): Promise<void> {
    await this.store.reset();
    this.clearRules();
    this.nextRuleId = 1;
    this.log.clear();
  }

  listRules(): Rule[] {
    return [...this.rules.values()].map(copyRule);
  }

  /** Validates `input` (JSON-shaped); throws RuleValidationError naming the bad field. */
  addRule(input: unknown): Rule {
    const { id: given, ...spec } = validateRule(input);
    if (given !== undefined && this.rules.has(given)) throw new RuleValidationError('id', 'already in use');
    let id = given;
    while (id === undefined || this.rules.has(id)) id = `r${this.nextRuleId++}`;
    const rule: Rule = { id, ...spec, hits: 0 };
    this.rules.set(id, rule);
    return copyRule(rule);
  }

  deleteRule(id: string): boolean {
    return this.rules.delete(id);
  }

  clearRules(): number {
    const n = this.rules.size;
    this.rules.clear();
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

  getRates(): Rates {
    return { ingestRate: this.rates.ingest ?? null, egressRate: this.rates.egress ?? null };
  }

  emit(e: MockEventInput): MockEvent {
    return this.log.append(e);
  }

  /**
   * Decides delay, fault and rates for one request. Every matching rule is consumed (`times`, `hits`) and logged.
   * Rates stay live: the slowest of x-oss-traffic-limit, the current defaults, the rules this request consumed
   * that still exist, and any unlimited-`times` rule that matches now (so a rule added mid-upload applies to it).
   */
  planFor(ctx: RequestContext): RequestPlan {
    const consumed = new Set<Rule>();
    let fault: (FaultSpec & { ruleId: string }) | undefined;
    let delayMs = 0;
    for (const rule of this.rules.values()) {
      if (rule.times === 0 || !ruleMatches(rule.match, ctx)) continue;
      if (rule.times !== undefined) rule.times--;
      rule.hits++;
      consumed.add(rule);
      this.emit({ type: 'rule.matched', ...eventSubject(ctx), ruleId: rule.id });
      delayMs = Math.max(delayMs, rule.delayMs ?? 0);
      if (fault === undefined && rule.fault !== undefined) fault = { ...rule.fault, ruleId: rule.id };
    }
    const applying = (): Rule[] =>
      [...this.rules.values()].filter((r) => consumed.has(r) || (r.times === undefined && ruleMatches(r.match, ctx)));
    const plan: RequestPlan = {
      ruleIds: [...consumed].map((r) => r.id),
      delayMs,
      ingestRate: () => slowest([ctx.trafficLimit, this.rates.ingest, ...applying().map((r) => r.ingestRate)]),
      egressRate: () => slowest([ctx.trafficLimit, this.rates.egress, ...applying().map((r) => r.egressRate)]),
    };
    if (fault !== undefined) plan.fault = fault;
    return plan;
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

  /** Registers a body being received (ingest/ calls it); end() the tracker whatever happens. */
  trackBody(ctx: RequestContext, contentLength: number | null): BodyTracker {
    return this.registry.track(ctx, contentLength);
  }
}
