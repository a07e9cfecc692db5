/**
 * The one error registry (STYLE habit 6): every wire `Error.code` and every
 * HTTP API `error` code, with its default message and HTTP status.
 */
export const ERRORS = {
  'bad-request': { status: 400, message: 'The request is malformed.' },
  'validation-failed': { status: 400, message: 'The request body is invalid.' },
  'unknown-widget': { status: 404, message: 'No such widget.', fatal: true },
  'origin-not-allowed': { status: 403, message: 'This website may not use the widget.', fatal: true },
  'rate-limited': { status: 429, message: 'Too many messages.', fatal: true },
  unauthorized: { status: 401, message: 'Sign in first.', fatal: true },
  forbidden: { status: 403, message: 'Your role does not allow this.', fatal: true },
  'unknown-agent': { status: 404, message: 'No such agent on this widget.' },
  'no-call': { status: 404, message: 'No such call.' },
  'unknown-chat': { status: 404, message: 'No such chat.' },
  'call-in-progress': { status: 409, message: 'A call is already in progress.' },
  'media-not-allowed': { status: 403, message: 'This agent cannot be reached that way.' },
  /** not fatal: too many new chats and calls from one address (the socket stays) */
  'try-later': { status: 429, message: 'Too many new chats and calls from your network. Try again in a few minutes.' },
  /** spec 11: the widget's offline form is off */
  'offline-disabled': { status: 403, message: 'This widget takes no messages.' },
  /** spec 11: an offline form sent faster than a person fills it in (anti-spam); sending again later works */
  'too-fast': { status: 429, message: 'The form was sent too quickly. Please send it again.' },
  'not-found': { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'That conflicts with existing data.' },
  'payload-too-large': { status: 413, message: 'The request is too large.' },
  'invalid-credentials': { status: 401, message: 'Wrong username or password.' },
  'unsupported-media-type': { status: 415, message: 'Send the body as application/json.' },
  'method-not-allowed': { status: 405, message: 'This method is not allowed here.' },
  'csrf-rejected': { status: 403, message: 'Cross-site request refused.' },
  unavailable: { status: 503, message: 'Storage is not reachable.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string; fatal?: boolean }>;

export type ErrorCode = keyof typeof ERRORS;

/** Fatal wire errors are followed by a close with code 1008. */
export function isFatal(code: ErrorCode): boolean {
  return 'fatal' in ERRORS[code] && (ERRORS[code] as { fatal?: boolean }).fatal === true;
}

/** WebSocket close codes the server uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  restart: 1012,
} as const;
