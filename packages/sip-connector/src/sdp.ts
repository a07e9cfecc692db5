/**
 * The little the connector does with SDP: nothing on the way out (the
 * visitor's offer goes unchanged), and for a re-INVITE from the phone (hold,
 * session refresh) an answer built from the visitor's description with each
 * media direction narrowed to the mirror of the offer's, its o= version
 * raised when it differs from what we last sent (RFC 3264 §8).
 */
const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/;
type Dir = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
const bits: Record<Dir, number> = { inactive: 0, sendonly: 1, recvonly: 2, sendrecv: 3 };
const byBits: Dir[] = ['inactive', 'sendonly', 'recvonly', 'sendrecv'];
/** What we may do when the peer does `d`: they send → we receive, and the other way round. */
const mirror = (d: Dir): number => ((bits[d] & 1) << 1) | ((bits[d] & 2) >> 1);

function sections(sdp: string): string[][] {
  const out: string[][] = [[]];
  for (const l of sdp.split(/\r?\n/)) {
    if (!l) continue;
    if (l.startsWith('m=')) out.push([]);
    out[out.length - 1].push(l);
  }
  return out;
}

function dirOf(section: string[] | undefined, fallback: Dir): Dir {
  for (const l of section ?? []) {
    const m = DIRECTION.exec(l);
    if (m) return m[1] as Dir;
  }
  return fallback;
}

function version(sdp: string): bigint | undefined {
  const m = /^o=\S+ \S+ (\d+) /m.exec(sdp);
  return m ? BigInt(m[1]) : undefined;
}

function body(parts: string[][]): string {
  return parts.flat().join('\r\n') + '\r\n';
}

/**
 * Our answer to a re-offer. `original` is the visitor's description, `last`
 * what we last sent (the same at first), `offer` the phone's new offer
 * (empty for an offerless re-INVITE: then `last` is our offer again).
 */
export function answerReoffer(original: string, last: string, offer: string): string {
  if (!offer.trim()) return last;
  const ours = sections(original);
  const theirs = sections(offer);
  const sessionOurs = dirOf(ours[0], 'sendrecv');
  const sessionTheirs = dirOf(theirs[0], 'sendrecv');
  const parts = ours.map((section, i) => {
    if (i === 0) return section.filter((l) => !DIRECTION.test(l));
    const mine = dirOf(section, sessionOurs);
    const want = byBits[bits[mine] & mirror(dirOf(theirs[i], sessionTheirs))];
    return [...section.filter((l) => !DIRECTION.test(l)), `a=${want}`];
  });
  const candidate = body(parts);
  // Unchanged media directions: the very same description again (a session refresh).
  if (directions(candidate) === directions(last)) return last;
  const next = (version(last) ?? 0n) + 1n;
  return candidate.replace(/^o=(\S+) (\S+) \d+ /m, `o=$1 $2 ${next.toString()} `);
}

function directions(sdp: string): string {
  const all = sections(sdp);
  const session = dirOf(all[0], 'sendrecv');
  return all.slice(1).map((m) => dirOf(m, session)).join(',');
}
