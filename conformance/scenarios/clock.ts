// CLOCK: the server's clock 20 minutes away from the client's. OSS refuses a request whose time is more than 15
// minutes off with 403 RequestTimeTooSkewed, carrying the server's time (ServerTime) so a client can correct its
// clock and retry; some SDKs do (ali-oss's browser build keeps `amendTimeSkewed`), others report the error. Both are
// acceptable; what each SDK does is recorded, never expected of all.
// Sources: https://www.alibabacloud.com/help/en/oss/support/0002-00000078 (RequestTimeTooSkewed),
// https://github.com/ali-sdk/ali-oss/blob/master/lib/browser/client.js (amendTimeSkewed).
import { isDriverError } from '../drivers/driver.js';
import type { ClientScenario } from '../scenario.js';
import { bytes, cursor, describeError, digestOf, KiB, outcomes, sameEtag, spaceEvents } from './support.js';

const SKEW_MS = 20 * 60_000;

const clock001: ClientScenario = {
  id: 'CLOCK-001',
  subject: 'client',
  title:
    "With the server's clock 20 minutes ahead, the SDK corrects its clock and retries after RequestTimeTooSkewed, or fails with it (recorded per SDK)",
  verifiedAgainst:
    'https://www.alibabacloud.com/help/en/oss/support/0002-00000078; https://github.com/ali-sdk/ali-oss/blob/master/lib/browser/client.js',
  requires: { control: true },
  async run(ctx) {
    const control = ctx.control;
    if (!control) return ctx.skip('needs the mock control API to move the server clock');
    const key = ctx.key('clock-skewed');
    const body = bytes(4 * KiB, 5);
    const since = (await cursor(ctx)) ?? 0;
    await control.setClockOffset(SKEW_MS);
    let skewed = true;
    const unskew = async (): Promise<void> => {
      if (skewed) await control.setClockOffset(0);
      skewed = false;
    };
    ctx.defer(unskew);
    const [first] = await outcomes([ctx.client.putObject({ bucket: ctx.bucket, key, body })]);
    const [second] = await outcomes([ctx.client.putObject({ bucket: ctx.bucket, key: `${key}-again`, body })]);
    await unskew();
    const events = await spaceEvents(ctx, since);
    const attempts = (k: string): Array<{ status?: number; code?: string }> =>
      events.filter((e) => e.type === 'request.end' && e.key === k && e.operation === 'PutObject');
    const describe = (k: string): string =>
      attempts(k)
        .map((e) => `${e.status ?? '?'}${e.code ? ` ${e.code}` : ''}`)
        .join(', ');
    if (first?.ok) {
      const head = await ctx.raw.headObject(ctx.bucket, key);
      ctx.check.equal(head.status, 200, 'the object the SDK reported as written exists');
      ctx.check.ok(sameEtag(head.headers.etag, (await digestOf(body)).etag), 'the stored object is the body sent');
      const skewedAnswers = attempts(key).filter((e) => e.code === 'RequestTimeTooSkewed').length;
      ctx.observe(
        skewedAnswers > 0
          ? `corrects its clock after RequestTimeTooSkewed and retries (server answers: ${describe(key)})`
          : `succeeds at once (server answers: ${describe(key)})`,
      );
      if (second?.ok) {
        ctx.observe(`the next call keeps the correction (server answers: ${describe(`${key}-again`)})`);
      } else {
        ctx.observe(`the next call fails: ${describeError(second?.error)}`);
      }
      return;
    }
    const e = first?.error;
    if (!isDriverError(e) || e.code !== 'RequestTimeTooSkewed') {
      throw new Error(
        `expected success or RequestTimeTooSkewed with the server 20 minutes ahead, got ${describeError(e)}`,
        { cause: e },
      );
    }
    ctx.check.equal(e.status, 403, 'RequestTimeTooSkewed is HTTP 403');
    ctx.check.equal((await ctx.raw.headObject(ctx.bucket, key)).status, 404, 'nothing committed');
    ctx.observe(
      `fails with RequestTimeTooSkewed (HTTP 403) without correcting its clock (server answers: ${describe(key)})`,
    );
  },
};

export const CLOCK_SCENARIOS: ClientScenario[] = [clock001];
