// OSS limits the store enforces (reference/oss-api.md §7). Handlers may check them earlier; the store checks again.

/** Buckets per account and region; the 101st is TooManyBuckets (§6.10). */
export const MAX_BUCKETS = 100;

/** PutObject body and whole appendable object (§6.1, §6.7). */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 3;

/** Every part of a completed upload but the last must be at least this big (§5.2, §5.3; Go `const.go` MinPartSize). */
export const MIN_PART_SIZE = 102_400;

export const MIN_PART_NUMBER = 1;
export const MAX_PART_NUMBER = 10_000;

/** UploadPart body (§5.2; Go `const.go` MaxPartSize). */
export const MAX_PART_SIZE = 5 * 1024 ** 3;
