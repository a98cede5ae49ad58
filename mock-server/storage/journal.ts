// The file store's index on disk: a snapshot (`index.json`, replaced atomically) plus a journal (`journal.jsonl`) of
// the batches committed since, one JSON line each, written before the batch is applied and fsynced before it is
// acknowledged: lines appended while an fdatasync runs share the next one (group commit, group-sync.ts). A batch is
// one line, so a multi-record change (Complete = finish the upload + write the object) is all there or not at all.
// A crash can only tear the last line, which was never acknowledged: load() ignores it. Lines carry a sequence
// number and the snapshot the last one it contains, so a crash between writing a snapshot and truncating the
// journal replays nothing twice.

import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import {
  decodeMutation,
  decodeState,
  encodeMutation,
  encodeState,
  type MutationJson,
  type StateJson,
} from './codec.js';
import { writeFileDurably } from './durable-fs.js';
import { GroupSync } from './group-sync.js';
import { applyMutations, emptyState, type Mutation, type StoreState } from './state.js';

const FORMAT = 'oss-mock-file-store/1';
export const SNAPSHOT_FILE = 'index.json';
export const JOURNAL_FILE = 'journal.jsonl';

interface Snapshot {
  format: string;
  seq: number;
  state: StateJson;
}

interface Entry {
  seq: number;
  mutations: MutationJson[];
}

export class Journal {
  private handle: FileHandle | undefined;
  private seq = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  /** A failed append that could not be undone: the file's tail is unknown, so nothing may follow it. */
  private broken: unknown;
  /** the fdatasyncs of appended lines, shared by the lines appended meanwhile */
  private readonly syncs = new GroupSync(() => this.open().datasync());

  constructor(
    private readonly dir: string,
    private readonly compactAfterBytes: number,
  ) {}

  /** The index as the last acknowledged batch left it; opens the journal for appending. */
  async load(): Promise<StoreState<string>> {
    let state = emptyState<string>();
    const snapshotText = await readIfExists(join(this.dir, SNAPSHOT_FILE));
    if (snapshotText !== undefined) {
      const snapshot = JSON.parse(snapshotText) as Snapshot;
      if (snapshot.format !== FORMAT) throw new Error(`${SNAPSHOT_FILE}: unknown format ${String(snapshot.format)}`);
      state = decodeState(snapshot.state);
      this.seq = snapshot.seq;
      this.snapshotBytes = Buffer.byteLength(snapshotText);
    }
    const lines = ((await readIfExists(join(this.dir, JOURNAL_FILE))) ?? '').split('\n');
    for (const [i, line] of lines.entries()) {
      const entry = parseEntry(line);
      if (!entry) {
        if (lines.slice(i + 1).some((rest) => rest.trim() !== '')) {
          throw new Error(`${JOURNAL_FILE}: line ${i + 1} is damaged but later lines are not`);
        }
        break; // the torn, unacknowledged tail
      }
      if (entry.seq <= this.seq) continue; // already in the snapshot
      if (entry.seq !== this.seq + 1)
        throw new Error(`${JOURNAL_FILE}: expected entry ${this.seq + 1}, found ${entry.seq}`);
      applyMutations(state, entry.mutations.map(decodeMutation));
      this.seq = entry.seq;
    }
    this.handle = await open(join(this.dir, JOURNAL_FILE), 'a');
    this.journalBytes = (await this.handle.stat()).size;
    return state;
  }

  /**
   * Writes the batch's line; durable() makes it durable. When it throws, the batch is not in the journal. Lines are
   * appended one at a time (the store's commits are serialised).
   */
  async append(mutations: readonly Mutation<string>[]): Promise<void> {
    const handle = this.open();
    const entry: Entry = { seq: this.seq + 1, mutations: mutations.map(encodeMutation) };
    const bytes = Buffer.from(`${JSON.stringify(entry)}\n`);
    try {
      for (let at = 0; at < bytes.length;) at += (await handle.write(bytes, at)).bytesWritten;
    } catch (err) {
      await handle.truncate(this.journalBytes).catch((truncateErr: unknown) => {
        this.broken = truncateErr;
      });
      throw err;
    }
    this.seq = entry.seq;
    this.journalBytes += bytes.length;
  }

  /**
   * Resolves once every line appended before the call is on disk. A failed fdatasync fails this call, every other
   * waiting one and every later append: what reached the disk is unknown, so the journal stops (the next open()
   * replays what did).
   */
  async durable(): Promise<void> {
    try {
      await this.syncs.flush();
    } catch (err) {
      this.broken ??= err;
      throw err;
    }
  }

  /** Compaction is amortised: the journal may grow as big as the snapshot before it is folded in. */
  shouldCompact(): boolean {
    return this.journalBytes > Math.max(this.compactAfterBytes, this.snapshotBytes);
  }

  /** Writes `state` (which must include every appended batch) as the snapshot, then empties the journal. */
  async compact(state: StoreState<string>): Promise<void> {
    const handle = this.open();
    const snapshot: Snapshot = { format: FORMAT, seq: this.seq, state: encodeState(state) };
    const text = JSON.stringify(snapshot);
    await writeFileDurably(join(this.dir, SNAPSHOT_FILE), text);
    this.snapshotBytes = Buffer.byteLength(text);
    await handle.truncate(0);
    await handle.datasync();
    this.journalBytes = 0;
    // the snapshot holds every line appended so far, synced or not
    this.syncs.markCovered();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private open(): FileHandle {
    if (this.broken !== undefined) throw new Error('journal unusable after a failed write', { cause: this.broken });
    if (!this.handle) throw new Error('journal not loaded');
    return this.handle;
  }
}

function parseEntry(line: string): Entry | undefined {
  try {
    const entry = JSON.parse(line) as Partial<Entry> | null;
    if (typeof entry?.seq !== 'number' || !Array.isArray(entry.mutations)) return undefined;
    return entry as Entry;
  } catch {
    return undefined;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
