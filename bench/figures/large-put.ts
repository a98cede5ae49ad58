// Large uploads: one PUT of the whole object, and the same size as a multipart upload in 8 MiB parts, to the mock's
// memory and file stores against the two sinks and s3rver. Targets take turns, round after round, and each figure is
// the median over rounds, so a noisy neighbour hurts every target alike.
import { execFileSync } from 'node:child_process';
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { putBytes } from '../http-client.js';
import { multipartUpload } from '../multipart.js';
import { GiB, median, mibPerSecond } from '../stats.js';
import { startTargets, stopAll, type Target, type TargetKind } from '../targets.js';

const KINDS: TargetKind[] = ['mock-memory', 'mock-file', 'md5crc', 'md5crc-keep', 'md5crc-file', 'bare', 's3rver'];

const BASELINE_NAMES: Record<TargetKind, string> = {
  md5crc: 'MD5+CRC sink',
  'md5crc-keep': 'MD5+CRC sink keeping the bytes',
  'md5crc-file': 'MD5+CRC sink fsyncing a file',
  bare: 'bare sink',
  s3rver: 's3rver',
  'mock-memory': 'memory store',
  'mock-file': 'file store',
  express: 'Express sink',
};

type Upload = (t: Target, size: number, partSize: number) => Promise<number>;

const singlePut: Upload = async (t, size) => {
  const r = await putBytes(t.objectUrl('large'), size);
  if (r.status !== 200) throw new Error(`${t.name}: PUT answered ${r.status}: ${r.body.toString().slice(0, 300)}`);
  return r.ms;
};

const multipart: Upload = (t, size, partSize) => multipartUpload((q) => t.objectUrl('large-mp', q), size, partSize);

function sizeText(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${bytes / 1024 ** 2} MiB`;
}

interface Workload {
  idPrefix: string;
  what: string;
  upload: Upload;
}

async function measure(ctx: BenchContext, targets: readonly Target[], w: Workload): Promise<Figure[]> {
  const { idPrefix, what, upload } = w;
  const { largeSize: size, partSize, largeRounds } = ctx.settings;
  const samples = new Map<TargetKind, number[]>(KINDS.map((k) => [k, []]));
  /** server CPU seconds per GiB: the work done, which a busy neighbour disturbs far less than the wall time */
  const cpu = new Map<TargetKind, number[]>(KINDS.map((k) => [k, []]));
  const failures = new Map<TargetKind, string>();
  for (let round = 0; round < largeRounds; round++) {
    // rotate who goes first so no target always runs right after the same neighbour
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const t of order) {
      if (failures.has(t.kind)) continue;
      try {
        // every upload starts with no dirty page cache: the file store's fdatasyncs (ext4 journal commits) would
        // otherwise also wait for what s3rver wrote, unsynced, just before
        execFileSync('sync');
        const cpu0 = await t.cpuMs();
        const ms = await upload(t, size, partSize);
        const cpuSecondsPerGiB = ((await t.cpuMs()) - cpu0) / 1000 / (size / GiB);
        samples.get(t.kind)!.push(mibPerSecond(size, ms));
        cpu.get(t.kind)!.push(cpuSecondsPerGiB);
        ctx.log(
          `${what} ${t.name}: ${mibPerSecond(size, ms).toFixed(0)} MiB/s, ${cpuSecondsPerGiB.toFixed(2)} CPU s/GiB`,
        );
      } catch (err) {
        failures.set(t.kind, err instanceof Error ? err.message : String(err));
        ctx.log(`${what} ${t.name}: failed: ${failures.get(t.kind)}`);
      }
    }
  }
  const value = (k: TargetKind): number | null => (samples.get(k)!.length > 0 ? median(samples.get(k)!) : null);
  const figure = (
    k: TargetKind,
    label: string,
    versus: TargetKind,
    target: Figure['target'],
    idSuffix = '',
  ): Figure => {
    const base = value(versus);
    const f: Figure = {
      id: `${idPrefix}.${k}${idSuffix}`,
      label: `${what} ${sizeText(size)}: ${label}`,
      unit: 'MiB/s',
      value: value(k),
      target,
      samples: samples.get(k)!,
    };
    if (base !== null) f.baseline = { name: BASELINE_NAMES[versus], value: base };
    const failed = failures.get(k) ?? failures.get(versus);
    if (failed !== undefined) f.note = failed;
    return f;
  };
  const cpuFigure = (k: TargetKind, label: string): Figure => {
    const f: Figure = {
      id: `${idPrefix}.cpu.${k}`,
      label: `${what} ${sizeText(size)} server CPU: ${label}`,
      unit: 's/GiB',
      value: cpu.get(k)!.length > 0 ? median(cpu.get(k)!) : null,
      target: { kind: 'none' },
      samples: cpu.get(k)!,
    };
    if (cpu.get('md5crc')!.length > 0) f.baseline = { name: 'MD5+CRC sink', value: median(cpu.get('md5crc')!) };
    return f;
  };
  return [
    // MD5 on a second core (ingest/md5-worker.ts) is what could put the stores ahead of a one-core hashing sink
    figure('mock-memory', 'memory store', 'md5crc', { kind: 'ratio-at-least', min: 1.2 }),
    figure('mock-file', 'file store', 'md5crc', { kind: 'ratio-at-least', min: 1.0 }),
    // the least an in-memory store can cost: the memory store against a sink that also keeps the body
    figure('mock-memory', 'memory store', 'md5crc-keep', { kind: 'none' }, '.vs-keep'),
    // and the least a durable store can cost: the file store against a sink that fsyncs the body to a file
    figure('mock-file', 'file store', 'md5crc-file', { kind: 'none' }, '.vs-file'),
    figure('md5crc', 'MD5+CRC sink', 'bare', { kind: 'none' }),
    figure('md5crc-keep', 'MD5+CRC sink keeping the bytes', 'md5crc', { kind: 'none' }),
    figure('md5crc-file', 'MD5+CRC sink fsyncing a file', 'md5crc', { kind: 'none' }),
    figure('s3rver', 's3rver', 'md5crc', { kind: 'none' }),
    figure('mock-memory', 'memory store', 's3rver', { kind: 'none' }, '.vs-s3rver'),
    figure('mock-file', 'file store', 's3rver', { kind: 'none' }, '.vs-s3rver'),
    cpuFigure('mock-memory', 'memory store'),
    cpuFigure('mock-file', 'file store'),
    cpuFigure('s3rver', 's3rver'),
  ];
}

/** Single PUT, then multipart, over the same server children (spawning them is a good part of a --quick run). */
export async function measureLarge(ctx: BenchContext): Promise<Figure[]> {
  const targets = await startTargets(KINDS, ctx.scratch);
  try {
    const workloads: Workload[] = [
      { idPrefix: 'large-put', what: 'PUT', upload: singlePut },
      { idPrefix: 'multipart', what: `multipart (${ctx.settings.partSize / 1024 ** 2} MiB parts)`, upload: multipart },
    ];
    const figures: Figure[] = [];
    for (const w of workloads) figures.push(...(await measure(ctx, targets, w)));
    return figures;
  } finally {
    await stopAll(targets);
  }
}
