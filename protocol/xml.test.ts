import { describe, expect, it } from 'vitest';
import { isOssError } from './errors.js';
import { buildXml, parseXml, xmlArray } from './xml.js';

function expectMalformed(text: string): void {
  let caught: unknown;
  try {
    parseXml(text);
  } catch (err) {
    caught = err;
  }
  expect(isOssError(caught) && caught.code === 'MalformedXML', `MalformedXML for ${JSON.stringify(text)}`).toBe(true);
}

describe('buildXml', () => {
  it('writes the declaration, nested elements in key order, repeated arrays, omits undefined', () => {
    const xml = buildXml('ListPartsResult', {
      Bucket: 'b',
      Missing: undefined,
      MaxParts: 1000,
      IsTruncated: false,
      Crc: 18446744073709551615n,
      Part: [{ PartNumber: 1 }, { PartNumber: 2 }],
      Empty: '',
      None: [],
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult><Bucket>b</Bucket><MaxParts>1000</MaxParts>' +
        '<IsTruncated>false</IsTruncated><Crc>18446744073709551615</Crc><Part><PartNumber>1</PartNumber></Part>' +
        '<Part><PartNumber>2</PartNumber></Part><Empty></Empty></ListPartsResult>',
    );
  });

  it('escapes text, keeps ETag quotes literal, and survives a round trip', () => {
    const key = `a&b<c>d"e'f\r\u0001 ü`;
    const xml = buildXml('R', { Key: key, ETag: '"ABC"' });
    expect(xml).toContain('<Key>a&amp;b&lt;c&gt;d"e\'f&#13;&#x1; ü</Key>');
    expect(xml).toContain('<ETag>"ABC"</ETag>');
    expect(parseXml(xml)).toEqual({ R: { Key: key, ETag: '"ABC"' } });
  });
});

describe('parseXml', () => {
  it('parses a Complete body as Go sends it (&#34; quotes), with whitespace and a namespace', () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUpload xmlns="http://doc.oss-cn-hangzhou.aliyuncs.com">
  <Part><PartNumber>1</PartNumber><ETag>&#34;3349DC700140D7F86A0784842780AAAA&#34;</ETag></Part>
  <Part><PartNumber>5</PartNumber><ETag>&quot;8EFDA8BE206636A695359836FE0AAAAA&quot;</ETag></Part>
</CompleteMultipartUpload>`;
    const doc = parseXml(body);
    const root = doc.CompleteMultipartUpload as Record<string, unknown>;
    const parts = xmlArray(root.Part as Record<string, string>[]);
    expect(parts).toEqual([
      { PartNumber: '1', ETag: '"3349DC700140D7F86A0784842780AAAA"' },
      { PartNumber: '5', ETag: '"8EFDA8BE206636A695359836FE0AAAAA"' },
    ]);
  });

  it('keeps values as strings, spaces included, and empty elements as ""', () => {
    expect(parseXml('<Delete><Quiet>true</Quiet><Object><Key> 007 </Key></Object><E/><F></F></Delete>')).toEqual({
      Delete: { Quiet: 'true', Object: { Key: ' 007 ' }, E: '', F: '' },
    });
  });

  it('takes CDATA literally', () => {
    expect(parseXml('<a><k><![CDATA[x &amp; <y>]]></k></a>')).toEqual({ a: { k: 'x &amp; <y>' } });
  });

  it('decodes numeric character references beyond the BMP', () => {
    expect(parseXml('<a>&#x1F600;&#233;</a>')).toEqual({ a: '😀é' });
  });

  it.each([
    ['empty', ''],
    ['not xml', 'hello'],
    ['unclosed', '<a><b></a>'],
    ['two roots', '<a>1</a><b>2</b>'],
    ['repeated root', '<a>1</a><a>2</a>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['bare ampersand', '<a>x & y</a>'],
    ['bad char ref', '<a>&#xD800;</a>'],
    ['doctype entity', '<!DOCTYPE a [<!ENTITY x "boom">]><a>&x;</a>'],
    ['truncated', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>'],
  ])('rejects %s with MalformedXML', (_name, text) => {
    expectMalformed(text);
  });
});

describe('xmlArray', () => {
  it('normalises absent, single and repeated elements', () => {
    expect(xmlArray(undefined)).toEqual([]);
    expect(xmlArray('a')).toEqual(['a']);
    expect(xmlArray(['a', 'b'])).toEqual(['a', 'b']);
  });
});
