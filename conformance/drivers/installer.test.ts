// The SDK driver installer: a missing toolchain is an unavailable driver with the reason and how to install it; an
// install is cached by driver, version and build inputs, built once under a lock even when two runs ask at once, and
// rebuilt when the sources change. The build tests use a tiny Go module (skipped where Go is missing).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DriverUnavailableError } from './driver.js';
import { cacheRoot, checkToolchain, installDriver } from './installer.js';
import type { SdkDriverSpec } from './installer.js';

const temps: string[] = [];
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});
async function temp(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'oss-conformance-installer-'));
  temps.push(d);
  return d;
}

const fakeGo: SdkDriverSpec = {
  name: 'go-fake',
  toolchain: 'go',
  sdkPackage: 'example.com/none',
  description: 'a tiny module',
};

async function fakeModule(dir: string, message: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'go.mod'), 'module example.com/fake\n\ngo 1.21\n');
  await writeFile(
    path.join(dir, 'main.go'),
    `package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("${message}") }\n`,
  );
}

describe('SDK driver installer', () => {
  it('finds the cache in $OSS_CONFORMANCE_CACHE, $XDG_CACHE_HOME/oss-mock or ~/.cache/oss-mock', () => {
    expect(cacheRoot({ OSS_CONFORMANCE_CACHE: '/x/c', XDG_CACHE_HOME: '/y' })).toBe('/x/c');
    expect(cacheRoot({ XDG_CACHE_HOME: '/y' })).toBe('/y/oss-mock');
    expect(cacheRoot({ HOME: '/home/u' })).toMatch(/\.cache\/oss-mock$/);
  });

  it('reports a missing toolchain as unavailable, saying how to install it', async () => {
    const err = await checkToolchain('go', { OSS_CONFORMANCE_GO: '/nonexistent/go' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverUnavailableError);
    expect((err as Error).message).toMatch(
      /^\/nonexistent\/go not usable \(.*ENOENT.*\): install Go 1.21\+ \(https:\/\/go.dev\/doc\/install\)/,
    );
    const mvn = await checkToolchain('maven', { OSS_CONFORMANCE_JAVA: '/nonexistent/java' }).catch((e: unknown) => e);
    expect((mvn as Error).message).toContain('install a JDK 8+ and Maven');
  });

  it('builds once under a lock when two runs ask at once, reuses the build, and rebuilds changed sources', async (t) => {
    const go = await checkToolchain('go').catch(() => undefined);
    if (!go) return t.skip('go is not installed');
    const root = await temp();
    const src = path.join(root, 'src');
    await fakeModule(src, 'one');
    const cacheDir = path.join(root, 'cache');
    const progress: string[] = [];
    const o = { cacheDir, onProgress: (_d: string, m: string) => progress.push(m) };
    const [a, b] = await Promise.all([
      installDriver(fakeGo, undefined, src, o),
      installDriver(fakeGo, undefined, src, o),
    ]);
    expect(a).toEqual(b);
    expect(progress.filter((m) => m.startsWith('first use'))).toHaveLength(1);
    const ready = JSON.parse(await readFile(path.join(a.dir, 'ready.json'), 'utf8')) as { installedAt: string };
    const again = await installDriver(fakeGo, undefined, src, o);
    expect(again.dir).toBe(a.dir);
    expect(JSON.parse(await readFile(path.join(a.dir, 'ready.json'), 'utf8'))).toMatchObject(ready);
    await fakeModule(src, 'two');
    const changed = await installDriver(fakeGo, undefined, src, o);
    expect(changed.dir).not.toBe(a.dir);
    expect(path.basename(changed.dir)).toMatch(/^go-fake-pinned-[0-9a-f]{16}$/);
  }, 120_000);

  it('starts a cached Python driver from the calling checkout, not from the one that installed it', async (t) => {
    const python = await checkToolchain('python').catch(() => undefined);
    if (!python) return t.skip('python3 with venv is not installed');
    const root = await temp();
    const spec: SdkDriverSpec = { name: 'py-fake', toolchain: 'python', sdkPackage: 'none', description: 'no SDK' };
    const checkout = async (name: string): Promise<string> => {
      const dir = path.join(root, name, 'driver');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'requirements.txt'), '# nothing to install\n');
      await writeFile(path.join(dir, 'driver.py'), 'print("driver")\n');
      return dir;
    };
    const cacheDir = path.join(root, 'cache');
    const first = await checkout('first');
    const installed = await installDriver(spec, undefined, first, { cacheDir });
    expect(installed.command).toContain(path.join(first, 'driver.py'));
    await rm(path.join(root, 'first'), { recursive: true });
    const second = await checkout('second');
    const reused = await installDriver(spec, undefined, second, { cacheDir });
    expect(reused.dir).toBe(installed.dir);
    expect(reused.command).toContain(path.join(second, 'driver.py'));
    expect(reused.command).not.toContain(first);
    expect(reused.cwd).toBe(second);
  }, 120_000);

  it('keeps the log of a failed install and leaves nothing that looks installed', async (t) => {
    const go = await checkToolchain('go').catch(() => undefined);
    if (!go) return t.skip('go is not installed');
    const root = await temp();
    const src = path.join(root, 'src');
    await mkdir(src);
    await writeFile(path.join(src, 'go.mod'), 'module example.com/broken\n\ngo 1.21\n');
    await writeFile(path.join(src, 'main.go'), 'package main\n\nfunc main() { undefined() }\n');
    const err = await installDriver(fakeGo, undefined, src, { cacheDir: path.join(root, 'cache') }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DriverUnavailableError);
    expect((err as Error).message).toMatch(
      /installing go-fake failed: go build failed \(exit 1\):[\s\S]*undefined[\s\S]*full log: .*\.failed\.log/,
    );
  }, 120_000);
});
