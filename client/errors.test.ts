import { describe, expect, it } from 'vitest';
import { errHeaderValue, OssError, renderErrorXml } from '../protocol/errors.js';
import { serverError, transportError } from './errors.js';

describe('serverError', () => {
  const xml = renderErrorXml(new OssError('NoSuchUpload'), { requestId: 'BODYID', hostId: 'h' });

  it('reads Code, Message, RequestId, HostId, EC and every detail from the body', () => {
    const err = serverError(404, { 'x-oss-request-id': 'HEADERID' }, Buffer.from(xml));
    expect(err).toMatchObject({
      code: 'NoSuchUpload',
      status: 404,
      requestId: 'BODYID',
      hostId: 'h',
      ec: '0042-00000002',
    });
    expect(err.message).toMatch(/^The specified upload does not exist/);
    expect(err.details.RecommendDoc).toContain('0042-00000002');
  });

  it('uses the base64 x-oss-err header when the body is empty (HEAD)', () => {
    const err = serverError(404, { 'x-oss-err': errHeaderValue(xml) }, Buffer.alloc(0));
    expect(err.code).toBe('NoSuchUpload');
  });

  it('is ServerError:<status> for an empty or non-<Error> body, with the header request id', () => {
    expect(serverError(502, { 'x-oss-request-id': 'R' }, Buffer.alloc(0))).toMatchObject({
      code: 'ServerError:502',
      requestId: 'R',
    });
    expect(serverError(500, {}, Buffer.from('<html>bad gateway</html>')).code).toBe('ServerError:500');
    expect(serverError(500, {}, Buffer.from('not xml <')).code).toBe('ServerError:500');
  });
});

describe('transportError', () => {
  it('is ClientError:200000+curl with curl_easy_strerror text', () => {
    expect(transportError(42)).toMatchObject({
      code: 'ClientError:200042',
      message: 'Operation was aborted by an application callback.',
      status: 0,
    });
    expect(transportError(7, 'connect ECONNREFUSED 127.0.0.1:1').message).toBe(
      "Couldn't connect to server. connect ECONNREFUSED 127.0.0.1:1",
    );
  });
});
