// The one way the app talks to /api/v1: JSON in and out, the session's bearer token,
// problem+json errors as ApiError. A 401 on a request that carried a token means the
// session ended (expired, logged out elsewhere, password reset): the app returns to
// its login screen with a message (A3, B1).

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfterS: number | null;
  constructor(status: number, problem: Problem, retryAfterS: number | null) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
    this.retryAfterS = retryAfterS;
  }
  /** The last segment of the problem type, e.g. "invalid-credentials". */
  get code(): string {
    return (this.problem.type ?? '').split('/').pop() ?? '';
  }
}

let token: string | null = null;
let onSessionEnded: (() => void) | null = null;

export function setToken(t: string | null): void {
  token = t;
}
export function currentToken(): string | null {
  return token;
}
/** Called once when a request with a token is answered 401. */
export function setSessionEndedHandler(handler: (() => void) | null): void {
  onSessionEnded = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Send no token (login). */
  anonymous?: boolean;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const sent = options.anonymous ? null : token;
  if (sent) headers.Authorization = `Bearer ${sent}`;
  const init: RequestInit = {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    cache: 'no-store',
  };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  if (options.signal) init.signal = options.signal;
  const res = await fetch(path, init);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!res.ok) {
    const problem: Problem =
      parsed && typeof parsed === 'object' ? (parsed as Problem) : { title: res.statusText, status: res.status };
    const retry = res.headers.get('Retry-After');
    if (res.status === 401 && sent && sent === token && onSessionEnded) onSessionEnded();
    throw new ApiError(res.status, problem, retry && /^\d+$/.test(retry) ? Number(retry) : null);
  }
  return parsed as T;
}

/**
 * A binary answer (a recording, a CSV export) with the session's token: what <audio>
 * and download links cannot send themselves. Errors as request() gives them.
 */
export async function requestBlob(path: string, signal?: AbortSignal): Promise<{ blob: Blob; filename: string | null }> {
  const sent = token;
  const init: RequestInit = { headers: sent ? { Authorization: `Bearer ${sent}` } : {}, cache: 'no-store' };
  if (signal) init.signal = signal;
  const res = await fetch(path, init);
  if (!res.ok) {
    let problem: Problem = { title: res.statusText, status: res.status };
    try {
      problem = (await res.json()) as Problem;
    } catch {
      /* not JSON */
    }
    if (res.status === 401 && sent && sent === token && onSessionEnded) onSessionEnded();
    const retry = res.headers.get('Retry-After');
    throw new ApiError(res.status, problem, retry && /^\d+$/.test(retry) ? Number(retry) : null);
  }
  const disposition = res.headers.get('Content-Disposition') ?? '';
  const m = /filename="?([^";]+)"?/i.exec(disposition);
  return { blob: await res.blob(), filename: m ? m[1]! : null };
}

/** A query string from the defined values, e.g. query({a: 1, b: undefined}) → "?a=1". */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}
