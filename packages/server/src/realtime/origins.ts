/**
 * allowedOrigins (spec 8): exact origins or `https://*.example.com` for any
 * subdomain. An empty list allows every origin; a non-empty list refuses a
 * connection without Origin.
 */

/** True when `origin` (the Origin header) may open a widget with this list. */
export function originAllowed(allowed: readonly string[], origin: string | undefined): boolean {
  if (allowed.length === 0) return true;
  if (!origin) return false;
  const o = origin.trim().toLowerCase().replace(/\/+$/, '');
  for (const raw of allowed) {
    const a = raw.trim().toLowerCase().replace(/\/+$/, '');
    if (a === o) return true;
    const m = /^(https?):\/\/\*\.(.+)$/.exec(a);
    if (m) {
      const [, scheme, rest] = m;
      const prefix = `${scheme}://`;
      if (!o.startsWith(prefix)) continue;
      const hostPort = o.slice(prefix.length);
      // "*.example.com" matches "a.example.com" and "a.b.example.com", not "example.com" or "evilexample.com".
      if (hostPort.endsWith(`.${rest}`) && hostPort.length > rest!.length + 1 && !hostPort.startsWith('.')) return true;
    }
  }
  return false;
}
