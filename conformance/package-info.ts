// Where this package lives and what it is: the root (for the SDK drivers' sources under conformance/drivers/), its
// version (reports, --version) and the commit it was built from when it runs from a git checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding oss-mock's package.json (the repo, or node_modules/oss-mock when installed). */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && readManifest(manifest).name === 'oss-mock') return (root = dir);
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('cannot find the oss-mock package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

function readManifest(file: string): { name?: string; version?: string } {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
  } catch {
    return {};
  }
}

export function packageVersion(): string {
  return readManifest(path.join(packageRoot(), 'package.json')).version ?? '0.0.0';
}

let commit: string | null | undefined;

/** The git commit of the checkout the suite runs from ($GITHUB_SHA in CI), or undefined for an installed package. */
export function sourceCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (commit === undefined) {
    commit = null;
    if (existsSync(path.join(packageRoot(), '.git'))) {
      try {
        commit = execFileSync('git', ['rev-parse', 'HEAD'], {
          cwd: packageRoot(),
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
        const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
          cwd: packageRoot(),
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        if (dirty.trim() !== '') commit += ' (modified)';
      } catch {
        commit = null;
      }
    }
  }
  return commit ?? env.GITHUB_SHA ?? undefined;
}
