// The one account of the mock: every bucket and object belongs to it. ali-oss's ListObjects v1 dereferences
// Contents/Owner/ID, and oss2 requires Owner in GetBucketInfo (docs/protocol.md#listing,
// docs/protocol.md#bucket-operations).
export const OWNER = { ID: '1583947213758629', DisplayName: '1583947213758629' } as const;

export function endpointsOf(location: string): { ExtranetEndpoint: string; IntranetEndpoint: string; Region: string } {
  return {
    ExtranetEndpoint: `${location}.aliyuncs.com`,
    IntranetEndpoint: `${location}-internal.aliyuncs.com`,
    Region: location.replace(/^oss-/, ''),
  };
}
