/** fetchJson against a stubbed fetch: what goes out (JSON, cookie, CSRF content type) and how every failure becomes one ApiError. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, fetchJson } from '../src/fetch-json.js';

type Call = { url: string; init: RequestInit };
let calls: Call[];

function answer(status: number, body: string, statusText = ''): void {
  calls = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(status === 204 ? null : body, { status, statusText });
    }),
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('fetchJson', () => {
  it('sends a JSON body with the cookie and the JSON content type, and parses the answer', async () => {
    answer(201, '{"id":"f1","name":"x","value":false}');
    const flag = await fetchJson<{ id: string }>('POST', '/api/flags', { name: 'x' });
    expect(flag).toEqual({ id: 'f1', name: 'x', value: false });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/api/flags');
    expect(calls[0]!.init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: '{"name":"x"}' });
    expect(calls[0]!.init.headers).toEqual({ accept: 'application/json', 'content-type': 'application/json' });
  });

  it('sends no body and no content type without one; an empty answer is undefined', async () => {
    answer(204, '');
    expect(await fetchJson('DELETE', '/api/flags/f1')).toBeUndefined();
    expect(calls[0]!.init.body).toBeUndefined();
    expect(calls[0]!.init.headers).toEqual({ accept: 'application/json' });
  });

  it("turns the server's error JSON into an ApiError with status, code, message and field", async () => {
    answer(400, '{"error":"validation-failed","message":"agents[0].media[1] must be one of chat, voice, video","field":"agents[0].media[1]"}');
    const e = await fetchJson('PUT', '/api/widgets/w', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ name: 'ApiError', status: 400, code: 'validation-failed', field: 'agents[0].media[1]', message: 'agents[0].media[1] must be one of chat, voice, video' });
  });

  it('names the status when the error answer is not the API error JSON', async () => {
    answer(502, '<html>Bad gateway</html>', 'Bad Gateway');
    await expect(fetchJson('GET', '/api/me')).rejects.toMatchObject({ status: 502, code: 'http-502', message: 'The server answered 502 Bad Gateway.', field: undefined });
    answer(500, '{"error":7,"message":null}');
    await expect(fetchJson('GET', '/api/me')).rejects.toMatchObject({ status: 500, code: 'http-500', message: 'The server answered 500.' });
  });

  it('reports an unreachable server as status 0, code network; an abort stays an abort', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(fetchJson('GET', '/api/me')).rejects.toMatchObject({ status: 0, code: 'network' });
    const abort = new DOMException('aborted', 'AbortError');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(abort)));
    await expect(fetchJson('GET', '/api/me')).rejects.toBe(abort);
  });
});
