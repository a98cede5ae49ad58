// The `process:CMD` driver protocol (PROTOCOL.md): first over in-process pipes (framing, errors, concurrency), then
// end to end with the reference driver started as a real child process running scenarios against the mock.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CAPABILITIES, builtinDriver } from './drivers/builtin.js';
import { DriverError, DriverUnavailableError, type Capability, type Driver } from './drivers/driver.js';
import { connectedDriver, DriverConnection, processDriver } from './drivers/process.js';
import { serveDriver } from './drivers/process-server.js';
import { runConformance } from './runner.js';
import { startEmbeddedTarget } from './targets/embedded.js';
import type { Target } from './targets/target.js';
import { transpileForNode } from './test-support/transpile.js';

let target: Target;

beforeAll(async () => {
  target = await startEmbeddedTarget();
});

afterAll(async () => {
  await target?.close();
});

/** The builtin driver served over a pair of pipes, and the suite's side of the connection. */
async function piped(capabilities?: readonly Capability[]): Promise<{
  driver: Driver;
  conn: DriverConnection;
  toSuite: PassThrough;
  served: Promise<void>;
}> {
  const toDriver = new PassThrough();
  const toSuite = new PassThrough();
  const served = serveDriver(await builtinDriver.load(), toDriver, toSuite, {
    name: 'piped-builtin',
    ...(capabilities ? { capabilities } : {}),
  });
  const conn = new DriverConnection(toDriver, toSuite);
  const driver = await connectedDriver(conn, 'piped', async () => {
    await conn.call('shutdown', {});
    await served;
  });
  return { driver, conn, toSuite, served };
}

describe('process protocol over pipes', () => {
  it('hello announces the name, the protocol version and the capabilities', async () => {
    const { driver } = await piped();
    expect(driver.name).toBe('process:piped-builtin');
    expect([...driver.capabilities].sort()).toEqual([...BUILTIN_CAPABILITIES].sort());
    expect(driver.protocol).toBe(2);
    expect(driver.sdk).toEqual({ name: 'oss-mock/client', version: expect.any(String) });
    expect(driver.language).toBe(`node ${process.version}`);
    await driver.close();
  });

  it('carries OSS errors with code, status and request ID, and protocol mistakes as DriverProtocolError', async () => {
    const { driver, conn } = await piped();
    const space = await target.allocate('process-errors');
    const client = await driver.createClient({
      endpoint: target.endpoint,
      accessKeyId: target.accessKeyId,
      accessKeySecret: target.accessKeySecret,
      region: target.region,
    });
    const err = await client.getObject({ bucket: space.bucket, key: 'missing' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).toMatchObject({ code: 'NoSuchKey', status: 404, requestId: expect.stringMatching(/^[0-9A-F]{24}$/) });
    await expect(conn.call('headObject', { client: 'nope', bucket: 'b', key: 'k' })).rejects.toMatchObject({
      code: 'DriverProtocolError',
    });
    await expect(
      conn.call('putObject', { client: '1', bucket: space.bucket, key: 'k', body: 7 }),
    ).rejects.toMatchObject({
      code: 'DriverProtocolError',
    });
    await driver.close();
  });

  it('keeps stray stdout lines for diagnostics and rejects pending calls when the driver goes away', async () => {
    const toDriver = new PassThrough();
    const toSuite = new PassThrough();
    const conn = new DriverConnection(toDriver, toSuite);
    const pending = conn.call('hello', { protocol: 1 });
    toSuite.write('some SDK logging on stdout\n');
    toSuite.write(JSON.stringify({ id: 999, ok: true, result: {} }) + '\n');
    toSuite.end();
    await expect(pending).rejects.toMatchObject({ code: 'DriverExited' });
    expect(conn.strayLines).toEqual(['some SDK logging on stdout']);
    await expect(conn.call('hello', {})).rejects.toMatchObject({ code: 'DriverExited' });
  });

  it("runs the INT family through an SDK's own interruption (capability interrupt): every in-flight call fails interrupted", async () => {
    const caps = [...BUILTIN_CAPABILITIES.filter((c) => c !== 'disable'), 'interrupt' as const];
    const summary = await runConformance({
      target,
      drivers: [{ name: 'piped-interrupt', load: async () => (await piped(caps)).driver }],
      filter: ['INT-001', 'INT-004', 'INT-005', 'INT-006', 'MPU-001'],
    });
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason])).toEqual([
      ['INT-001', 'pass', undefined],
      ['INT-004', 'pass', undefined],
      ['INT-005', 'pass', undefined],
      ['INT-006', 'pass', undefined],
      ['MPU-001', 'pass', undefined],
    ]);
    expect(summary.results[0]!.observed).toEqual([
      'interrupted PutObject failed with ClientError:200042 (status 0), e.g. DriverError: Operation was aborted by an application callback.',
    ]);
    expect(summary.results[4]!.notes).toContain(
      "UploadPart interrupted by the SDK's own interruption after >= 65536 bytes",
    );
  });

  it('serves concurrent calls: a disable overtakes the throttled upload it interrupts', async () => {
    const summary = await runConformance({
      target,
      drivers: [{ name: 'piped', load: async () => (await piped()).driver }],
      filter: ['INT-001'],
    });
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason])).toEqual([['INT-001', 'pass', undefined]]);
  });
});

