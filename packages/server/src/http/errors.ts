/**
 * API errors: one way to answer `{"error", "message"}` (plus `field` for
 * invalid input) with the status from the protocol's ERRORS registry.
 */
import type { FastifyReply } from 'fastify';
import { ERRORS, type ErrorCode } from '@cw/protocol';

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

/** Throws a 400 validation-failed naming `field`. */
export function invalid(field: string, message: string): HttpError {
  return new HttpError('validation-failed', message, field);
}
