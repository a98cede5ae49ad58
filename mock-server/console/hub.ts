// The live side of the web console: one hub per server, fanning a coalesced view of the control state out to the
// open consoles (GET /_mock/ui/stream). It samples the in-flight registry, the event log, the rules and the rates on
// a timer that runs only while at least one console is connected, and sends only what changed since the last tick:
// an upload's progress reaches a page at most 1000/tickMs times a second however fast its bytes arrive, and with no
// console open the request path does no work for it at all (no hook, no listener, no timer).

import { FAULT_TYPES } from '../control/rules.js';
import type { MockControl } from '../control/control.js';
import { OPERATIONS } from '../exchange/exchange.js';
import type { ServerConfig } from '../exchange/config.js';
import { UploadOutcomes } from './outcomes.js';
import type { ConsoleInfo, ConsoleMessage } from './wire.js';

export const CONSOLE_TICK_MS = 250;
/** events a newly connected console gets, and the most streamed in one tick */
export const CONSOLE_EVENTS = 1000;
/** events replayed into the finished-upload list when the first console connects */
const BACKFILL_EVENTS = 20_000;

export type ConsoleSend = (message: ConsoleMessage) => void;

export interface ConsoleHubOptions {
  tickMs?: number;
  /** false: no timer, the owner calls tick() (tests) */
  autoTick?: boolean;
}

export class ConsoleHub {
  private readonly subscribers = new Set<ConsoleSend>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private readonly autoTick: boolean;
  /** state kept only while a console is open */
  private live:
    | {
        outcomes: UploadOutcomes;
        cursor: number;
        resets: number;
        inflight: string;
        rules: string;
        rates: string;
      }
    | undefined;

  constructor(
    private readonly control: MockControl,
    private readonly config: ServerConfig,
    o: ConsoleHubOptions = {},
  ) {
    this.tickMs = o.tickMs ?? CONSOLE_TICK_MS;
    this.autoTick = o.autoTick ?? true;
  }

  get consoles(): number {
    return this.subscribers.size;
  }

  /** Whether the sampling timer runs (only while a console is connected). */
  get running(): boolean {
    return this.live !== undefined;
  }

  /** Sends `send` a snapshot now and the changes every tick, until the returned function is called. */
  subscribe(send: ConsoleSend): () => void {
    // bring the others up to date first, so the snapshot and the next tick's changes neither overlap nor leave a gap
    this.tick();
    const live = this.start();
    const rules = this.control.listRules();
    const rates = this.control.getRates();
    send({
      type: 'snapshot',
      info: this.info(),
      now: Date.now(),
      inflight: this.control.inflight(),
      recent: live.outcomes.list(),
      rules,
      rates,
      events: this.control.events(Math.max(0, live.cursor - CONSOLE_EVENTS), CONSOLE_EVENTS),
    });
    this.subscribers.add(send);
    return () => {
      if (this.subscribers.delete(send) && this.subscribers.size === 0) this.stop();
    };
  }

  /** One round of sampling; sends each console what changed. */
  tick(): void {
    const live = this.live;
    if (live === undefined) return;
    const { control } = this;
    if (control.resets !== live.resets) {
      live.resets = control.resets;
      live.outcomes.clear();
      this.broadcast({ type: 'reset' });
    }
    const inflight = control.inflight();
    // an entry's rate decays after its bytes stop, so an upload keeps sending for a second after it stalls
    const inflightJson = JSON.stringify(inflight);
    if (inflightJson !== live.inflight) {
      live.inflight = inflightJson;
      this.broadcast({ type: 'inflight', now: Date.now(), inflight });
    }
    const lastSeq = control.health().lastEventSeq;
    if (lastSeq > live.cursor) {
      const events = control.events(live.cursor);
      live.cursor = lastSeq;
      live.outcomes.add(events);
      const skipped = Math.max(0, events.length - CONSOLE_EVENTS);
      this.broadcast({ type: 'events', events: skipped > 0 ? events.slice(skipped) : events, skipped });
    }
    // after the events: an upload that started since the last tick is known to the outcomes by now
    live.outcomes.sawInflight(inflight);
    const finished = live.outcomes.takeFinished();
    if (finished.length > 0) this.broadcast({ type: 'finished', uploads: finished });
    const rules = control.listRules();
    const rulesJson = JSON.stringify(rules);
    if (rulesJson !== live.rules) {
      live.rules = rulesJson;
      this.broadcast({ type: 'rules', rules });
    }
    const rates = control.getRates();
    const ratesJson = JSON.stringify(rates);
    if (ratesJson !== live.rates) {
      live.rates = ratesJson;
      this.broadcast({ type: 'rates', rates });
    }
  }

  /** Disconnects every console (server closing). */
  close(): void {
    this.subscribers.clear();
    this.stop();
  }

  private info(): ConsoleInfo {
    return {
      storage: this.config.dataDir ?? 'memory',
      auth: this.config.auth,
      tokenRequired: this.config.controlToken !== undefined,
      tickMs: this.tickMs,
      operations: OPERATIONS,
      faultTypes: FAULT_TYPES,
    };
  }

  private start(): NonNullable<ConsoleHub['live']> {
    if (this.live !== undefined) return this.live;
    const { control } = this;
    const lastSeq = control.health().lastEventSeq;
    const outcomes = new UploadOutcomes();
    outcomes.add(control.events(Math.max(0, lastSeq - BACKFILL_EVENTS)));
    outcomes.takeFinished();
    const inflight = control.inflight();
    outcomes.sawInflight(inflight);
    this.live = {
      outcomes,
      cursor: lastSeq,
      resets: control.resets,
      inflight: JSON.stringify(inflight),
      rules: JSON.stringify(control.listRules()),
      rates: JSON.stringify(control.getRates()),
    };
    if (this.autoTick) {
      this.timer = setInterval(() => this.tick(), this.tickMs);
      this.timer.unref();
    }
    return this.live;
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.live = undefined;
  }

  private broadcast(message: ConsoleMessage): void {
    for (const send of [...this.subscribers]) send(message);
  }
}
