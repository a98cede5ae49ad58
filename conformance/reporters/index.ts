import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunSummary } from '../summary.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';

export { renderHtml, renderJson, renderJunit };
export { progressLine } from './progress.js';

/** Writes DIR/results.json, DIR/junit.xml and DIR/report.html; returns their paths. */
export async function writeReports(dir: string, summary: RunSummary): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['results.json', renderJson(summary)],
    ['junit.xml', renderJunit(summary)],
    ['report.html', renderHtml(summary)],
  ];
  for (const [name, content] of files) await writeFile(path.join(dir, name), content);
  return files.map(([name]) => path.join(dir, name));
}
