// Seeing a client's FIN on a connection the server is not reading (a throttled, stalled or delayed request).
//
// A FIN is delivered to the application only after every byte before it was read, so a paused reader would learn of
// it only at the throttled rate. The kernel knows earlier: once the FIN has arrived (the client's unsent remainder
// fitted in our receive window) the connection is in CLOSE_WAIT, whatever is still unread. Linux lists every TCP
// socket of the network namespace with its state in /proc/net/tcp and /proc/net/tcp6
// (https://www.kernel.org/doc/html/latest/networking/proc_net_tcp.html; state numbers from
// https://github.com/torvalds/linux/blob/master/include/net/tcp_states.h), so while some request is paused the
// poller reads the table and reports the paused connections found in CLOSE_WAIT.
//
// Reading a table costs the kernel a walk of its whole connection hash (measured 5-8 ms of CPU per read on a VM with
// 262,144 buckets, however few connections exist), hence: only while a watch is active, one read per family per
// poll whatever the number of watches, and an interval just short enough for the <= 50 ms detection target.
// Elsewhere (no /proc) the poller does nothing and a FIN is noticed when the reader reaches it.

import { open } from 'node:fs/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { endianness } from 'node:os';

/** How often the tables are read while some connection is watched: with the read itself, within 50 ms. */
export const TCP_STATE_POLL_MS = 30;

/** TCP_CLOSE_WAIT of include/net/tcp_states.h, as the table prints the state (two hex digits). */
const CLOSE_WAIT = '08';

const TABLES = { v4: '/proc/net/tcp', v6: '/proc/net/tcp6' } as const;
type Family = keyof typeof TABLES;

let scratch = Buffer.alloc(64 * 1024);

/** A table's text: one open, reads into a reused buffer (readFile costs more for a file without a size), one close. */
async function readTable(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) scratch = Buffer.concat([scratch, Buffer.alloc(scratch.length)]);
      const { bytesRead } = await file.read(scratch, length, scratch.length - length, null);
      if (bytesRead === 0) return scratch.toString('latin1', 0, length);
      length += bytesRead;
    }
  } finally {
    await file.close();
  }
}

/** The 4 (IPv4) or 16 (IPv6) bytes of an address in network order; undefined when it is not an IP address. */
export function ipBytes(ip: string): Buffer | undefined {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return undefined;
  let text = ip.replace(/%.*$/, ''); // a zone (fe80::1%eth0) is not part of the address
  // an embedded IPv4 tail (::ffff:127.0.0.1) is two 16-bit words
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  const words = (s: string | undefined): number[] => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = words(halves[0]);
  const right = words(halves[1]);
  const all =
    halves.length === 2 ? [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right] : left;
  if (all.length !== 8 || all.some((w) => !(w >= 0 && w <= 0xffff))) return undefined;
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/**
 * An endpoint as the table prints it: the address as 32-bit words in host byte order (the kernel prints the
 * network-order words with %08X), each in 8 upper-case hex digits, then `:` and the port in 4.
 */
export function tableEndpoint(ip: string, port: number, littleEndian = endianness() === 'LE'): string | undefined {
  const bytes = ipBytes(ip);
  if (bytes === undefined || !Number.isInteger(port) || port < 0 || port > 0xffff) return undefined;
  let hex = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const word = littleEndian ? bytes.readUInt32LE(i) : bytes.readUInt32BE(i);
    hex += word.toString(16).toUpperCase().padStart(8, '0');
  }
  return `${hex}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The ends of a connection as seen from our side (a net.Socket has these fields). */
export interface ConnectionEnds {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
}

interface Watch {
  family: Family;
  key: string;
  onPeerClosed(): void;
}

/** `local remote` -> state for each line of a table's text. */
export function* tableEntries(text: string): Generator<{ local: string; remote: string; state: string }> {
  const lines = text.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/);
    if (f.length >= 4) yield { local: f[1]!, remote: f[2]!, state: f[3]! };
  }
}

export class TcpStatePoller {
  private readonly watches = new Map<string, Set<Watch>>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private broken = false;

  constructor(
    private readonly read: (path: string) => Promise<string> = readTable,
    readonly intervalMs = TCP_STATE_POLL_MS,
  ) {}

  /** Whether anything is watched (the tables are read only then). */
  get active(): boolean {
    return this.watches.size > 0;
  }

  /**
   * Calls `onPeerClosed` (once) when the connection shows CLOSE_WAIT; returns the function that stops watching.
   * A connection whose ends are unknown (already closed) or a system without the tables is not watched.
   */
  watch(ends: ConnectionEnds, onPeerClosed: () => void): () => void {
    const { localAddress, localPort, remoteAddress, remotePort } = ends;
    if (this.broken || localAddress === undefined || remoteAddress === undefined) return () => {};
    const local = tableEndpoint(localAddress, localPort ?? -1);
    const remote = tableEndpoint(remoteAddress, remotePort ?? -1);
    if (local === undefined || remote === undefined) return () => {};
    const w: Watch = { family: isIPv4(localAddress) ? 'v4' : 'v6', key: `${local} ${remote}`, onPeerClosed };
    let set = this.watches.get(w.key);
    if (set === undefined) this.watches.set(w.key, (set = new Set()));
    set.add(w);
    this.schedule();
    return () => this.unwatch(w);
  }

  private unwatch(w: Watch): void {
    const set = this.watches.get(w.key);
    if (set === undefined) return;
    set.delete(w);
    if (set.size === 0) this.watches.delete(w.key);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.polling || this.watches.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.intervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const families = new Set<Family>();
      for (const set of this.watches.values()) for (const w of set) families.add(w.family);
      for (const family of families) {
        let text: string;
        try {
          text = await this.read(TABLES[family]);
        } catch {
          // no /proc (not Linux, or hidden): stop trying; the reader notices a FIN when it reaches it
          this.broken = true;
          this.watches.clear();
          return;
        }
        for (const e of tableEntries(text)) {
          if (e.state !== CLOSE_WAIT) continue;
          const set = this.watches.get(`${e.local} ${e.remote}`);
          if (set === undefined) continue;
          this.watches.delete(`${e.local} ${e.remote}`);
          for (const w of set) if (w.family === family) w.onPeerClosed();
        }
      }
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}

/** The process's poller: one table read per poll serves every server and connection of the process. */
export const tcpState = new TcpStatePoller();
