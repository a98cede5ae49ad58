import { describe, expect, it } from 'vitest';
import { runCli, type CliIo } from './cli-main.js';

function capture(): CliIo & { out: string; err: string; terminate(): void } {
  let stop: ((signal: string) => void) | undefined;
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    onTerminate: (fn: (signal: string) => void) => void (stop = fn),
    terminate: () => stop!('SIGTERM'),
  };
  return io;
}

describe('runCli', () => {
  it('prints the listening line, credentials and SDK hints, serves, and closes on a signal', async () => {
    const io = capture();
    const done = runCli(['--port', '0', '--access-key-id', 'my-id'], io);
    for (let i = 0; i < 500 && !io.out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 10));
    const line = /^oss-mock listening on (http:\/\/127\.0\.0\.1:(\d+))$/m.exec(io.out);
    expect(line).not.toBeNull();
    expect(io.out).toContain('my-id');
    expect(io.out).toContain('oss-mock-access-key-secret');
    expect(io.out).toContain("region: 'oss-cn-hangzhou'");
    expect(io.out).toContain('sldEnable: true');
    expect(io.out).toContain(`web console: ${line![1]}/_mock/ui/\n`);
    const health = await fetch(`${line![1]}/_mock/health`);
    expect(health.status).toBe(200);
    io.terminate();
    expect(await done).toBe(0);
    await expect(fetch(`${line![1]}/_mock/health`)).rejects.toThrow();
  });

  it('with a control token: says how to open the console, and never prints the token', async () => {
    const io = capture();
    const done = runCli(['--port', '0', '--control-token', 'cli-s3cret'], io);
    for (let i = 0; i < 500 && !io.out.includes('web console'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(io.out).toMatch(/web console: http:\/\/127\.0\.0\.1:\d+\/_mock\/ui\/ {3}\(add \?token=<control token> once/);
    expect(io.out + io.err).not.toContain('cli-s3cret');
    io.terminate();
    expect(await done).toBe(0);
  });

  it('exits 2 with a clear message on a bad rate', async () => {
    const io = capture();
    expect(await runCli(['--ingest-rate', 'lots'], io)).toBe(2);
    expect(io.err).toContain('--ingest-rate: "lots" is not a rate');
  });

  it('prints the usage for --help', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(io.out).toContain('--control-token TOKEN');
  });

  it('prints the extra identities (never their secrets) and takes them from the environment too', async () => {
    const io = Object.assign(capture(), {
      env: { OSS_MOCK_CREDENTIAL: 'env-reader:env-secret', OSS_MOCK_PERMISSION: 'env-reader:read-only:photos' },
    });
    const done = runCli(['--port', '0', '--sts', 'STS.cli:sts-secret:CAIStoken:2099-01-01T00:00:00Z'], io);
    for (let i = 0; i < 500 && !io.out.includes('control API'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(io.out).toContain('credential:        env-reader (read-only on photos)');
    expect(io.out).toContain('sts credential:    STS.cli (full, expires 2099-01-01T00:00:00.000Z)');
    expect(io.out).not.toContain('env-secret');
    expect(io.out).not.toContain('CAIStoken');
    io.terminate();
    expect(await done).toBe(0);
  });

  it('exits 2 when two identities share an access key id, before touching anything', async () => {
    const io = capture();
    expect(await runCli(['--port', '0', '--credential', 'oss-mock-access-key-id:x'], io)).toBe(2);
    expect(io.err).toContain('"oss-mock-access-key-id": that access key id is already in use');
  });
});
