// Peak memory: a fresh server child receives one large object, and its VmHWM (peak resident set, from /proc) is read
// afterwards. The file store must stream to disk (<= 150 MB whatever the size); the memory store holds the object
// itself (<= size + 64 MB). Baselines: the MD5+CRC sink, which keeps nothing, for the file store; the same sink keeping
// the body (node's floor for holding it) for the memory store. MB = 10^6.
import type { BenchContext } from '../context.js';
import type { Figure } from '../figure.js';
import { putBytes } from '../http-client.js';
import { startTarget, type TargetKind } from '../targets.js';

const MB = 1e6;

async function peakWhileReceiving(ctx: BenchContext, kind: TargetKind): Promise<{ idle: number; peak: number }> {
  const t = await startTarget(kind, ctx.scratch);
  try {
    const idle = await t.peakRss();
    const r = await putBytes(t.objectUrl('rss'), ctx.settings.largeSize);
    if (r.status !== 200) throw new Error(`${t.name}: PUT answered ${r.status}: ${r.body.toString().slice(0, 200)}`);
    const peak = await t.peakRss();
    ctx.log(`${t.name}: VmHWM ${(idle / MB).toFixed(0)} MB idle, ${(peak / MB).toFixed(0)} MB after the upload`);
    return { idle, peak };
  } finally {
    await t.stop();
  }
}

export async function measureMemory(ctx: BenchContext): Promise<Figure[]> {
  const size = ctx.settings.largeSize;
  const sinks = {
    'MD5+CRC sink': await peakWhileReceiving(ctx, 'md5crc'),
    'MD5+CRC sink keeping the bytes': await peakWhileReceiving(ctx, 'md5crc-keep'),
  };
  const figures: Figure[] = [];
  const targets: Array<[TargetKind, string, number, keyof typeof sinks]> = [
    ['mock-file', 'file store', 150, 'MD5+CRC sink'],
    ['mock-memory', 'memory store', size / MB + 64, 'MD5+CRC sink keeping the bytes'],
  ];
  for (const [kind, name, max, baseline] of targets) {
    const m = await peakWhileReceiving(ctx, kind);
    figures.push({
      id: `memory.${kind}`,
      label: `peak RSS receiving ${size / 1024 ** 2} MiB: ${name}`,
      unit: 'MB',
      value: m.peak / MB,
      baseline: { name: baseline, value: sinks[baseline].peak / MB },
      target: { kind: 'at-most', max },
      samples: [m.peak / MB],
      note: `idle ${(m.idle / MB).toFixed(1)} MB`,
    });
  }
  return figures;
}
