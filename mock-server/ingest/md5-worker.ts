// MD5 of large request bodies on a second core. MD5 and CRC-64 of a body are independent, and MD5 is the dearer of
// the two (about 1.8 s of CPU per GiB here against 1.1 for hash-wasm's CRC-64), so for a body promised to be large the
// body reader copies each batch into a shared ring and a worker thread hashes MD5 from there while the main thread
// computes CRC-64, talks to the socket and stores the bytes; the two digests are joined at the body's end. One worker
// serves the whole process: started on the first large body, unref'd (it never keeps a process alive), terminated
// when the last server using it closes. A worker that dies takes its jobs' MD5 state with it: each job then fails
// with HashWorkerGoneError and its body reader hashes the body again inline (ingest/body-reader.ts).
import { Worker } from 'node:worker_threads';

/**
 * Bodies promised (by Content-Length) to be at least this long take the worker path; smaller and chunked bodies are
 * hashed inline. A job has fixed costs that only a long body repays: after the last byte the request waits while the
 * worker hashes the ring's last slot, and the worker's thread wakes once per slot. Measured with 8 MiB multipart
 * parts (`npm run bench -- --only large`, README): on the worker path the file store's parts came in slower and cost
 * ~2 s more CPU per GiB than inline, so a part of that size stays inline, while a single large PUT gains from the second
 * core on both stores.
 */
export const PARALLEL_MD5_MIN_BYTES = 16 * 1024 * 1024;

/**
 * One slot of a ring: the unit handed to the worker, one message (a thread wake-up) each. The worker counts the
 * slots it has hashed in shared memory and sends word back only when the main thread waits for room.
 */
const SLOT_BYTES = 2 * 1024 * 1024;
const SLOTS = 4;
const RING_BYTES = SLOT_BYTES * SLOTS;
/** Rings kept for the next jobs, so their pages stay faulted in (one per concurrent large upload is typical). */
const FREE_RINGS_KEPT = 4;

/**
 * The worker's code, evaluated as CommonJS in the worker (a string rather than a file: it then works the same from
 * dist/ and from the one-file bin bundle, and needs nothing but node's own modules).
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const jobs = new Map();
parentPort.on('message', (m) => {
  switch (m.op) {
    case 'start':
      jobs.set(m.job, { md5: createHash('md5'), ring: new Uint8Array(m.ring), control: new Int32Array(m.control) });
      break;
    case 'data': {
      const job = jobs.get(m.job);
      if (job === undefined) break;
      job.md5.update(job.ring.subarray(m.at, m.at + m.length));
      Atomics.add(job.control, 0, 1);
      if (Atomics.load(job.control, 1) === 1) parentPort.postMessage({ op: 'consumed', job: m.job });
      break;
    }
    case 'end': {
      const job = jobs.get(m.job);
      jobs.delete(m.job);
      if (job !== undefined) parentPort.postMessage({ op: 'digest', job: m.job, md5: job.md5.digest() });
      break;
    }
    case 'cancel':
      jobs.delete(m.job);
      parentPort.postMessage({ op: 'cancelled', job: m.job });
      break;
    case 'stats':
      parentPort.postMessage({ op: 'stats', id: m.id, jobs: jobs.size });
      break;
  }
});
`;

type ToWorker =
  | { op: 'start'; job: number; ring: SharedArrayBuffer; control: SharedArrayBuffer }
  | { op: 'data'; job: number; at: number; length: number }
  | { op: 'end' | 'cancel'; job: number }
  | { op: 'stats'; id: number };

type FromWorker =
  | { op: 'consumed' | 'cancelled'; job: number }
  | { op: 'digest'; job: number; md5: Uint8Array }
  | { op: 'stats'; id: number; jobs: number };

/** A job's shared memory: the bytes, and two counters (see Md5Job.control). */
interface Ring {
  readonly data: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

/** The worker went away (crashed, was terminated) before the job's digest arrived. */
export class HashWorkerGoneError extends Error {
  constructor(reason: string) {
    super(`MD5 worker gone: ${reason}`);
    this.name = 'HashWorkerGoneError';
  }
}

/** MD5 of one body, computed by the worker from the bytes update() copies into the job's ring. */
export class Md5Job {
  private readonly view: Buffer;
  /** [0]: slots the worker has hashed (it adds to it), [1]: 1 while this job waits for room (then it sends word) */
  private readonly control: Int32Array;
  /** the slot being filled and how many bytes it holds */
  private slot = 0;
  private fill = 0;
  /** slots posted to the worker; those not yet hashed are the ones before `slot`, in ring order */
  private posted = 0;
  private roomWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private digestWaiter: { resolve: (md5: Buffer) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;
  private done = false;

  constructor(
    private readonly thread: HashThread,
    readonly id: number,
    private ring: Ring | undefined,
  ) {
    this.view = Buffer.from(ring!.data);
    this.control = new Int32Array(ring!.control);
  }

  /** Copies the bytes into the ring (waiting only when the worker is a whole ring behind) and hands full slots over. */
  async update(chunks: readonly Buffer[]): Promise<void> {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length;) {
        if (this.failure !== undefined) throw this.failure;
        const n = Math.min(SLOT_BYTES - this.fill, chunk.length - at);
        chunk.copy(this.view, this.slot * SLOT_BYTES + this.fill, at, at + n);
        this.fill += n;
        at += n;
        if (this.fill === SLOT_BYTES) {
          this.post();
          if (this.unhashed() === SLOTS) await this.room();
        }
      }
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** The MD5 of everything update() was given; the job is finished afterwards (its ring goes back to the pool). */
  digest(): Promise<Buffer> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.done) return Promise.reject(new Error('MD5 job already finished'));
    this.post();
    const digest = new Promise<Buffer>((resolve, reject) => (this.digestWaiter = { resolve, reject }));
    this.thread.send({ op: 'end', job: this.id });
    return digest;
  }