describe('reference process driver as a child process', () => {
  let command: string;
  let out: string | undefined;
  let scripts: string | undefined;

  beforeAll(async () => {
    out = await transpileForNode([
      'protocol',
      'client',
      'conformance/drivers',
      'conformance/package-info.ts',
      'conformance/log-capture.ts',
    ]);
    command = `"${process.execPath}" "${path.join(out, 'conformance/drivers/reference-process-driver.js')}"`;
    scripts = await mkdtemp(path.join(tmpdir(), 'oss-conformance-drivers-'));
  }, 60_000);

  afterAll(async () => {
    for (const dir of [out, scripts]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes the seed, interrupt-vs-abort, resume and wire scenarios end to end', async () => {
    const summary = await runConformance({
      target,
      drivers: [`process:${command}`],
      filter: ['INT-001', 'INT-005', 'MPU-001', 'MPU-002', 'RES-001', 'WIRE-010', 'WIRE-012'],
    });
    expect(summary.drivers).toEqual([expect.objectContaining({ name: 'process:reference-builtin', available: true })]);
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason ?? ''])).toEqual([
      ['INT-001', 'pass', ''],
      ['INT-005', 'pass', ''],
      ['MPU-001', 'pass', ''],
      ['MPU-002', 'pass', ''],
      ['RES-001', 'pass', ''],
      ['WIRE-010', 'pass', ''],
      ['WIRE-012', 'pass', ''],
    ]);
    // INT-005 disables uploads the server shows in flight: some are aborted mid-flight (200042), not only refused
    // before they started, which a disable overtaking the calls on their way to the driver would give
    const int005 = summary.results.find((r) => r.scenario === 'INT-005');
    expect(int005?.notes).toEqual([
      expect.stringMatching(/^disabled once the server showed all 4 uploads in flight: [1-4] aborted in flight/),
    ]);
  }, 90_000);

  it('kills the driver process part-way through a resumable upload and resumes in a fresh one (RES-003)', async () => {
    const summary = await runConformance({ target, drivers: [`process:${command}`], filter: ['RES-003', 'WIRE-010'] });
    expect(summary.results.map((r) => [r.scenario, r.status, r.reason ?? ''])).toEqual([
      ['RES-003', 'pass', ''],
      ['WIRE-010', 'pass', ''],
    ]);
  }, 90_000);

  it("keeps the driver's log events and stderr with the scenario, not on the console", async () => {
    const spec = await script(
      'chatty',
      `if (m.op === 'hello') send({ id: m.id, ok: true, result: { name: 'chatty', protocol: 2, sdk: { name: 'fake', version: '9.9' }, capabilities: [] } });
       else if (m.op === 'createClient') send({ id: m.id, ok: true, result: { client: 'c1' } });
       else if (m.op === 'shutdown') { send({ id: m.id, ok: true, result: {} }); process.exit(0); }
       else {
         send({ event: 'log', level: 'warn', message: 'the SDK retries ' + m.op });
         process.stderr.write('stderr line of ' + m.op + '\\n');
         setTimeout(() => send({ id: m.id, ok: false, error: { code: 'NoSuchKey', status: 404, message: 'gone', requestId: 'ABC', sdkError: 'FakeError: gone' } }), 50);
       }`,
    );
    const summary = await runConformance({ target, drivers: [spec], filter: ['WIRE-010'] });
    const [r] = summary.results;
    expect(r).toMatchObject({ driver: 'process:chatty', sdk: { name: 'fake', version: '9.9' }, status: 'fail' });
    expect(r!.logs).toEqual(
      expect.arrayContaining([
        { level: 'warn', message: 'the SDK retries getObject', source: 'event' },
        { level: 'info', message: 'stderr line of getObject', source: 'stderr' },
      ]),
    );
    expect(summary.drivers[0]).toMatchObject({ protocol: 2, sdk: { name: 'fake', version: '9.9' } });
  });

  /** A tiny driver program in plain JavaScript, written to a file and started through the shell. */
  async function script(name: string, body: string): Promise<string> {
    const file = path.join(scripts!, `${name}.mjs`);
    await writeFile(
      file,
      `import { createInterface } from 'node:readline';\n` +
        `const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');\n` +
        `createInterface({ input: process.stdin }).on('line', (line) => { const m = JSON.parse(line); ${body} });\n`,
    );
    return `process:"${process.execPath}" "${file}"`;
  }

  it('reports a command that exits at once as unavailable, with its stderr', async () => {
    const spec = await script('dies', `process.stderr.write('cannot find the SDK'); process.exit(3);`);
    const driver = processDriver(spec.slice('process:'.length));
    const err = await driver.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverUnavailableError);
    expect((err as Error).message).toMatch(/cannot find the SDK/);
  });

  it('refuses a driver speaking another protocol version', async () => {
    const spec = await script(
      'v99',
      `send({ id: m.id, ok: true, result: { name: 'x', protocol: 99, capabilities: [] } });`,
    );
    await expect(processDriver(spec.slice('process:'.length)).load()).rejects.toThrow(/protocol 99/);
  });

  it('fails the running call with DriverExited when the driver dies mid-call, and the run reports it', async () => {
    const spec = await script(
      'crash',
      `if (m.op === 'hello') send({ id: m.id, ok: true, result: { name: 'crashy', protocol: 1, capabilities: [] } });
       else if (m.op === 'createClient') send({ id: m.id, ok: true, result: { client: 'c1' } });
       else if (m.op === 'shutdown') process.exit(0);
       else process.exit(7);`,
    );
    const summary = await runConformance({ target, drivers: [spec], filter: ['WIRE-010'] });
    expect(summary.results).toEqual([
      expect.objectContaining({ scenario: 'WIRE-010', driver: 'process:crashy', status: 'fail' }),
    ]);
    expect(summary.results[0]!.reason).toMatch(/driver exited \(7\)/);
    expect(summary.ok).toBe(false);
  });
});
