// OSS date formats (docs/protocol.md#dates, docs/protocol.md#v1-signature, docs/protocol.md#v4-signature).

/**
 * XML timestamps: ISO 8601 with exactly `.000` milliseconds. oss2 rejects any other fraction (its regex requires
 * `\.000Z$`), so milliseconds are truncated rather than printed.
 */
export function xmlTime(d: Date): string {
  const second = Math.floor(d.getTime() / 1000);
  // A listing formats one time per entry, and keys written together share their second: the last few are kept
  // (formatting is two Dates and a toISOString, a good part of a listing page's time otherwise).
  let text = recentXmlTimes.get(second);
  if (text === undefined) {
    text = new Date(second * 1000).toISOString();
    if (recentXmlTimes.size >= RECENT_XML_TIMES) recentXmlTimes.clear();
    recentXmlTimes.set(second, text);
  }
  return text;
}

const RECENT_XML_TIMES = 256;
const recentXmlTimes = new Map<number, string>();

/** Header dates (`Date`, `Last-Modified`): RFC 1123 with a two-digit day, e.g. `Sat, 05 Dec 2015 11:10:29 GMT`. */
export function httpDate(d: Date): string {
  return d.toUTCString();
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC1123 = /^(?:([A-Za-z]{3}),\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(?:GMT|UTC|Z)$/;

/** Parses an RFC 1123 GMT date (no local-time guesses, no field overflow); undefined when it is not one. */
export function parseHttpDate(s: string): Date | undefined {
  const m = RFC1123.exec(s.trim());
  if (!m) return undefined;
  const [, day, dd, mon, yyyy, hh, mi, ss] = m;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === mon!.toLowerCase());
  if (month < 0) return undefined;
  // The weekday must be a weekday name but is not cross-checked, like Go's time.Parse and Python's email.utils.
  if (day !== undefined && !DAYS.some((x) => x.toLowerCase() === day.toLowerCase())) return undefined;
  return utc(+yyyy!, month, +dd!, +hh!, +mi!, +ss!);
}

const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `x-oss-date` / `Date`: RFC 1123 (ali-oss V1, Go, C++) or ISO basic `20221220T084818Z` (V4)
 * docs/protocol.md#v1-signature. */
export function parseOssDate(s: string): Date | undefined {
  const m = ISO_BASIC.exec(s.trim());
  if (m) {
    const [, yyyy, mm, dd, hh, mi, ss] = m;
    return utc(+yyyy!, +mm! - 1, +dd!, +hh!, +mi!, +ss!);
  }
  return parseHttpDate(s);
}

/** ISO basic timestamp used by V4 (`x-oss-date`), e.g. `20231216T162057Z`. */
export function isoBasic(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

/** The V4 credential-scope day, e.g. `20231216`. */
export function dateStamp(d: Date): string {
  return isoBasic(d).slice(0, 8);
}

/** Builds a UTC date, rejecting field overflow (Feb 30, 25:00) that Date.UTC would silently roll over. */
function utc(y: number, mon: number, d: number, h: number, mi: number, s: number): Date | undefined {
  const date = new Date(Date.UTC(y, mon, d, h, mi, s));
  const ok =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mon &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return ok ? date : undefined;
}
