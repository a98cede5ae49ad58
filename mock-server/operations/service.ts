// ListBuckets (GetService): `GET /` on the bare endpoint (docs/protocol.md#bucket-operations).
import { xmlTime } from '../../protocol/dates.js';
import { sendXml } from '../exchange/reply.js';
import type { Handler } from './handler.js';
import { endpointsOf, OWNER } from './owner.js';
import { intParam, textParam } from './params.js';

export const listBuckets: Handler = async (ex, s) => {
  const prefix = textParam(ex.query, 'prefix');
  const marker = textParam(ex.query, 'marker');
  const maxKeys = intParam(ex.query, 'max-keys', { min: 1, max: 1000, fallback: 100 });
  // bucket names are lowercase ASCII, so string order is byte order
  const matching = (await s.store.listBuckets())
    .filter((b) => b.name.startsWith(prefix) && b.name > marker)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = matching.slice(0, maxKeys);
  const truncated = matching.length > maxKeys;
  sendXml(ex, 'ListAllMyBucketsResult', {
    Prefix: prefix,
    Marker: marker,
    MaxKeys: maxKeys,
    IsTruncated: truncated,
    NextMarker: truncated ? page.at(-1)!.name : undefined,
    Owner: { ...OWNER },
    // oss2 requires Name, Location, CreationDate, ExtranetEndpoint, IntranetEndpoint, StorageClass
    // (docs/protocol.md#bucket-operations)
    Buckets: {
      Bucket: page.map((b) => {
        const { ExtranetEndpoint, IntranetEndpoint, Region } = endpointsOf(b.location);
        return {
          CreationDate: xmlTime(b.creationDate),
          ExtranetEndpoint,
          IntranetEndpoint,
          Location: b.location,
          Name: b.name,
          Region,
          StorageClass: b.storageClass,
        };
      }),
    },
  });
};
