/** What the agent console and the admin read back: closed chats, one chat with its messages, the call log. */
import { Nullable, StringEnum, Type, type Static } from './kit.js';

/** A chat in the history (without the visitor's resume token). */
export const ChatSummary = Type.Object({
  id: Type.String(),
  widgetUuid: Type.String(),
  widgetName: Nullable(Type.String(), { description: 'null when the widget was deleted' }),
  visitorDn: Type.String(),
  visitorEmail: Type.String(),
  dest: Type.String(),
  state: StringEnum(['waiting', 'accepted', 'closed'] as const),
  agentUserId: Nullable(Type.String()),
  agentDn: Nullable(Type.String()),
  closedBy: Nullable(StringEnum(['visitor', 'agent', 'system'] as const)),
  createdAt: Type.Integer(),
  closedAt: Nullable(Type.Integer()),
});
export type ChatSummary = Static<typeof ChatSummary>;

/** A chat of GET /api/chats: with the last message, shortened. */
export const ChatListItem = Type.Object({ ...ChatSummary.properties, preview: Type.String({ description: 'the last message, shortened' }) });
export type ChatListItem = Static<typeof ChatListItem>;

/** One stored chat message. */
export const ChatMessageView = Type.Object({
  id: Type.String(),
  chat: Type.String(),
  from: StringEnum(['visitor', 'agent', 'system'] as const),
  dn: Type.String(),
  text: Type.String(),
  ts: Type.Integer(),
});
export type ChatMessageView = Static<typeof ChatMessageView>;

/** GET /api/chats/:id */
export const ChatDetail = Type.Object({ chat: ChatSummary, messages: Type.Array(ChatMessageView) });
export type ChatDetail = Static<typeof ChatDetail>;

/** How a call ended, as the call log says (GET /api/calls). */
export const CALL_OUTCOMES = ['answered', 'missed', 'declined', 'busy', 'unavailable', 'failed', 'ringing'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** One call of the call log. */
export const CallLogEntry = Type.Object({
  id: Type.String(),
  widgetUuid: Type.String(),
  dest: Type.String(),
  visitorDn: Type.String(),
  video: Type.Boolean(),
  agentUserId: Nullable(Type.String()),
  startedAt: Type.Integer(),
  answeredAt: Nullable(Type.Integer()),
  endedAt: Nullable(Type.Integer()),
  cause: Nullable(Type.String(), { description: 'how it ended, e.g. visitor-hangup, no-answer, busy' }),
  answeredVia: Type.Optional(Nullable(StringEnum(['console', 'phone'] as const), { description: 'where it was answered: an agent console or the phone system' })),
  outcome: StringEnum(CALL_OUTCOMES, {
    description: 'answered; missed (nobody answered, or the visitor hung up while it rang); declined; busy; unavailable; failed (an error or lost connection); ringing (not ended yet)',
  }),
  widgetName: Nullable(Type.String(), { description: 'null when the widget was deleted' }),
  visitorEmail: Type.String({ description: 'an e-mail address the visitor gave in a chat of the same visit, else ""' }),
  visitor: Type.Optional(
    Type.Object(
      {
        page: Type.Optional(Type.Object({ url: Type.String(), title: Type.String() })),
        lang: Type.Optional(Type.String()),
        userAgent: Type.Optional(Type.String()),
      },
      { description: "spec 14: the visitor's page, language and browser when the call started" },
    ),
  ),
});
export type CallLogEntry = Static<typeof CallLogEntry>;

/** GET /api/chats */
export const ChatListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'text in visitor name, e-mail or messages' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'at most this many', errorMessage: 'must be an integer from 1 to 500' }),
  all: Type.Optional(StringEnum(['1', 'true'] as const, { description: 'admins: everyone’s chats' })),
});

/** GET /api/calls */
export const CallListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'at most this many', errorMessage: 'must be an integer from 1 to 1000' }),
  mine: Type.Optional(StringEnum(['1', 'true'] as const, { description: 'admins: only their own calls (other users always get only theirs)' })),
  answered: Type.Optional(StringEnum(['true', 'false'] as const, { description: 'true: answered calls only; false: unanswered ones only (missed, declined, busy…)' })),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'calls started at or after this time (ms since 1970)', errorMessage: 'must be a time in milliseconds (an integer ≥ 0)' })),
});
export type CallListQuery = Static<typeof CallListQuery>;
