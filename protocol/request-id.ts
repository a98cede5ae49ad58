// x-oss-request-id: 24 uppercase hex characters whose first 8 are the server's Unix time in seconds
// (docs/protocol.md#common-headers, checked against six real samples). The other 16 only keep ids unique: 8 random
// hex digits drawn once per process (and again whenever the counter wraps), then a counter, so an id costs no call
// to the random source and stays unique within a process and, with overwhelming odds, across processes.
import { randomBytes } from 'node:crypto';

let nonce = '';
let counter = 0xffffffff;

export function newRequestId(now: Date | number = Date.now()): string {
  const ms = typeof now === 'number' ? now : now.getTime();
  if (counter >= 0xffffffff) {
    nonce = randomBytes(4).toString('hex').toUpperCase();
    counter = 0;
  }
  const seconds = Math.floor(ms / 1000) >>> 0;
  const count = (counter++).toString(16).toUpperCase().padStart(8, '0');
  return seconds.toString(16).toUpperCase().padStart(8, '0') + nonce + count;
}
