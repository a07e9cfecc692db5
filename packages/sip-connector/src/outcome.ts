/** Spec 9's mapping of SIP final answers onto the visitor protocol's causes. */
import type { SipEndCause } from './types.js';

export function causeForStatus(code: number): SipEndCause {
  if (code === 486 || code === 600) return 'busy';
  if (code === 603) return 'rejected';
  if (code === 404 || code === 480 || code === 410 || code === 604 || code === 484) return 'unavailable';
  // Our own transaction timed out (no answer from the PBX) or the transport failed.
  if (code === 408) return 'unavailable';
  if (code === 487) return 'no-answer';
  // Media the phone cannot take (e.g. a plain-RTP phone without a relay), auth or server trouble.
  if (code === 488 || code === 606 || code === 401 || code === 407 || code >= 500) return 'error';
  if (code === 403) return 'rejected';
  return 'unavailable';
}
