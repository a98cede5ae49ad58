// Who may use the control API (docs/architecture.md#contracts): loopback peers only, unless a control token is
// configured; then any peer presenting `Authorization: Bearer TOKEN`, or the web console's session cookie that the
// token bought.

import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1, and IPv4-mapped loopback (::ffff:127.x.y.z) in any textual form. */
export function isLoopbackAddress(addr: string | undefined): boolean {
  if (addr === undefined) return false;
  if (isIPv4(addr)) return LOOPBACK.check(addr, 'ipv4');
  return isIPv6(addr) && LOOPBACK.check(addr, 'ipv6');
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export type AccessDecision = { allowed: true } | { allowed: false; status: 401 | 403; error: string };

export function controlAccess(
  o: { peer: string | undefined; authorization: string | undefined; consoleSession?: boolean },
  token: string | undefined,
): AccessDecision {
  if (token !== undefined) {
    if (o.consoleSession === true) return { allowed: true };
    const m = /^Bearer\s+(.+)$/i.exec(o.authorization ?? '');
    return m !== null && sameSecret(m[1]!.trim(), token)
      ? { allowed: true }
      : { allowed: false, status: 401, error: 'a valid "Authorization: Bearer TOKEN" header is required' };
  }
  return isLoopbackAddress(o.peer)
    ? { allowed: true }
    : { allowed: false, status: 403, error: 'the control API answers loopback clients only' };
}
