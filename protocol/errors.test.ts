import { describe, expect, it } from 'vitest';
import { ecFor, ERROR_CATALOGUE, errHeaderValue, OssError, renderErrorXml } from './errors.js';
import { parseXml } from './xml.js';

describe('renderErrorXml (docs/protocol.md#error-envelope)', () => {
  it('writes the envelope in OSS order with extra elements before EC', () => {
    const err = new OssError('NoSuchBucket', { extra: { BucketName: 'test' } });
    const xml = renderErrorXml(err, {
      requestId: '5C3D9175B6FC201293AD4890',
      hostId: 'test.oss-cn-hangzhou.aliyuncs.com',
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code>' +
        '<Message>The specified bucket does not exist.</Message><RequestId>5C3D9175B6FC201293AD4890</RequestId>' +
        '<HostId>test.oss-cn-hangzhou.aliyuncs.com</HostId><BucketName>test</BucketName><EC>0015-00000101</EC>' +
        '<RecommendDoc>https://api.aliyun.com/troubleshoot?q=0015-00000101</RecommendDoc></Error>',
    );
  });

  it('escapes extra values and never lets them replace envelope elements', () => {
    const err = new OssError('SignatureDoesNotMatch', {
      extra: { StringToSign: 'GET\n\n\n<date>\n/b/k&x', Code: 'Forged' },
    });
    const doc = parseXml(renderErrorXml(err, { requestId: 'R', hostId: 'h' })).Error as Record<string, string>;
    expect(doc.Code).toBe('SignatureDoesNotMatch');
    expect(doc.StringToSign).toBe('GET\n\n\n<date>\n/b/k&x');
    expect(doc.EC).toBe(ERROR_CATALOGUE.SignatureDoesNotMatch.ec);
  });

  it('uses per-call overrides of message and EC', () => {
    const err = new OssError('NoSuchUpload', { ec: '0042-00000104' });
    const doc = parseXml(renderErrorXml(err, { requestId: 'R', hostId: 'h' })).Error as Record<string, string>;
    expect(doc.EC).toBe('0042-00000104');
    expect(doc.RecommendDoc).toBe('https://api.aliyun.com/troubleshoot?q=0042-00000104');
  });
});

describe('errHeaderValue (docs/protocol.md#head-errors)', () => {
  it('is the base64 of the UTF-8 XML', () => {
    const xml = renderErrorXml(new OssError('NoSuchKey', { extra: { Key: 'ключ' } }), { requestId: 'R', hostId: 'h' });
    const header = errHeaderValue(xml);
    expect(header).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(header, 'base64').toString('utf8')).toBe(xml);
  });
});

describe('ERROR_CATALOGUE', () => {
  it('has an HTTP status and an NNNN-NNNNNNNN EC for every code', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(entry.status, code).toBeGreaterThanOrEqual(400);
      expect(entry.ec, code).toMatch(/^\d{4}-\d{8}$/);
    }
  });
});

describe('ecFor', () => {
  it('prefers the per-operation EC and falls back to the catalogue', () => {
    expect(ecFor('UploadPart', 'NoSuchUpload')).toBe('0042-00000104');
    expect(ecFor('ListParts', 'NoSuchUpload')).toBe('0042-00000002');
    expect(ecFor(undefined, 'NoSuchKey')).toBe('0026-00000001');
    expect(ecFor('CompleteMultipartUpload', 'MalformedXML')).toBe('0042-00000205');
    expect(ecFor('PutObject', 'NoSuchThing')).toBeUndefined();
  });
});
