// Calls to the mock from the page: the control API (/_mock/...) for rules, rates and reset, and the console's own
// storage JSON (/_mock/ui/api/...). Same origin; with a control token the session cookie authenticates, and the
// X-OSS-Mock-Console header marks a state-changing call as the console's (mock-server/console/session.ts).

/** An error answer of the control API: `{ error, field? }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'x-oss-mock-console': '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const e = (json ?? {}) as { error?: unknown; field?: unknown };
    throw new ApiError(
      res.status,
      typeof e.error === 'string' ? e.error : `${res.status} ${res.statusText}`,
      typeof e.field === 'string' ? e.field : undefined,
    );
  }
  return json as T;
}

/** A URL with its query, leaving out empty parameters. */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}
