import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunSummary } from '../summary.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';

export { renderHtml, renderJson, renderJunit, renderMarkdown };
export { progressLine } from './progress.js';

/** The files writeReports() owns in a report folder (a run removes them first). */
export const REPORT_FILES = ['results.json', 'junit.xml', 'report.html', 'summary.md'] as const;

/** Writes DIR/results.json, DIR/junit.xml, DIR/report.html and DIR/summary.md; returns their paths. */
export async function writeReports(dir: string, summary: RunSummary): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[(typeof REPORT_FILES)[number], string]> = [
    ['results.json', renderJson(summary)],
    ['junit.xml', renderJunit(summary)],
    ['report.html', renderHtml(summary)],
    ['summary.md', renderMarkdown(summary)],
  ];
  for (const [name, content] of files) await writeFile(path.join(dir, name), content);
  return files.map(([name]) => path.join(dir, name));
}
