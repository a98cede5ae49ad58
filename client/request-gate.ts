// The C++ SDK's DisableRequest/EnableRequest switch (docs/protocol.md#cpp-sdk): one flag per client instance
// (HttpClient::disable_), checked before each attempt, while a transfer runs, in the retry loop and by resumable
// workers. Where curl polls the flag from its progress callback (~250 ms cadence), this gate holds the AbortController
// of every running attempt and aborts them all synchronously when the flag is set.
import { requestsDisabledError } from './errors.js';

/** The abort reason every in-flight attempt sees when its client is disabled. */
export const DISABLED = Symbol('requests disabled');

export class RequestGate {
  #disabled = false;
  readonly #inflight = new Set<AbortController>();
  readonly #sleepers = new Set<() => void>();

  get enabled(): boolean {
    return !this.#disabled;
  }

  /** Aborts every running attempt at once and wakes every retry back-off. */
  disable(): void {
    this.#disabled = true;
    for (const controller of this.#inflight) controller.abort(DISABLED);
    this.#inflight.clear();
    for (const wake of this.#sleepers) wake();
    this.#sleepers.clear();
  }

  enable(): void {
    this.#disabled = false;
  }

  /** Throws ClientError:100002 while disabled (Client.cc AttemptOnceRequest). */
  assertEnabled(): void {
    if (this.#disabled) throw requestsDisabledError();
  }

  /** Registers one attempt; throws ClientError:100002 while disabled, before any socket exists. */
  begin(): AbortController {
    this.assertEnabled();
    const controller = new AbortController();
    this.#inflight.add(controller);
    return controller;
  }

  /** Unregisters an attempt once its response has been fully consumed or it has failed. */
  end(controller: AbortController): void {
    this.#inflight.delete(controller);
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** A retry back-off (HttpClient::waitForRetry): resolves after `ms`, or at once when the client is disabled. */
  sleep(ms: number): Promise<void> {
    if (this.#disabled || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }
}
