// Every dependency's install script is declared in package.json's allowScripts, so `npm ci` runs no unreviewed
// script and prints no install-scripts warning (npm blocks undeclared install scripts and lists them after the
// install: https://docs.npmjs.com/cli/commands/npm-install-scripts).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Pending {
  allowScripts: Array<{ name: string; changes: Array<{ key: string; change: string }> }>;
}

it('no installed package has an install script that allowScripts leaves undecided', async () => {
  const { stdout } = await promisify(execFile)('npm', ['install-scripts', 'ls', '--json'], { cwd: root });
  const pending = (JSON.parse(stdout) as Pending).allowScripts.flatMap((p) =>
    p.changes.filter((c) => c.change === 'pending').map((c) => c.key),
  );
  expect(pending).toEqual([]);
});
