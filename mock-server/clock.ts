// The mock's wall clock: real time plus an offset (`--clock-offset`, `POST /_mock/clock`), so a test can put the
// server's "now" 20 minutes away from its clients' and watch what each SDK does with RequestTimeTooSkewed. Every
// "now" of the protocol path reads it: the Date header, request IDs (their first 8 hex digits are the time), the
// signature time check and presigned-URL expiry, and the times the store records (Last-Modified, Initiated,
// CreationDate). Durations (x-oss-server-time, throttling, timeouts) use monotonic time and are unaffected.

export class ServerClock {
  constructor(private offset = 0) {}

  /** milliseconds added to the real time */
  get offsetMs(): number {
    return this.offset;
  }

  setOffset(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError(`clock offset must be a finite number of milliseconds: ${ms}`);
    this.offset = Math.trunc(ms);
  }

  now(): number {
    return Date.now() + this.offset;
  }

  date(): Date {
    return new Date(this.now());
  }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `20m`, `-90s`, `1h30m`, `250ms`, `+2d`, `0` -> milliseconds; undefined when it is not a duration. A bare number
 * other than 0 is refused: `--clock-offset 20` would be ambiguous.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (/^[+-]?0+$/.test(s)) return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/.exec(s);
  if (!m) return undefined;
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(part[1]) * UNIT_MS[part[2]!]!;
  return Math.round(m[1] === '-' ? -total : total);
}
