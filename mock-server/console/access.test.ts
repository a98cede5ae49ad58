// Who may open the console: the control API's rules (loopback, or the control token), with the token carried by a
// browser as a session cookie bought once with it. Peers from another machine are simulated by the test server
// (test-support/console-server.ts): the tests' own traffic stays on loopback.
import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestLog } from '../http/request-log.js';
import { openStream, startConsoleServer, type ConsoleServer } from './test-support/console-server.js';

const servers: ConsoleServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(o: Parameters<typeof startConsoleServer>[0] = {}): Promise<ConsoleServer> {
  const s = await startConsoleServer(o);
  servers.push(s);
  return s;
}

async function get(s: ConsoleServer, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.endpoint}${path}`, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const PATHS = ['/_mock/ui', '/_mock/ui/', '/_mock/ui/app.js', '/_mock/ui/api/buckets', '/_mock/ui/stream'];

describe('console access without a control token', () => {
  it('a loopback peer gets the page, its assets, the stream and the storage JSON', async () => {
    const s = await serve();
    const page = await get(s, '/_mock/ui');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('/_mock/ui/app.js');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await get(s, '/_mock/ui/app.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get(s, '/_mock/ui/api/buckets')).text).toBe('{"buckets":[]}');
    const stream = await openStream(`${s.endpoint}/_mock/ui/stream`);
    expect(stream.status).toBe(200);
    stream.close();
  });

  it('another machine is refused everything (403), the page with an explanation', async () => {
    const s = await serve({ peer: '192.0.2.7' });
    for (const path of PATHS) expect([path, (await get(s, path)).status]).toEqual([path, 403]);
    const page = await get(s, '/_mock/ui/');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('loopback clients only');
    expect(page.text).not.toContain('<form');
    expect((await get(s, '/_mock/ui/api/buckets')).text).toContain('loopback clients only');
    // a token that is not configured buys nothing
    expect((await get(s, '/_mock/ui/?token=guess')).status).toBe(403);
  });
});

describe('console access with a control token', () => {
  const TOKEN = 'console-t0ken-5f2a';

  async function login(s: ConsoleServer): Promise<string> {
    const res = await get(s, `/_mock/ui/?token=${TOKEN}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/_mock/ui/');
    const cookie = res.headers.get('set-cookie')!;
    return cookie.split(';')[0]!;
  }

  it('without it, even loopback gets a login page (401) and every other path 401 JSON', async () => {
    const s = await serve({ controlToken: TOKEN });
    const page = await get(s, '/_mock/ui/');
    expect(page.status).toBe(401);
    expect(page.text).toContain('<form method="post" action="/_mock/ui/login">');
    for (const path of PATHS.slice(2)) expect([path, (await get(s, path)).status]).toEqual([path, 401]);
    expect((await get(s, '/_mock/ui/?token=wrong')).status).toBe(401);
  });

  it('a ?token= link from another machine buys an HttpOnly SameSite=Strict cookie that is not the token', async () => {
    const s = await serve({ controlToken: TOKEN, peer: '192.0.2.7' });
    const res = await get(s, `/_mock/ui/?token=${TOKEN}`);
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      new RegExp(`^oss-mock-console-\\d+=[A-Za-z0-9_-]{43}; Path=/_mock; HttpOnly; SameSite=Strict$`),
    );
    expect(setCookie).not.toContain(TOKEN);
    const cookie = await login(s);
    // (the stream never ends: it is read below)
    for (const path of PATHS.filter((p) => p !== '/_mock/ui/stream')) {
      expect([path, (await get(s, path, { cookie })).status]).toEqual([path, 200]);
    }
    const stream = await openStream(`${s.endpoint}/_mock/ui/stream`, { cookie });
    expect((await stream.next((m) => m.type === 'snapshot')).type).toBe('snapshot');
    stream.close();
    // the control API's reads too: the page fetches rules and events with the cookie
    expect((await get(s, '/_mock/rules', { cookie })).status).toBe(200);
    expect((await get(s, '/_mock/ui/', { cookie: cookie.replace(/=.*/, '=forged') })).status).toBe(401);
  });

  it('a change through the cookie needs the console header too (another origin cannot add it)', async () => {
    const s = await serve({ controlToken: TOKEN });
    const cookie = await login(s);
    const post = (headers: Record<string, string>) =>
      fetch(`${s.endpoint}/_mock/rules`, { method: 'POST', headers: { cookie, ...headers }, body: '{"id":"x"}' });
    expect((await post({})).status).toBe(401);
    expect((await post({ 'content-type': 'text/plain' })).status).toBe(401);
    expect((await post({ 'x-oss-mock-console': '1' })).status).toBe(201);
    expect(s.control.listRules().map((r) => r.id)).toEqual(['x']);
    // the bearer token still works as before
    const bearer = await fetch(`${s.endpoint}/_mock/rules/x`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(bearer.status).toBe(200);
  });

  it('the login form buys the same cookie; a wrong token shows the form again', async () => {
    const s = await serve({ controlToken: TOKEN });
    const form = (token: string) =>
      fetch(`${s.endpoint}/_mock/ui/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
        redirect: 'manual',
      });
    const wrong = await form('nope');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('not the control token');
    const right = await form(TOKEN);
    expect(right.status).toBe(303);
    const cookie = right.headers.get('set-cookie')!.split(';')[0]!;
    expect((await get(s, '/_mock/ui/', { cookie })).status).toBe(200);
  });

  it('the token appears in no answer, no log line (the request log at debug included) and no event', async () => {
    const logged: unknown[] = [];
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args));
    }
    const requestLog = await RequestLog.create({
      level: 'debug',
      format: 'json',
      destination: { write: (line: string) => void logged.push(line) },
    });
    const s = await serve({ controlToken: TOKEN, ...(requestLog && { requestLog }) });
    const answers: string[] = [];
    const record = (r: { status: number; headers: Headers; text: string }): void =>
      void answers.push(JSON.stringify([...r.headers]), r.text);
    record(await get(s, `/_mock/ui/?token=${TOKEN}`));
    record(await get(s, `/_mock/ui/?token=${TOKEN}x`));
    record(await get(s, `/_mock/ui/app.js?token=${TOKEN}`));
    record(await get(s, '/_mock/ui/', { authorization: `Bearer ${TOKEN}` }));
    record(await get(s, `/no-such-bucket/?token=${TOKEN}`));
    expect(answers.join('\n')).not.toContain(TOKEN);
    expect(JSON.stringify(logged)).not.toContain(TOKEN);
    // the console's calls were logged, by path
    expect(JSON.stringify(logged)).toContain('/_mock/ui/app.js');
    // nor in the event log, which holds every OSS answer (the request to a bucket above is one)
    expect(s.control.events().length).toBeGreaterThan(0);
    expect(JSON.stringify(s.control.events())).not.toContain(TOKEN);
  });
});

describe('pages of other sites in a browser on this machine (loopback peers, no token)', () => {
  /** A request as a browser sends it: node:http lets the test set Host and the Fetch Metadata headers. */
  function send(
    s: ConsoleServer,
    o: { method?: string; path: string; headers: Record<string, string> },
  ): Promise<{ status: number; text: string }> {
    const url = new URL(s.endpoint);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: o.method ?? 'GET', path: o.path, headers: o.headers },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, text }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  it("another site's POST changes nothing (403); the same request from the console's own page does", async () => {
    const s = await serve();
    s.control.addRule({ id: 'keep-me', ingestRate: '1MiB/s' });
    const host = new URL(s.endpoint).host;
    const crossSite = await send(s, {
      method: 'POST',
      path: '/_mock/reset',
      headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', origin: 'http://evil.example' },
    });
    expect(crossSite).toEqual({
      status: 403,
      text: JSON.stringify({
        error: "requests from another site's web pages are refused (Sec-Fetch-Site: cross-site)",
      }),
    });
    const otherOrigin = await send(s, {
      method: 'DELETE',
      path: '/_mock/rules',
      headers: { host, origin: 'http://localhost:3000' },
    });
    expect(otherOrigin.status).toBe(403);
    expect(s.control.listRules().map((r) => r.id)).toEqual(['keep-me']);
    const own = await send(s, {
      method: 'DELETE',
      path: '/_mock/rules/keep-me',
      headers: { host, 'sec-fetch-site': 'same-origin', origin: s.endpoint },
    });
    expect(own.status).toBe(200);
    expect(s.control.listRules()).toEqual([]);
  });

  it('a link from another site still opens the console', async () => {
    const s = await serve();
    const host = new URL(s.endpoint).host;
    const page = await send(s, {
      path: '/_mock/ui/',
      headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain('/_mock/ui/app.js');
  });

  it('a name re-pointed at 127.0.0.1 (DNS rebinding) reads nothing; with a token the token decides', async () => {
    const s = await serve();
    s.control.addRule({ id: 'secret-plan' });
    for (const path of ['/_mock/rules', '/_mock/ui/', '/_mock/ui/api/buckets', '/_mock/ui/stream']) {
      const res = await send(s, { path, headers: { host: 'rebind.evil.example:80' } });
      expect([path, res.status]).toEqual([path, 403]);
      expect(res.text).not.toContain('secret-plan');
      expect(res.text).toContain('rebind.evil.example');
    }
    const t = await serve({ controlToken: 'rebind-t0ken' });
    const bearer = await send(t, {
      path: '/_mock/rules',
      headers: { host: 'rebind.evil.example:80', authorization: 'Bearer rebind-t0ken' },
    });
    expect(bearer.status).toBe(200);
  });
});
