// Taking possession of a --data-dir: make sure it is a usable directory, then hold its lock for the life of the
// store. Two servers on one directory would journal with the same sequence numbers and delete each other's staging
// files, losing acknowledged writes, so the second one must refuse to start.
//
// The lock is a file `oss-mock.lock.<N>` naming its owner: pid, host, boot id and the process's start time (Linux,
// from /proc); the one with the highest N is the lock. It is created atomically with its content (written to a
// temp file, then hard-linked into place, which fails if the name exists). A lock whose owner is gone is stale: the
// owner is gone when its pid no longer exists, is a zombie, belongs to a process that started at another time (the
// pid was reused), or the machine rebooted since. A stale lock N is taken over by creating N+1, never by removing
// N first: only one of several servers starting at once can create N+1, so exactly one wins (removing and
// re-creating one fixed name cannot guarantee that). Superseded locks are removed by the winner, and a closing
// server removes its own, so a server killed with SIGKILL never blocks its restart. A lock from another host cannot
// be checked and is respected. Why not an mtime-refreshed lock (proper-lockfile): it cannot tell a killed owner from
// a live one until the refresh interval has passed, so an immediate restart after SIGKILL would be refused; nor a
// flock(2), which Node cannot take without a native addon.

import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Lock files are `oss-mock.lock.<N>`; the highest N is the lock. */
export const LOCK_PREFIX = 'oss-mock.lock.';
const LOCK_NAME = /^oss-mock\.lock\.(\d{1,15})$/;

/** The generations of lock files in `dir`, highest first. */
export async function lockGenerations(dir: string): Promise<number[]> {
  const generations: number[] = [];
  for (const name of await readdir(dir)) {
    const m = LOCK_NAME.exec(name);
    if (m !== null) generations.push(Number(m[1]));
  }
  return generations.sort((a, b) => b - a);
}

/** Who holds a lock (the JSON content of the lock file). */
export interface LockOwner {
  pid: number;
  host: string;
  /** Linux: /proc/sys/kernel/random/boot_id, to tell a lock left before a reboot */
  bootId?: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22) */
  startTicks?: string;
  /** ISO time, for the message */
  startedAt: string;
}

/** The directory cannot serve as a data dir (not creatable, not a directory, not writable). */
export class DataDirUnusableError extends Error {
  constructor(
    readonly dir: string,
    why: string,
  ) {
    super(`--data-dir ${dir} is not usable: ${why}`);
    this.name = 'DataDirUnusableError';
  }
}

/** Another live server holds the directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
    readonly lockFile: string,
  ) {
    super(
      `--data-dir ${dir} is in use by another oss-mock (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}); ` +
        'two servers on one data directory would lose acknowledged writes. Stop that server first, or, if it is ' +
        `really gone, delete ${lockFile}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Creates `dir` and its missing parents one level at a time. Not `mkdir({ recursive: true })`: Node 20's recursive
 * mkdir loops forever (at full CPU) where mkdir of a child of an existing directory answers ENOENT, as under /proc.
 */
async function makeDirectory(dir: string): Promise<void> {
  const parent = dirname(dir);
  try {
    await mkdir(dir);
    return;
  } catch (err) {
    const code = errno(err);
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || parent === dir) throw err;
  }
  await makeDirectory(parent);
  try {
    await mkdir(dir);
  } catch (err) {
    if (errno(err) !== 'EEXIST') throw err;
  }
}

/** Makes sure `dir` (absolute) exists as a directory this process can create files in, with `subdirs` in it. */
export async function prepareDataDir(dir: string, subdirs: readonly string[]): Promise<void> {
  try {
    await makeDirectory(dir);
    if (!(await stat(dir)).isDirectory()) throw new Error('it is not a directory');
    for (const sub of subdirs) await makeDirectory(join(dir, sub));
  } catch (err) {
    throw new DataDirUnusableError(dir, describe(err));
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errno(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
async function procStat(pid: number): Promise<string[] | undefined> {
  const text = await readIfExists(`/proc/${pid}/stat`).catch(() => undefined);
  if (text === undefined) return undefined;
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** This process as a lock owner. */
async function currentOwner(): Promise<LockOwner> {
  const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const bootId = (await readIfExists('/proc/sys/kernel/random/boot_id').catch(() => undefined))?.trim();
  if (bootId) owner.bootId = bootId;
  // field 22 (starttime) is the 20th after the command name
  const startTicks = (await procStat(process.pid))?.[19];
  if (startTicks !== undefined) owner.startTicks = startTicks;
  return owner;
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const o = JSON.parse(text) as Partial<LockOwner> | null;
    if (typeof o?.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0 || typeof o.host !== 'string') {
      return undefined;
    }
    return { startedAt: 'at an unknown time', ...o } as LockOwner;
  } catch {
    return undefined;
  }
}

/** Whether `owner` may still be running; true when it cannot be told (another host). */
async function ownerAlive(owner: LockOwner, me: LockOwner): Promise<boolean> {
  if (owner.host !== me.host) return true;
  if (owner.bootId !== undefined && me.bootId !== undefined && owner.bootId !== me.bootId) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user
    if (errno(err) === 'ESRCH') return false;
  }
  if (me.startTicks === undefined) return true; // no /proc: the pid exists, which is all that can be known
  const fields = await procStat(owner.pid);
  if (fields === undefined) return false;
  // field 3 (state): a zombie or dead process holds nothing
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return owner.startTicks === undefined || fields[19] === owner.startTicks;
}

/** The lock of one data dir, held from acquire() to release(). */
export class DataDirLock {
  private constructor(
    readonly path: string,
    private readonly content: string,
  ) {}

  /** Takes the lock of `dir` (an existing directory); throws DataDirLockedError while a live server holds it. */
  static async acquire(dir: string): Promise<DataDirLock> {
    const absolute = resolve(dir);
    const me = await currentOwner();
    const content = `${JSON.stringify(me)}\n`;
    const temp = join(absolute, `oss-mock.lock-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await writeFile(temp, content, { flag: 'wx' });
    } catch (err) {
      throw new DataDirUnusableError(absolute, `cannot create files in it (${describe(err)})`);
    }
    try {
      for (let attempt = 0; attempt < 16; attempt++) {
        const generations = await lockGenerations(absolute);
        const top = generations[0] ?? 0;
        if (top > 0) {
          const path = join(absolute, `${LOCK_PREFIX}${top}`);
          const held = await readIfExists(path);
          if (held === undefined) continue; // released or superseded meanwhile
          const owner = parseOwner(held);
          if (owner !== undefined && (await ownerAlive(owner, me))) throw new DataDirLockedError(absolute, owner, path);
        }
        const path = join(absolute, `${LOCK_PREFIX}${top + 1}`);
        try {
          await link(temp, path);
        } catch (err) {
          if (errno(err) === 'EEXIST') continue; // another server took generation top + 1 first
          throw new DataDirUnusableError(absolute, `cannot lock it (${describe(err)})`);
        }
        for (const superseded of generations) await rm(join(absolute, `${LOCK_PREFIX}${superseded}`), { force: true });
        return new DataDirLock(path, content);
      }
      throw new DataDirUnusableError(absolute, 'its lock keeps changing: other servers keep starting on it');
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Removes the lock file if it is still this one's. */
  async release(): Promise<void> {
    if ((await readIfExists(this.path).catch(() => undefined)) === this.content) await rm(this.path, { force: true });
  }
}
