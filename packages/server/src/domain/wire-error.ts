/** An error that goes to the client as `{"mt":"Error",...}`; domain code throws it, gateways send it. */
import type { ErrorCode } from '@cw/protocol';

export class WireError extends Error {
  constructor(
    public readonly code: ErrorCode,
    text: string,
  ) {
    super(text);
    this.name = 'WireError';
  }
}
