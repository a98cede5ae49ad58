import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { browserRefusal, type BrowserSignals } from './browser-origin.js';

const config = { baseDomains: ['oss.test'] };
const signals = (o: Partial<BrowserSignals>): BrowserSignals => ({
  method: 'GET',
  host: '127.0.0.1:9000',
  origin: undefined,
  secFetchSite: undefined,
  secFetchMode: undefined,
  ...o,
});

describe('browserRefusal', () => {
  it('lets clients that are no browser through, as they address the mock today', () => {
    for (const host of ['127.0.0.1:9000', 'localhost:9000', '[::1]:9000', 'LOCALHOST', 'a.localhost:1', undefined]) {
      expect([host, browserRefusal(signals({ host, method: 'POST' }), config, true)]).toEqual([host, undefined]);
    }
    // undici's fetch sends Sec-Fetch-Mode: cors but no Sec-Fetch-Site
    expect(browserRefusal(signals({ secFetchMode: 'cors' }), config, true)).toBeUndefined();
  });

  it("refuses another site's page, whatever its method, unless it is a link followed to a page", () => {
    for (const site of ['cross-site', 'same-site']) {
      for (const method of ['POST', 'PUT', 'DELETE', 'GET']) {
        const refusal = browserRefusal(signals({ method, secFetchSite: site, secFetchMode: 'no-cors' }), config, true);
        expect(refusal).toBe(`requests from another site's web pages are refused (Sec-Fetch-Site: ${site})`);
      }
      const link = signals({ secFetchSite: site, secFetchMode: 'navigate' });
      expect(browserRefusal(link, config, true)).toBeUndefined();
      // a form posted from another site is a navigation too, but not a safe one
      const form = signals({ method: 'POST', secFetchSite: site, secFetchMode: 'navigate' });
      expect(browserRefusal(form, config, false)).toMatch(/another site/);
    }
    for (const site of ['same-origin', 'none']) {
      expect(browserRefusal(signals({ method: 'POST', secFetchSite: site }), config, true)).toBeUndefined();
    }
  });

  it('refuses an Origin other than the URL the request was sent to (older browsers send no Sec-Fetch-Site)', () => {
    const post = (origin: string, host = '127.0.0.1:9000') =>
      browserRefusal(signals({ method: 'POST', origin, host }), config, false);
    expect(post('http://127.0.0.1:9000')).toBeUndefined();
    expect(post('http://localhost', 'localhost:80')).toBeUndefined();
    expect(post('http://127.0.0.1:3000')).toBe(
      "requests from another origin's web pages are refused (Origin: http://127.0.0.1:3000)",
    );
    expect(post('https://127.0.0.1:9000')).toMatch(/another origin/);
    expect(post('null')).toMatch(/another origin/);
    expect(post('http://evil.example')).toMatch(/another origin/);
    // where Sec-Fetch-Site is sent it decides: the console's no-referrer login page posts with Origin: null
    const login = signals({ method: 'POST', origin: 'null', secFetchSite: 'same-origin', secFetchMode: 'navigate' });
    expect(browserRefusal(login, config, false)).toBeUndefined();
  });

  it('refuses a name that is not this machine when only the loopback peer would admit the request', () => {
    const rebound = signals({ host: 'rebind.evil.example:9000', secFetchSite: 'same-origin' });
    expect(browserRefusal(rebound, config, true)).toBe(
      'the control API answers loopback clients that address it as this machine (localhost, 127.0.0.1, [::1]), not as "rebind.evil.example"',
    );
    // a same-origin GET of a rebound name carries no browser header at all: the Host is what tells
    expect(browserRefusal(signals({ host: 'rebind.evil.example:9000' }), config, true)).toMatch(
      /rebind\.evil\.example/,
    );
    expect(browserRefusal(signals({ host: '0.0.0.0:9000' }), config, true)).toMatch(/"0\.0\.0\.0"/);
    // with a control token the name does not matter: the token (or its cookie, bound to the name) admits
    expect(browserRefusal(rebound, config, false)).toBeUndefined();
    for (const host of ['oss.test:9000', 'cn.oss.test', `${hostname()}:9000`, '127.0.1.1:9000']) {
      expect([host, browserRefusal(signals({ host }), config, true)]).toEqual([host, undefined]);
    }
  });
});
