// The README's table of OSS operations is the mock's operation table, and every feature its "does not do" table
// lists is answered NotImplemented: a route added, removed or changed without the README fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeTableRows } from '../testkit/readme-table.js';
import { OssError } from '../protocol/errors.js';
import { dispatch } from './operations/dispatch.js';
import { OPERATION_TABLE, type Route, type TargetLevel } from './operations/table.js';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

const PATHS: Record<TargetLevel, string> = { service: '/', bucket: '/<bucket>/', object: '/<bucket>/<key>' };

/** How the README writes a route: `PUT /<bucket>/<key>?partNumber&uploadId + x-oss-copy-source`. */
function describeRoute(r: Route): string {
  const markers = r.markers.join('&');
  const optional = (r.optional ?? []).map((m) => `[&${m}]`).join('');
  const query = markers === '' && optional === '' ? '' : `?${markers}${optional}`;
  // a route at bucket and object level: `/<bucket>/[<key>]`
  const path = typeof r.level === 'string' ? PATHS[r.level] : `${PATHS.bucket}[<key>]`;
  return `${r.method} ${path}${query}${r.copySource === true ? ' + x-oss-copy-source' : ''}`;
}

/** `GET /<bucket>/<key>?a&b` as a dispatch input. */
function requestOf(example: string) {
  const m = /^([A-Z]+) (\/(?:<bucket>\/(?:<key>)?)?)(?:\?(.*))?$/.exec(example);
  if (m === null) throw new Error(`not a request: ${example}`);
  const path = m[2]!;
  const level: TargetLevel = path === '/' ? 'service' : path.endsWith('<key>') ? 'object' : 'bucket';
  const query = Object.fromEntries(
    (m[3] ?? '')
      .split('&')
      .filter((q) => q !== '')
      .map((q) => [q, '']),
  );
  return { method: m[1]!, level, query, hasCopySource: false };
}

describe('README: OSS operations', () => {
  it('lists every operation of the operation table, in its order, with its route', () => {
    const rows = readmeTableRows(README, 'operations').map(([name, request]) => [name, request]);
    const table = Object.entries(OPERATION_TABLE).map(([name, entry]) => [name, describeRoute(entry.route)]);
    expect(rows).toEqual(table);
  });

  it('lists only features the mock answers with NotImplemented', () => {
    const rows = readmeTableRows(README, 'unsupported');
    expect(rows.length).toBeGreaterThan(5);
    for (const [feature, example] of rows) {
      let refused: unknown;
      try {
        dispatch(requestOf(example!));
      } catch (err) {
        refused = err;
      }
      expect(refused, `${feature}: ${example}`).toBeInstanceOf(OssError);
      expect((refused as OssError).code, `${feature}: ${example}`).toBe('NotImplemented');
    }
  });
});
