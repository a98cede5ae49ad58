// Web pages in a browser on the developer's machine: their requests come from a loopback peer, so the loopback rule
// alone would let any page the developer opens change the mock, and a page could read it too through DNS rebinding.
// - Another site's page can send a POST (a "simple" request: a form, or fetch with mode no-cors) without any CORS
//   grant; it cannot read the answer, but the reset or the rule takes effect. Browsers say where such a request comes
//   from: `Sec-Fetch-Site` (Fetch Metadata, https://www.w3.org/TR/fetch-metadata/; sent to loopback URLs, which are
//   potentially trustworthy) and, in browsers without it, `Origin` (https://fetch.spec.whatwg.org/#origin-header, on
//   every request other than GET and HEAD). A request from another site, or whose Origin is not the URL it is sent
//   to, is refused; following a link to the console (a top-level GET navigation) is not.
// - DNS rebinding: a site re-points its own name at 127.0.0.1, and its page is then same-origin with the mock under
//   that name, able to read everything the loopback rule serves. The browser still sends the site's name as Host, so
//   a loopback peer admitted without a token must name the mock as this machine: localhost, a loopback address, the
//   machine's host name or one of its base domains. Non-browser clients (SDK tests, curl,
//   the testkit) address it so already and send none of these headers.

import { hostname as machineName } from 'node:os';
import type { ServerConfig } from '../exchange/config.js';
import { isLoopbackAddress } from './access.js';

export interface BrowserSignals {
  method: string | undefined;
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
  secFetchMode: string | undefined;
}

/** The host name of a Host header value, without its port or IPv6 brackets, lower case. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, Math.max(1, h.indexOf(']')));
  const colon = h.lastIndexOf(':');
  return (colon >= 0 ? h.slice(0, colon) : h).replace(/\.$/, '');
}

/** Whether `name` (from a Host header) names this machine. */
function namesThisMachine(name: string, config: Pick<ServerConfig, 'baseDomains'>): boolean {
  // (not 0.0.0.0, the address a wildcard listener has: browsers have sent pages' requests there)
  if (name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(name)) return true;
  if (name === machineName().toLowerCase()) return true;
  return config.baseDomains.some((d) => {
    const domain = d.toLowerCase();
    return name === domain || name.endsWith(`.${domain}`);
  });
}

/** Whether an Origin header value is the origin of a request sent with this Host (http://HOST). */
function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && url.host === new URL(`http://${host}`).host;
  } catch {
    return false; // "null" (a sandboxed or file: page) or a malformed value
  }
}

/**
 * Why a browser's request must be refused (undefined: nothing says it comes from a web page it should not).
 * `loopbackAdmitted`: the request would be let in for its loopback peer alone (no control token configured).
 */
export function browserRefusal(
  s: BrowserSignals,
  config: Pick<ServerConfig, 'baseDomains'>,
  loopbackAdmitted: boolean,
): string | undefined {
  const navigation = (s.method === 'GET' || s.method === 'HEAD') && s.secFetchMode === 'navigate';
  if (!navigation) {
    if (s.secFetchSite === 'cross-site' || s.secFetchSite === 'same-site') {
      return `requests from another site's web pages are refused (Sec-Fetch-Site: ${s.secFetchSite})`;
    }
    // Sec-Fetch-Site decides where a browser sends it: a page served with Referrer-Policy: no-referrer (the console's
    // login page) posts its own form with Origin: null (https://fetch.spec.whatwg.org/#serializing-a-request-origin)
    if (
      s.secFetchSite === undefined &&
      s.origin !== undefined &&
      s.host !== undefined &&
      !sameOrigin(s.origin, s.host)
    ) {
      return `requests from another origin's web pages are refused (Origin: ${s.origin})`;
    }
  }
  if (loopbackAdmitted && s.host !== undefined) {
    const name = hostName(s.host);
    if (!namesThisMachine(name, config)) {
      return `the control API answers loopback clients that address it as this machine (localhost, 127.0.0.1, [::1]), not as "${name}"`;
    }
  }
  return undefined;
}
