/** Helpers for the security tests (issue 11): raw HTTP from a chosen loopback address, RSS of this process. */
import http from 'node:http';

export interface RawRes {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

/** One HTTP request over a fresh connection from `from` (any 127.x address works on Linux). */
export function rawRequest(
  port: number,
  o: { method?: string; path: string; body?: string | Buffer; headers?: Record<string, string>; from?: string; agent?: http.Agent },
): Promise<RawRes> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path: o.path,
        localAddress: o.from,
        agent: o.agent ?? false,
        headers: { ...(o.body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(o.body)) } : {}), ...o.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Counts of each status in a list of answers, e.g. {"401": 10, "429": 990}. */
export function tally(rs: { status: number }[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of rs) t[r.status] = (t[r.status] ?? 0) + 1;
  return t;
}
