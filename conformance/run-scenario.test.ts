import { describe, expect, it } from 'vitest';
import { DriverError, type Driver, type DriverClient } from './drivers/driver.js';
import { RawClient } from '../testkit/raw-client.js';
import { runScenario } from './run-scenario.js';
import type { ClientContext, ClientScenario, EndpointScenario } from './scenario.js';
import type { Space, Target } from './targets/target.js';

/** A target that needs no server: spaces are handed out and released in memory. */
function fakeTarget(log: string[]): Target {
  return {
    name: 'fake',
    kind: 'embedded',
    endpoint: 'http://127.0.0.1:9',
    region: 'cn-hangzhou',
    accessKeyId: 'ak',
    accessKeySecret: 'sk',
    control: undefined,
    raw: new RawClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'cn-hangzhou',
      accessKeyId: 'ak',
      accessKeySecret: 'sk',
    }),
    allocate: async (label: string): Promise<Space> => {
      log.push(`allocate ${label}`);
      return { bucket: 'bucket', prefix: 'p/' };
    },
    release: async () => {
      log.push('release');
    },
    close: async () => {},
  };
}

function fakeDriver(log: string[]): Driver {
  return {
    name: 'fake-driver',
    capabilities: new Set(['multipart', 'signature-v1']),
    createClient: async (config) => {
      log.push(`client ${config.signatureVersion ?? 'v1'}`);
      return { close: async () => void log.push('client closed') } as DriverClient;
    },
    close: async () => {},
  };
}

function clientScenario(
  run: (ctx: ClientContext) => Promise<void>,
  extra: Partial<ClientScenario> = {},
): ClientScenario {
  return { id: 'T-001', subject: 'client', title: 'test', verifiedAgainst: 'here', requires: {}, run, ...extra };
}

describe('runScenario', () => {
  it('passes, runs cleanups last-first, closes every client and releases the space', async () => {
    const log: string[] = [];
    const s = clientScenario(async (ctx) => {
      expect(ctx.key('a')).toBe('p/a');
      await ctx.openClient({ signatureVersion: 'v4' });
      ctx.defer(() => log.push('cleanup 1'));
      ctx.defer(() => log.push('cleanup 2'));
      ctx.note('a note');
    });
    const r = await runScenario(s, fakeDriver(log), fakeTarget(log));
    expect(r).toMatchObject({
      scenario: 'T-001',
      driver: 'fake-driver',
      target: 'fake',
      status: 'pass',
      notes: ['a note'],
    });
    expect(log).toEqual([
      'allocate T-001-fake-driver',
      'client v1',
      'client v4',
      'cleanup 2',
      'cleanup 1',
      'client closed',
      'client closed',
      'release',
    ]);
  });

  it('reports failures by their first line: custom assertion messages, generated ones, driver errors', async () => {
    const target = fakeTarget([]);
    const driver = fakeDriver([]);
    const custom = await runScenario(
      clientScenario(async (ctx) => ctx.check.equal(1, 2, 'one is two')),
      driver,
      target,
    );
    expect(custom).toMatchObject({ status: 'fail', reason: 'one is two: expected 2, got 1' });
    const generated = await runScenario(
      clientScenario(async (ctx) => ctx.check.equal('a', 'b')),
      driver,
      target,
    );
    expect(generated.reason).toBe("expected 'b', got 'a'");
    const driverError = await runScenario(
      clientScenario(async () => {
        throw new DriverError(
          'ClientError:200042',
          0,
          'Operation was aborted by an application callback.\ncurl detail',
        );
      }),
      driver,
      target,
    );
    expect(driverError).toMatchObject({
      status: 'fail',
      reason: 'ClientError:200042 (HTTP 0): Operation was aborted by an application callback.',
      error: { code: 'ClientError:200042' },
    });
  });

  it('turns notApplicable and skip into n-a and skip, and a failing cleanup into a note', async () => {
    const target = fakeTarget([]);
    const driver = fakeDriver([]);
    const na = await runScenario(
      clientScenario(async (ctx) => {
        ctx.defer(() => {
          throw new Error('could not delete');
        });
        ctx.notApplicable('cannot express it');
      }),
      driver,
      target,
    );
    expect(na).toMatchObject({
      status: 'n-a',
      reason: 'cannot express it',
      notes: ['cleanup failed: could not delete'],
    });
    const skip = await runScenario(
      clientScenario(async (ctx) => ctx.skip('no control API')),
      driver,
      target,
    );
    expect(skip).toMatchObject({ status: 'skip', reason: 'no control API' });
  });

  it('is n-a without touching the target when a capability is missing', async () => {
    const log: string[] = [];
    const r = await runScenario(
      clientScenario(async () => {}, { requires: { capabilities: ['disable'] } }),
      fakeDriver(log),
      fakeTarget(log),
    );
    expect(r).toMatchObject({ status: 'n-a', reason: 'driver lacks capability: disable' });
    expect(log).toEqual([]);
  });

  it('fails a scenario that outlives its timeout and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const s: EndpointScenario = {
      id: 'T-002',
      subject: 'endpoint',
      title: 'hangs',
      verifiedAgainst: 'here',
      requires: {},
      timeoutMs: 50,
      run: (ctx) => {
        signal = ctx.signal;
        return new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      },
    };
    const r = await runScenario(s, undefined, fakeTarget([]));
    expect(r).toMatchObject({ driver: 'raw', status: 'fail', reason: 'timed out after 50 ms' });
    expect(signal?.aborted).toBe(true);
  });
});
