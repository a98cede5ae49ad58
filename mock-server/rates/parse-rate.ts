// Rates as people write them (the CLI's --ingest-rate, README.md: `262144`, `256KiB/s`, `2MiB/s`), always resolved to
// bytes/s.

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

const RATE = /^(\d+(?:\.\d+)?)\s*([a-z]*)(?:\/s)?$/i;

/** Bytes/s from `262144`, `256KiB/s`, `2MiB/s`, `1.5MB/s`; undefined when not a positive rate. */
export function parseRate(text: string): number | undefined {
  const m = RATE.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const rate = Math.round(Number(m[1]) * unit);
  return rate >= 1 && Number.isSafeInteger(rate) ? rate : undefined;
}
