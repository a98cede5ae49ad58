// x-oss-request-id: 24 uppercase hex characters whose first 8 are the server's Unix time in seconds
// (docs/protocol.md#common-headers, checked against six real samples). The rest is random so ids stay unique.
import { randomBytes } from 'node:crypto';

export function newRequestId(now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000) >>> 0;
  return (seconds.toString(16).padStart(8, '0') + randomBytes(8).toString('hex')).toUpperCase();
}
