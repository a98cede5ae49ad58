// The console's storage browser: buckets, a page of objects under a prefix (rolled up by a delimiter), one object's
// metadata and bytes (any version of it), the versions of a key, open multipart uploads with their parts, finished
// upload IDs. JSON over the store itself (the
// OSS API would need the page to sign its requests). Under /_mock/ui/api, behind the control API's access rules.

import { create as contentDisposition } from 'content-disposition';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { OssError } from '../../protocol/errors.js';
import { listPage } from '../operations/list-page.js';
import { NULL_VERSION_ID, type ObjectMeta, type ObjectVersion, type PartInfo, type Store } from '../storage/store.js';
import type { BucketRow, ObjectPage, ObjectRow, PartRow, UploadRow, VersionRow } from './wire.js';

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
/** open uploads listed per bucket (each with all its parts) */
const MAX_UPLOADS = 1000;

/** Thrown for a missing or bad query parameter: 400 with the parameter's name. */
class BadParameter extends Error {
  constructor(readonly field: string) {
    super(`${field}: missing or invalid`);
  }
}

function queryOf(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : req.originalUrl.slice(at + 1));
}

function required(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v === '') throw new BadParameter(name);
  return v;
}

/** Every field the store keeps, as JSON (a field added to ObjectMeta later shows up as is). */
function jsonFields(o: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v;
  }
  return out;
}

export function objectRow(meta: ObjectMeta): ObjectRow {
  return { ...jsonFields(meta), tags: meta.tags ?? [] } as ObjectRow;
}

function versionRow(v: ObjectVersion): VersionRow {
  if (v.kind === 'marker') {
    const { versionId, lastModified } = v.marker;
    return { versionId, isLatest: v.isLatest, deleteMarker: true, lastModified: lastModified.toISOString() };
  }
  const m = v.meta;
  return {
    versionId: m.versionId ?? NULL_VERSION_ID,
    isLatest: v.isLatest,
    deleteMarker: false,
    lastModified: m.lastModified.toISOString(),
    size: m.size,
    etag: m.etag,
  };
}

/** `versionId` when given: that version instead of the current one. */
function versionOf(q: URLSearchParams): string | undefined {
  const v = q.get('versionId');
  return v === null || v === '' ? undefined : v;
}

function partRow(p: PartInfo): PartRow {
  return jsonFields(p) as unknown as PartRow;
}

export function storageRouter(store: Store): Router {
  const router = express.Router();

  router.get('/buckets', async (_req, res) => {
    const buckets: BucketRow[] = (await store.listBuckets()).map((b) => ({
      name: b.name,
      location: b.location,
      creationDate: b.creationDate.toISOString(),
      storageClass: b.storageClass,
      acl: b.acl,
      ...(b.versioning === undefined ? {} : { versioning: b.versioning }),
    }));
    res.json({ buckets });
  });

  router.get('/objects', async (req, res) => {
    const q = queryOf(req);
    const bucket = required(q, 'bucket');
    const prefix = q.get('prefix') ?? '';
    const delimiter = q.get('delimiter') ?? '';
    const marker = q.get('marker') ?? '';
    const max = Number(q.get('max') ?? DEFAULT_PAGE);
    if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE) throw new BadParameter('max');
    const items = await store.listObjects(bucket, { prefix, after: marker });
    const page = listPage({ items, keyOf: (m) => m.key, prefix, delimiter, max, marker });
    const body: ObjectPage = {
      objects: page.entries.flatMap((e) => (e.kind === 'item' ? [objectRow(e.item)] : [])),
      prefixes: page.entries.flatMap((e) => (e.kind === 'prefix' ? [e.prefix] : [])),
      truncated: page.truncated,
    };
    if (page.truncated && page.last !== undefined) body.nextMarker = page.last;
    res.json(body);
  });

  router.get('/object', async (req, res) => {
    const q = queryOf(req);
    res.json(objectRow(await store.headObject(required(q, 'bucket'), required(q, 'key'), versionOf(q))));
  });

  // the versions of one key, newest first (its first entries in ListObjectVersions under the key as prefix)
  router.get('/versions', async (req, res) => {
    const q = queryOf(req);
    const key = required(q, 'key');
    const page = await store.listObjectVersions(required(q, 'bucket'), { prefix: key, maxKeys: MAX_PAGE });
    const versions: VersionRow[] = [];
    let others = false;
    for (const e of page.entries) {
      if (e.kind !== 'version') continue;
      if ((e.version.kind === 'object' ? e.version.meta.key : e.version.marker.key) !== key) {
        others = true;
        break;
      }
      versions.push(versionRow(e.version));
    }
    res.json({ versions, truncated: page.truncated && !others });
  });

  router.get('/download', async (req, res) => {
    const q = queryOf(req);
    const key = required(q, 'key');
    const { meta, body } = await store.readObject(required(q, 'bucket'), key, undefined, versionOf(q));
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(meta.size),
      // the key's last segment as the file name, with a UTF-8 form when it is not ASCII (RFC 6266)
      'content-disposition': contentDisposition(key.slice(key.lastIndexOf('/') + 1) || 'object'),
      // the bytes are whatever a client uploaded: never rendered as a page of the console's origin
      'content-security-policy': 'sandbox',
      etag: `"${meta.etag}"`,
    });
    body.on('error', () => res.destroy());
    res.on('close', () => body.destroy());
    body.pipe(res);
  });

  router.get('/uploads', async (req, res) => {
    const bucket = required(queryOf(req), 'bucket');
    const open = await store.listUploads(bucket);
    const uploads: UploadRow[] = [];
    for (const u of open.slice(0, MAX_UPLOADS)) {
      // an upload completed or aborted since listUploads is simply left out
      const parts = await store.listParts(u.bucket, u.key, u.uploadId).catch(() => undefined);
      if (parts === undefined) continue;
      uploads.push({ ...u, initiated: u.initiated.toISOString(), parts: parts.map(partRow) });
    }
    res.json({ uploads, truncated: open.length > MAX_UPLOADS });
  });

  router.get('/finished-uploads', async (_req, res) => {
    res.json({ uploads: await store.listFinishedUploads() });
  });

  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
    } else if (err instanceof BadParameter) {
      res.status(400).json({ error: err.message, field: err.field });
    } else if (err instanceof OssError) {
      res.status(err.status).json({ error: err.message, code: err.code });
    } else {
      next(err);
    }
  });

  return router;
}
