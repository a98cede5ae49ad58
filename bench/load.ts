// A closed-loop load generator: `concurrency` workers each issue one operation after another until the window
// closes. Ops/s is completed operations over the window; latencies feed the p99.
export interface LoadResult {
  ops: number;
  opsPerSecond: number;
  latenciesMs: number[];
  errors: number;
  firstError?: string;
}

/** caps a window's operations whatever the clock says, so a loop can never run away */
const MAX_OPS = 5_000_000;

export async function closedLoop(o: {
  concurrency: number;
  windowMs: number;
  op: (seq: number) => Promise<void>;
  /** stop early once this says so (checked before each operation) */
  until?: () => boolean;
}): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let seq = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + o.windowMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline && seq < MAX_OPS && !(o.until?.() ?? false)) {
      const t0 = performance.now();
      try {
        await o.op(seq++);
        latenciesMs.push(performance.now() - t0);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const elapsed = performance.now() - started;
  const result: LoadResult = {
    ops: latenciesMs.length,
    opsPerSecond: latenciesMs.length / (elapsed / 1000),
    latenciesMs,
    errors,
  };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}
