// DIR/junit.xml for CI: one <testsuite> per driver, one <testcase> per scenario; 'fail' is a <failure>, 'skip' and
// 'n-a' are <skipped> with the reason, so CI dashboards show why a scenario did not run.
import type { ScenarioResult } from '../scenario.js';
import type { RunSummary } from '../summary.js';

// JUnit readers are strict XML 1.0: control characters (e.g. from a driver's stderr) are dropped, not referenced.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b\x0c\x0e-\x1f]/g;
const escapeXmlText = (s: string): string =>
  s.replace(CONTROLS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: string): string => escapeXmlText(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
const seconds = (ms: number): string => (ms / 1000).toFixed(3);

export function renderJunit(summary: RunSummary): string {
  const byDriver = new Map<string, ScenarioResult[]>();
  for (const r of summary.results) {
    const c = r.column ?? r.driver;
    byDriver.set(c, [...(byDriver.get(c) ?? []), r]);
  }
  const suites = [...byDriver].map(([driver, results]) => {
    const failures = results.filter((r) => r.status === 'fail').length;
    const skipped = results.filter(
      (r) => r.status === 'skip' || r.status === 'n-a' || r.status === 'known-defect',
    ).length;
    const time = results.reduce((t, r) => t + r.durationMs, 0);
    const cases = results.map((r) => testcase(driver, r)).join('');
    return (
      `  <testsuite name="oss-conformance [${attr(driver)}] on ${attr(summary.target)}" tests="${results.length}" ` +
      `failures="${failures}" errors="0" skipped="${skipped}" time="${seconds(time)}" timestamp="${attr(summary.startedAt)}">\n` +
      cases +
      '  </testsuite>\n'
    );
  });
  const t = summary.totals;
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="oss-conformance" tests="${summary.results.length}" failures="${t.fail}" errors="0" ` +
    `skipped="${t.skip + t['n-a'] + t['known-defect']}" time="${seconds(summary.durationMs)}">\n` +
    suites.join('') +
    '</testsuites>\n'
  );
}

function testcase(driver: string, r: ScenarioResult): string {
  const open = `    <testcase classname="oss-conformance.${attr(driver)}" name="${attr(`${r.scenario} ${r.title}`)}" time="${seconds(r.durationMs)}"`;
  const notes = r.notes.length > 0 ? `      <system-out>${escapeXmlText(r.notes.join('\n'))}</system-out>\n` : '';
  switch (r.status) {
    case 'pass':
      return notes ? `${open}>\n${notes}    </testcase>\n` : `${open}/>\n`;
    case 'fail': {
      const body = escapeXmlText(
        [r.error?.message ?? r.reason ?? '', r.error?.stack ?? ''].filter(Boolean).join('\n\n'),
      );
      return `${open}>\n      <failure message="${attr(r.reason ?? 'failed')}" type="${attr(r.error?.code ?? 'AssertionError')}">${body}</failure>\n${notes}    </testcase>\n`;
    }
    case 'skip':
    case 'n-a':
    case 'known-defect':
      return `${open}>\n      <skipped message="${attr(`${r.status}: ${r.reason ?? ''}`)}"/>\n${notes}    </testcase>\n`;
  }
}
