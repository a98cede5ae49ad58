import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StatusLine, type StatusStream } from './status-line.js';

function stream(isTTY: boolean): { out: StatusStream; text: () => string } {
  const out = new PassThrough() as PassThrough & StatusStream;
  out.isTTY = isTTY;
  out.columns = 60;
  let written = '';
  out.on('data', (d: Buffer) => (written += d.toString()));
  return { out, text: () => written };
}

describe('the status line', () => {
  it('on a terminal shows what runs now and prints finished lines above it', async () => {
    const { out, text } = stream(true);
    const status = new StatusLine(out);
    status.start('RES-003 [go-v1]');
    status.print('[1/2] PASS RES-001');
    status.stop();
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe(
      '\r\x1b[2Krunning RES-003 [go-v1] (0 s)' +
        '\r\x1b[2K[1/2] PASS RES-001\n' +
        '\r\x1b[2Krunning RES-003 [go-v1] (0 s)' +
        '\r\x1b[2K',
    );
  });

  it('is silent when the output is not a terminal (CI logs keep one line per scenario)', async () => {
    const { out, text } = stream(false);
    const status = new StatusLine(out);
    status.start('RES-003 [go-v1]');
    status.stop();
    await new Promise((r) => setImmediate(r));
    expect(status.enabled).toBe(false);
    expect(text()).toBe('');
  });
});
