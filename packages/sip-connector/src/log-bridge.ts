/**
 * SIP.js's logger factory feeding the connector's pino-style logger. SIP.js
 * logs an "error" for every unparsable datagram; those are demoted to warn and
 * rate-limited so that a garbage flood cannot flood the log.
 */
import { Levels, LoggerFactory } from 'sip.js/lib/core/index.js';
import type { SipLogger } from './types.js';

export class RateLimitedWarn {
  #last = 0;
  #dropped = 0;
  constructor(
    private readonly logger: SipLogger,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(obj: object, msg: string): void {
    const t = this.now();
    if (t - this.#last < this.intervalMs) {
      this.#dropped++;
      return;
    }
    this.#last = t;
    const dropped = this.#dropped;
    this.#dropped = 0;
    this.logger.warn(dropped ? { ...obj, similarDropped: dropped } : obj, msg);
  }
}

export function sipJsLoggerFactory(logger: SipLogger): LoggerFactory {
  const factory = new LoggerFactory();
  factory.builtinEnabled = false;
  factory.level = Levels.warn; // error and warn only
  const limited = new RateLimitedWarn(logger);
  factory.connector = (level: string, category: string, _label: string | undefined, content: string) => {
    if (level === 'error') limited.warn({ sipjs: category }, content);
    else logger.debug({ sipjs: category }, content);
  };
  return factory;
}
