// Type-strips this repository's TypeScript into a runnable ESM tree in a temp dir, so tests can start the reference
// driver as a real child process without a build step (type checking is tsc's job, not this one's).
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Transpiles every non-test .ts file under `dirs` (relative to the repo; a .ts path is one file); returns the root. */
export async function transpileForNode(dirs: readonly string[]): Promise<string> {
  const out = await mkdtemp(path.join(tmpdir(), 'oss-conformance-js-'));
  // named like the package, so code that finds its package root (package-info.ts) finds this tree's
  const { version } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  await writeFile(path.join(out, 'package.json'), JSON.stringify({ name: 'oss-mock', version, type: 'module' }));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  for (const dir of dirs) {
    const files = dir.endsWith('.ts') ? [path.join(REPO_ROOT, dir)] : await tsFiles(path.join(REPO_ROOT, dir));
    for (const file of files) {
      const js = ts.transpileModule(await readFile(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
        fileName: file,
      }).outputText;
      const target = path.join(out, path.relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, js);
    }
  }
  return out;
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return e.name === 'test-support' ? [] : tsFiles(p);
      return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
    }),
  );
  return nested.flat();
}
