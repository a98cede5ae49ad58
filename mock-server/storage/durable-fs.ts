// The few filesystem steps the file store's crash safety rests on. A rename is atomic but only durable once the
// directory holding the new name is fsynced; a file's bytes only once the file is.

import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Platforms that cannot fsync a directory (Windows, some network filesystems) answer with one of these. */
const NO_DIR_FSYNC = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EBADF', 'ENOTSUP']);

/** fsync of an open directory; a platform that cannot fsync directories makes it a no-op. */
export async function syncOpenDir(handle: FileHandle): Promise<void> {
  try {
    await handle.sync();
  } catch (err) {
    if (!NO_DIR_FSYNC.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!NO_DIR_FSYNC.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

/** Replaces `path` with `data` atomically: temp file, fsync, rename, fsync of the directory. */
export async function writeFileDurably(path: string, data: string): Promise<void> {
  const temp = `${path}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await fsyncDir(dirname(path));
}

export async function removeFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

/** Removes every entry of `dir` that `keep` rejects; returns how many were removed. */
export async function prune(dir: string, keep: (name: string) => boolean): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir)) {
    if (keep(name)) continue;
    await rm(join(dir, name), { force: true, recursive: true });
    removed++;
  }
  return removed;
}
