/**
 * API errors: one way to answer `{"error", "message"}` with the status from
 * the protocol's ERRORS registry, and body validation with the failing field.
 */
import type { FastifyReply } from 'fastify';
import { ERRORS, type ErrorCode, type Schema } from '@cw/protocol';

/** Thrown by handlers; the app's error handler turns it into the JSON answer. */
export class HttpError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message?: string,
    public readonly field?: string,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'HttpError';
  }

  get status(): number {
    return ERRORS[this.code].status;
  }
}

/** The JSON body of every API error. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
  field?: string;
}

/** Sends the error answer for `code` (status from the registry). */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string, field?: string): FastifyReply {
  const body: ErrorBody = { error: code, message: message ?? ERRORS[code].message };
  if (field !== undefined) body.field = field;
  return reply.code(ERRORS[code].status).type('application/json; charset=utf-8').send(body);
}

/** Shortcut for a 404 with a resource-specific message. */
export function notFound(what: string): HttpError {
  return new HttpError('not-found', `No such ${what}.`);
}

/**
 * The schema language reports "<path> <reason>"; the path is the field the
 * admin app highlights. The root object has an empty path.
 */
export function fieldOf(reason: string): { field: string; message: string } {
  const i = reason.indexOf(' ');
  const field = i <= 0 ? '' : reason.slice(0, i);
  const message = i === 0 ? `body${reason}` : reason;
  return { field, message };
}

/** Validates a request body against a protocol schema, or throws 400 validation-failed with the field. */
export function parseBody<T>(schema: Schema<T>, body: unknown): T {
  if (body === undefined || body === null) throw new HttpError('validation-failed', 'The request needs a JSON object body.', '');
  const r = schema.check(body, '');
  if (r.ok) return r.value;
  const { field, message } = fieldOf(r.error);
  throw new HttpError('validation-failed', message, field);
}

/** Throws a 400 validation-failed naming `field`. */
export function invalid(field: string, message: string): HttpError {
  return new HttpError('validation-failed', message, field);
}
