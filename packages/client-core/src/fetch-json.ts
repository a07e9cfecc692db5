/**
 * One JSON request to the HTTP API (spec 5), shared by the admin app and the
 * agent console: same origin, the session cookie, JSON in and out. Every
 * failure, the network's included, becomes one `ApiError` carrying the
 * server's `{"error","message","field"}`.
 *
 * A body always goes out as `Content-Type: application/json`: the server's
 * CSRF rule (docs/adr/0003-http-auth-csrf.md) refuses a cookie-signed POST
 * without it, which is why even a body-less POST (sign-out) sends `{}`.
 */

/** The error JSON of the HTTP API. */
export interface ApiErrorBody {
  error: string;
  message: string;
  /** which field of the request was wrong, e.g. "agents[0].media[1]" */
  field?: string;
}

/** A failed API request: the HTTP status (0 when the server could not be reached) and the server's error JSON. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** the API `error` code (see the protocol's ERRORS), `network`, or `http-<status>` when the answer had none */
    readonly code: string,
    message: string,
    /** which field of the body was wrong, e.g. "agents[0].media[1]" */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Reads the parts of an error answer that have the documented types; anything else is left out. */
function errorBody(data: unknown): Partial<ApiErrorBody> {
  if (!data || typeof data !== 'object') return {};
  const { error, message, field } = data as Record<string, unknown>;
  return {
    error: typeof error === 'string' ? error : undefined,
    message: typeof message === 'string' ? message : undefined,
    field: typeof field === 'string' ? field : undefined,
  };
}

/**
 * Sends one request and resolves with the parsed JSON answer (undefined for
 * an empty one, e.g. 204). `T` is the answer's documented type: the caller
 * names the route's response type from @cw/protocol.
 */
export async function fetchJson<T = unknown>(method: HttpMethod, path: string, body?: unknown, init: { signal?: AbortSignal } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: init.signal,
    });
  } catch (e) {
    if ((e as { name?: unknown })?.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const text = await res.text().catch(() => '');
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      // A proxy's HTML error page: the status says enough.
    }
  }
  if (!res.ok) {
    const e = errorBody(data);
    const status = `${res.status} ${res.statusText}`.trim();
    throw new ApiError(res.status, e.error ?? `http-${res.status}`, e.message ?? `The server answered ${status}.`, e.field);
  }
  return data as T;
}