  /** Stops the job (an interrupted body): the worker drops its state, the ring goes back to the pool. Idempotent. */
  cancel(): void {
    if (this.done) return;
    if (this.failure === undefined) this.thread.send({ op: 'cancel', job: this.id });
    this.fail(new Error('MD5 job cancelled'), true, true);
  }

  private post(): void {
    if (this.fill === 0) return;
    this.thread.send({ op: 'data', job: this.id, at: this.slot * SLOT_BYTES, length: this.fill });
    this.posted++;
    this.slot = (this.slot + 1) % SLOTS;
    this.fill = 0;
  }

  private unhashed(): number {
    return this.posted - Atomics.load(this.control, 0);
  }

  /** Waits until the worker has hashed a slot. Both sides write their flag before reading the other's (seq-cst). */
  private async room(): Promise<void> {
    Atomics.store(this.control, 1, 1);
    try {
      while (this.unhashed() === SLOTS) {
        await new Promise<void>((resolve, reject) => (this.roomWaiter = { resolve, reject }));
      }
    } finally {
      Atomics.store(this.control, 1, 0);
    }
  }

  /** @internal from HashThread: the worker hashed a slot while this job waited */
  consumed(): void {
    const waiter = this.roomWaiter;
    this.roomWaiter = undefined;
    waiter?.resolve();
  }

  /** @internal from HashThread */
  digested(md5: Uint8Array): void {
    const waiter = this.digestWaiter;
    this.digestWaiter = undefined;
    this.finish(true, false);
    waiter?.resolve(Buffer.from(md5.buffer, md5.byteOffset, md5.byteLength));
  }

  /**
   * @internal from HashThread and cancel(): fails whatever waits, and finishes the job. `reusable`: the worker will
   * not touch the ring again once it has handled the messages sent so far (not so for a worker that went away).
   */
  fail(err: Error, reusable: boolean, cancelled = false): void {
    this.failure ??= err;
    const { roomWaiter, digestWaiter } = this;
    this.roomWaiter = undefined;
    this.digestWaiter = undefined;
    this.finish(reusable, cancelled);
    roomWaiter?.reject(this.failure);
    digestWaiter?.reject(this.failure);
  }

  private finish(reusable: boolean, cancelled: boolean): void {
    if (this.done) return;
    this.done = true;
    const ring = this.ring!;
    this.ring = undefined;
    this.thread.finished(this, reusable ? ring : undefined, cancelled);
  }
}

/** What is held right now, for tests: a finished or interrupted body leaves nothing behind. */
export interface HashWorkerState {
  /** jobs the main thread has open */
  jobs: number;
  /** rings lent to jobs (the free ones kept for reuse are not counted) */
  ringsLent: number;
  /** jobs the worker holds state for (0 when no worker runs) */
  workerJobs: number;
  /** whether a worker thread is running */
  running: boolean;
  /** jobs started since the process began (tests: which path a body took) */
  started: number;
}

