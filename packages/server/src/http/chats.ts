/** History for the agent console: GET /api/chats, GET /api/chats/:id; the call log GET /api/calls (agents: their own calls; admins: all). */
import type { FastifyInstance } from 'fastify';
import { CallListQuery, CallLogEntry, ChatDetail, ChatListItem, ChatListQuery, IdParams, type CallOutcome } from '@cw/protocol/api';
import type { CallLogFilter, CallLogRecord, ChatRecord } from '../storage/types.js';
import { HttpError } from './errors.js';
import { arrayOf, defineRoute, errs, type HttpCtx } from './route.js';
import { chatView, messageView } from './views.js';

/** Registers the chat history and call log routes. */
export async function chatRoutes(app: FastifyInstance, ctx: HttpCtx): Promise<void> {
  const { storage } = ctx.deps;

  const withNames = async (chats: ChatRecord[]) => {
    const names = new Map<string, string | null>();
    for (const chat of chats) if (!names.has(chat.widgetUuid)) names.set(chat.widgetUuid, (await storage.widgets.get(chat.widgetUuid))?.name ?? null);
    return chats.map((chat) => chatView(chat, names.get(chat.widgetUuid) ?? null));
  };

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/chats',
      tag: 'chats',
      summary: "Your closed chats, newest first (admins: all=1 for everyone's)",
      access: 'any',
      query: ChatListQuery,
      responses: { 200: { description: 'Chats', schema: arrayOf(ChatListItem) }, ...errs(400, 401, 403) },
    },
    async (req) => {
      const { limit, all } = req.query;
      const q = req.query.q?.trim() || undefined;
      const me = req.auth!.user;
      let chats: ChatRecord[];
      if (all) {
        if (!me.roles.includes('admin')) throw new HttpError('forbidden', "Only admins may read everyone's chats.");
        // Storage lists per agent; merging is fine for a history page.
        const lists = await Promise.all((await storage.users.list()).map((user) => storage.chats.listClosedForAgent(user.id, q, limit)));
        chats = lists.flat().sort((left, right) => (right.closedAt ?? right.createdAt) - (left.closedAt ?? left.createdAt)).slice(0, limit);
      } else {
        chats = await storage.chats.listClosedForAgent(me.id, q, limit);
      }
      // The console shows the last message under each chat.
      const views = await withNames(chats);
      return Promise.all(
        views.map(async (view) => {
          const msgs = await storage.chats.listMessages(view.id);
          const last = msgs[msgs.length - 1];
          return { ...view, preview: last ? [...last.text].slice(0, 140).join('') : '' };
        }),
      );
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/chats/:id',
      tag: 'chats',
      summary: 'One chat with its messages (your own, or any for admins)',
      access: 'any',
      params: IdParams,
      responses: { 200: { description: 'The chat', schema: ChatDetail }, ...errs(401, 404) },
    },
    async (req) => {
      const { id } = req.params;
      const me = req.auth!.user;
      const chat = await storage.chats.get(id);
      // Someone else's chat answers like a missing one: ids are not confirmed to strangers.
      if (!chat || (chat.agentUserId !== me.id && !me.roles.includes('admin'))) throw new HttpError('unknown-chat');
      const [view] = await withNames([chat]);
      return { chat: view, messages: (await storage.chats.listMessages(id)).map(messageView) };
    },
  );

  defineRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/api/calls',
      tag: 'chats',
      summary: 'The call log, newest first: your own calls (answered by you, or addressed to you or a group of yours and answered by nobody); admins: everyone’s unless mine=1',
      access: 'any',
      query: CallListQuery,
      responses: { 200: { description: 'Calls', schema: arrayOf(CallLogEntry) }, ...errs(400, 401, 403) },
    },
    async (req) => {
      const { limit, mine, answered, from } = req.query;
      const me = req.auth!.user;
      const filter: CallLogFilter = {};
      if (!me.roles.includes('admin') || mine) {
        const dests: string[] = [];
        if (me.sipId) dests.push(me.sipId);
        for (const g of await storage.groups.listForUser(me.id)) if (g.sipId) dests.push(g.sipId);
        filter.party = { agentUserId: me.id, dests };
      }
      if (answered) filter.answered = answered === 'true';
      if (from !== undefined) filter.from = from;
      const calls = await storage.calls.list(limit, filter);
      const widgetNames = new Map<string, string | null>();
      const emails = new Map<string, string>();
      const out: CallLogEntry[] = [];
      for (const call of calls) {
        if (!widgetNames.has(call.widgetUuid)) widgetNames.set(call.widgetUuid, (await storage.widgets.get(call.widgetUuid))?.name ?? null);
        const session = call.visitorSession ?? '';
        if (session && !emails.has(session)) emails.set(session, await visitEmail(session));
        out.push(callView(call, widgetNames.get(call.widgetUuid) ?? null, (session && emails.get(session)) || ''));
      }
      return out;
    },
  );

  /** The newest e-mail address the visitor gave in a chat of the same visit (session), or ''. */
  const visitEmail = async (session: string): Promise<string> => {
    const open = await storage.chats.listOpenForVisitor(session);
    const closed = await storage.chats.listClosedForVisitor(session, 20);
    return [...open, ...closed].sort((a, b) => b.createdAt - a.createdAt).find((c) => c.visitorEmail)?.visitorEmail ?? '';
  };
}

/** How a call ended, in the words of the call log (CALL_OUTCOMES). */
export function callOutcome(call: Pick<CallLogRecord, 'answeredAt' | 'endedAt' | 'cause'>): CallOutcome {
  if (call.answeredAt !== null) return 'answered';
  if (call.endedAt === null) return 'ringing';
  switch (call.cause) {
    case 'rejected':
      return 'declined';
    case 'busy':
      return 'busy';
    case 'unavailable':
      return 'unavailable';
    case 'error':
    case 'failed':
      return 'failed';
    default:
      return 'missed';
  }
}

function callView(call: CallLogRecord, widgetName: string | null, visitorEmail: string): CallLogEntry {
  const { visitorSession: _session, visitor, ...rest } = call;
  return { ...rest, outcome: callOutcome(call), widgetName, visitorEmail, ...(visitor ? { visitor } : {}) };
}
