// OSS limits the store enforces (docs/protocol.md#limits). Handlers may check them earlier; the store checks again.

/** Buckets per account and region; the 101st is TooManyBuckets (docs/protocol.md#bucket-operations). */
export const MAX_BUCKETS = 100;

/** PutObject body and whole appendable object (docs/protocol.md#putobject, docs/protocol.md#appendobject). */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

/** Every part of a completed upload but the last must be at least this big (docs/protocol.md#multipart; Go `const.go`
 * MinPartSize). */
export const MIN_PART_SIZE = 102_400;

export const MIN_PART_NUMBER = 1;
export const MAX_PART_NUMBER = 10_000;

/** UploadPart body (docs/protocol.md#multipart; Go `const.go` MaxPartSize). */
export const MAX_PART_SIZE = 5 * 1024 ** 3;
