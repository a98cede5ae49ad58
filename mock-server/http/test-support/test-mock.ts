// Helpers for the mock's own tests: a listening mock on 127.0.0.1:0, supertest against it, XML readers, signing.
import supertest from 'supertest';
import { rawExchange as socketExchange } from '../../../testkit/socket.js';
import { httpDate } from '../../../protocol/dates.js';
import { authorizeV1, type SignableRequest } from '../../../protocol/signing.js';
import { parseXml, xmlArray } from '../../../protocol/xml.js';
import { startMockOss, type MockOssHandle, type MockOssOptions } from '../../index.js';

export interface TestMock {
  mock: MockOssHandle;
  http: ReturnType<typeof supertest>;
  close(): Promise<void>;
}

/** Authentication is off unless asked for: most wire tests are about operations, not signatures. */
export async function startTestMock(options: MockOssOptions = {}): Promise<TestMock> {
  const mock = await startMockOss({ auth: false, ...options });
  return { mock, http: supertest(mock.endpoint), close: () => mock.close() };
}

/** The root element's children of an XML response body. */
export function xmlBody(text: string): Record<string, unknown> {
  const doc = parseXml(text);
  const root = Object.values(doc)[0];
  return typeof root === 'object' && root !== null ? (root as Record<string, unknown>) : { '#text': root };
}

export function xmlList(value: unknown): Array<Record<string, unknown>> {
  return xmlArray(value as Array<Record<string, unknown>> | Record<string, unknown> | undefined);
}

/** The `<Error>` of a response, or of a HEAD response's base64 x-oss-err header (docs/protocol.md#head-errors). */
export function errorOf(res: { text: string; headers: Record<string, string> }): Record<string, unknown> {
  const text = res.headers['x-oss-err'] ? Buffer.from(res.headers['x-oss-err'], 'base64').toString('utf8') : res.text;
  return xmlBody(text);
}

/** Date + Authorization headers of a V1 header signature, as the C++ SDK sends them (docs/protocol.md#v1-signature). */
export function v1Headers(
  mock: MockOssHandle,
  r: Omit<SignableRequest, 'headers'> & { headers?: Record<string, string> },
  date = new Date(),
): Record<string, string> {
  const headers = { ...(r.headers ?? {}), date: httpDate(date) };
  const { authorization } = authorizeV1(
    { ...r, headers },
    { accessKeyId: mock.accessKeyId, accessKeySecret: mock.accessKeySecret },
  );
  return { ...headers, authorization };
}

/**
 * Sends `head` (and `body`) as raw bytes with `Connection: close` and returns the whole raw response, through the
 * test kit's one socket exchange (testkit/socket.ts).
 */
export async function rawExchange(port: number, head: string, body: Buffer | string = ''): Promise<string> {
  const text = head.replace(/\r?\n/g, '\r\n').replace(/(\r\n)*$/, '\r\nConnection: close\r\n\r\n');
  return (
    await socketExchange({ host: '127.0.0.1', port }, Buffer.concat([Buffer.from(text), Buffer.from(body)]), 30_000)
  ).text;
}