class HashThread {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Md5Job>();
  private nextJob = 1;
  private started = 0;
  private readonly freeRings: Ring[] = [];
  /** rings of cancelled jobs, until the worker confirms it is done with them (it may still be hashing a slot) */
  private readonly cancelling = new Map<number, Ring>();
  private ringsLent = 0;
  private users = 0;
  private nextStats = 1;
  private readonly statsWaiters = new Map<number, (jobs: number) => void>();

  /** A new job, or undefined when no worker can be started here (the caller hashes inline). */
  start(): Md5Job | undefined {
    const worker = this.worker ?? this.spawn();
    if (worker === undefined) return undefined;
    const id = this.nextJob++;
    this.started++;
    const ring = this.freeRings.pop() ?? { data: new SharedArrayBuffer(RING_BYTES), control: new SharedArrayBuffer(8) };
    const control = new Int32Array(ring.control);
    Atomics.store(control, 0, 0);
    Atomics.store(control, 1, 0);
    this.ringsLent++;
    const job = new Md5Job(this, id, ring);
    this.jobs.set(id, job);
    this.send({ op: 'start', job: id, ring: ring.data, control: ring.control });
    return job;
  }

  send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  /** A job is over: its ring is reused once the worker is done with it (`ring` undefined: never, it went away). */
  finished(job: Md5Job, ring: Ring | undefined, cancelled: boolean): void {
    this.jobs.delete(job.id);
    if (ring !== undefined && cancelled) this.cancelling.set(job.id, ring);
    else this.returnRing(ring);
  }

  private returnRing(ring: Ring | undefined): void {
    this.ringsLent--;
    if (ring !== undefined && this.freeRings.length < FREE_RINGS_KEPT) this.freeRings.push(ring);
  }

  retain(): void {
    this.users++;
  }

  /** The last user gone: the worker is stopped (its jobs, if any were left, fail and fall back inline). */
  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users === 0) await this.terminate();
  }

  async terminate(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.gone(worker, 'terminated');
    await worker.terminate();
  }

  async state(): Promise<HashWorkerState> {
    const worker = this.worker;
    let workerJobs = 0;
    if (worker !== undefined) {
      const id = this.nextStats++;
      // messages are handled in order: the answer counts every start, end and cancel sent before it
      workerJobs = await new Promise<number>((resolve) => {
        this.statsWaiters.set(id, resolve);
        worker.postMessage({ op: 'stats', id } satisfies ToWorker);
      });
    }
    return {
      jobs: this.jobs.size,
      ringsLent: this.ringsLent,
      workerJobs,
      running: this.worker !== undefined,
      started: this.started,
    };
  }

  private spawn(): Worker | undefined {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, name: 'oss-mock md5' });
    } catch {
      return undefined;
    }
    worker.unref();
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (err) => this.gone(worker, err.message));
    worker.on('exit', (code) => this.gone(worker, `exited with ${code}`));
    this.worker = worker;
    return worker;
  }

  private receive(m: FromWorker): void {
    if (m.op === 'stats') {
      const waiter = this.statsWaiters.get(m.id);
      this.statsWaiters.delete(m.id);
      waiter?.(m.jobs);
      return;
    }
    if (m.op === 'cancelled') {
      const ring = this.cancelling.get(m.job);
      this.cancelling.delete(m.job);
      if (ring !== undefined) this.returnRing(ring);
      return;
    }
    // a cancelled job's late acknowledgements find no job
    const job = this.jobs.get(m.job);
    if (job === undefined) return;
    if (m.op === 'consumed') job.consumed();
    else if (m.op === 'digest') job.digested(m.md5);
  }

  private gone(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const job of [...this.jobs.values()]) job.fail(new HashWorkerGoneError(reason), false);
    // the rings it may still have been reading are dropped, not reused
    for (const _ of this.cancelling.values()) this.returnRing(undefined);
    this.cancelling.clear();
    for (const waiter of this.statsWaiters.values()) waiter(0);
    this.statsWaiters.clear();
  }
}

const thread = new HashThread();

/** An MD5 job on the process's hash worker (started on first use), or undefined when none can run. */
export function startMd5Job(): Md5Job | undefined {
  return thread.start();
}

/** A server that may hand bodies to the worker retains it while it runs and releases it when it closes. */
export function retainHashWorker(): void {
  thread.retain();
}

export function releaseHashWorker(): Promise<void> {
  return thread.release();
}

/** What the worker path holds now (tests: nothing is left behind by a finished or interrupted body). */
export function hashWorkerState(): Promise<HashWorkerState> {
  return thread.state();
}

/** Stops the worker as a crash would (tests: the jobs it had fall back to inline hashing). */
export function stopHashWorker(): Promise<void> {
  return thread.terminate();
}
