/**
 * What a failed getUserMedia means for the person at the device, the same
 * in the widget and the console: they refused (or the page may not ask),
 * there is no such device, or something else went wrong.
 */

export type MediaFailure = 'mic-denied' | 'cam-denied' | 'no-device' | 'error';

/** Maps a getUserMedia rejection (a DOMException by name) to what the user is told; `video` when the camera was asked for too. */
export function mediaFailure(e: unknown, video: boolean): MediaFailure {
  const name = e && typeof e === 'object' && 'name' in e ? e.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return video ? 'cam-denied' : 'mic-denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'no-device';
  return 'error';
}
