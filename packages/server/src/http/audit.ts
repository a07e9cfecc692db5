/**
 * The audit trail on the route layer: a route that changes configuration
 * declares `audit` in its RouteDoc, and defineRoute records who, when, from
 * where, what and the field-level diff of every successful (2xx) request —
 * no audit code in the handlers. See docs/architecture.md, "Audit trail".
 *
 * How it works: before the handler, `load(id)` reads the object as the API
 * shows it (the "before"); after a 2xx answer, the same `load` reads it again
 * (the "after"; for a creation the id comes from the answer) and the diff of
 * the two is appended to the trail before the answer leaves. A route without
 * `load` records the request body's fields as the "after".
 */
import type { FastifyReply, FastifyRequest, onSendAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import type { AppContext } from '../app-deps.js';
import { auditDiff, secretFieldsOf } from '../audit/diff.js';

export interface AuditSpec {
  /** what happened, "<resource>.<verb>": widget.create, user.update, webhook.delete, … */
  action: string;
  /**
   * The id of the changed object. Default: the `id` or `uuid` path parameter,
   * else (a creation) the answer's `id` or `uuid`.
   */
  target?: (req: FastifyRequest, answer: unknown) => string | undefined;
  /** The object as the API shows it, or undefined when it does not exist. */
  load?: (id: string, req: FastifyRequest) => Promise<unknown>;
  /** A readable name of the object (default: its name, username, displayName or url). */
  name?: (obj: Record<string, unknown>) => string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the audited object before the handler ran */
    auditBefore?: { id: string | undefined; obj: unknown };
  }
}

const idFromParams = (req: FastifyRequest): string | undefined => {
  const p = req.params as Record<string, string> | undefined;
  return p?.id ?? p?.uuid;
};

function idFromAnswer(answer: unknown): string | undefined {
  const a = answer as { id?: unknown; uuid?: unknown } | undefined;
  return typeof a?.id === 'string' ? a.id : typeof a?.uuid === 'string' ? a.uuid : undefined;
}

function nameOf(obj: unknown): string {
  const o = (obj ?? {}) as Record<string, unknown>;
  for (const k of ['name', 'displayName', 'username', 'url']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  return '';
}

/** The hooks defineRoute adds to a route with `audit`. */
export function auditHooks(deps: AppContext, spec: AuditSpec): { preHandler: preHandlerAsyncHookHandler; onSend: onSendAsyncHookHandler<unknown> } {
  const log = deps.logger.child({ module: 'audit' });
  return {
    async preHandler(req: FastifyRequest) {
      const id = spec.target?.(req, undefined) ?? idFromParams(req);
      req.auditBefore = { id, obj: id !== undefined && spec.load ? await spec.load(id, req) : undefined };
    },
    async onSend(req: FastifyRequest, reply: FastifyReply, payload: unknown) {
      if (reply.statusCode < 200 || reply.statusCode > 299 || !req.auth) return payload;
      let answer: unknown;
      if (typeof payload === 'string' && /json/.test(String(reply.getHeader('content-type') ?? ''))) {
        try {
          answer = JSON.parse(payload);
        } catch {
          answer = undefined;
        }
      }
      try {
        const before = req.auditBefore?.obj;
        const id = spec.target?.(req, answer) ?? req.auditBefore?.id ?? idFromAnswer(answer) ?? '';
        const after = spec.load ? (id ? await spec.load(id, req) : undefined) : req.body;
        const diff = { ...auditDiff(before, after), ...secretFieldsOf(req.body) };
        const obj = (after ?? before ?? {}) as Record<string, unknown>;
        await deps.storage.audit.append({
          ts: deps.clock.now(),
          actor: { id: req.auth.user.id, username: req.auth.user.username, via: req.auth.via },
          ip: req.ip,
          action: spec.action,
          target: id,
          targetName: spec.name ? spec.name(obj) : nameOf(obj),
          diff,
        });
      } catch (err) {
        // The change is made; an entry that cannot be written is an operational alarm, not a reason to hide it.
        log.error({ err, action: spec.action, url: req.url }, 'could not write the audit entry');
      }
      return payload;
    },
  };
}
