/**
 * Chats and their messages. `accept` and `close` are compare-and-set updates,
 * so concurrent agents (or processes) cannot both win. Message ids come from
 * a database sequence, zero-padded so that they also sort as strings.
 */
import { sql, type Selectable } from 'kysely';
import type { ChatMessagesTable, ChatsTable } from '../schema.js';
import type { ChatMessageRecord, ChatRecord, ChatRepo, ChatStateRecord } from '../types.js';
import { containsPattern, guard, ilike, newId, num, numOrNull, precompiled, visitorOf, type RepoContext } from '../util.js';
import { chatBatches } from './chat-batches.js';

function toChat(r: Selectable<ChatsTable>): ChatRecord {
  return {
    id: r.id,
    widgetUuid: r.widget_uuid,
    visitorSession: r.visitor_session,
    visitorDn: r.visitor_dn,
    visitorEmail: r.visitor_email,
    dest: r.dest,
    state: r.state as ChatStateRecord,
    agentUserId: r.agent_user_id,
    agentDn: r.agent_dn,
    closedBy: r.closed_by as ChatRecord['closedBy'],
    createdAt: num(r.created_at),
    closedAt: numOrNull(r.closed_at),
    acceptedAt: numOrNull(r.accepted_at),
    ...visitorOf(r.visitor_context),
  };
}

/** 16 digits: string order = insertion order for 10^16 messages. */
function messageId(seq: number | string): string {
  return String(seq).padStart(16, '0');
}

function toMessage(r: Selectable<ChatMessagesTable>): ChatMessageRecord {
  return {
    id: messageId(r.seq),
    chatId: r.chat_id,
    from: r.sender as ChatMessageRecord['from'],
    dn: r.dn,
    text: r.text,
    ts: num(r.ts),
    cid: r.cid,
  };
}

/** Builds the chat repo. */
export function chatRepo(ctx: RepoContext): ChatRepo {
  // The two queries of every chat message, compiled once (see precompiled).
  const getChat = precompiled(ctx, (db, p) => db.selectFrom('chats').selectAll().where('id', '=', p(0)));
  const insertMessage = precompiled(ctx, (db, p) =>
    db
      .insertInto('chat_messages')
      .values({ chat_id: p(0), sender: p(1), dn: p(2), text: p(3), ts: p(4), cid: p(5) })
      // ON CONFLICT DO NOTHING (not catch-and-reselect): a failed insert would abort a PostgreSQL transaction.
      .onConflict((oc) =>
        oc
          .columns(['chat_id', 'sender', 'cid'])
          .where(sql<boolean>`cid <> ''`)
          .doNothing(),
      )
      .returningAll(),
  );
  const insertOne = async (m: Omit<ChatMessageRecord, 'id'>) => (await guard(() => insertMessage(m.chatId, m.from, m.dn, m.text, m.ts, m.cid), 'chatId')).rows[0];
  // PostgreSQL outside a transaction: the per-message queries go in batches (see chat-batches.ts).
  const pool = ctx.pool;
  const batches = pool ? chatBatches(() => pool, insertOne) : undefined;
  const batched = () => (batches && !ctx.db().isTransaction ? batches : undefined);
  return {
    async create(c) {
      const rec: ChatRecord = {
        id: c.id || newId(),
        widgetUuid: c.widgetUuid,
        visitorSession: c.visitorSession,
        visitorDn: c.visitorDn,
        visitorEmail: c.visitorEmail,
        dest: c.dest,
        state: 'waiting',
        agentUserId: null,
        agentDn: null,
        closedBy: null,
        createdAt: c.createdAt ?? ctx.now(),
        closedAt: null,
        acceptedAt: null,
        ...(c.visitor ? { visitor: c.visitor } : {}),
      };
      await guard(() =>
        ctx
          .db()
          .insertInto('chats')
          .values({
            id: rec.id,
            widget_uuid: rec.widgetUuid,
            visitor_session: rec.visitorSession,
            visitor_dn: rec.visitorDn,
            visitor_email: rec.visitorEmail,
            dest: rec.dest,
            state: rec.state,
            agent_user_id: null,
            agent_dn: null,
            closed_by: null,
            created_at: rec.createdAt,
            closed_at: null,
            accepted_at: null,
            visitor_context: c.visitor ? JSON.stringify(c.visitor) : '',
          })
          .execute(),
      );
      return rec;
    },
    async get(id) {
      const b = batched();
      const r = b ? await b.get(id) : (await getChat(id)).rows[0];
      return r && toChat(r);
    },
    async accept(id, agentUserId, agentDn, at) {
      const res = await ctx
        .db()
        .updateTable('chats')
        .set({ state: 'accepted', agent_user_id: agentUserId, agent_dn: agentDn, accepted_at: at ?? ctx.now() })
        .where('id', '=', id)
        .where('state', '=', 'waiting')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async close(id, by, at) {
      const res = await ctx
        .db()
        .updateTable('chats')
        .set({ state: 'closed', closed_by: by, closed_at: at })
        .where('id', '=', id)
        .where('state', '<>', 'closed')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async listClosedForVisitor(visitorSession, limit) {
      const rows = await ctx
        .db()
        .selectFrom('chats')
        .selectAll()
        .where('visitor_session', '=', visitorSession)
        .where('state', '=', 'closed')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toChat);
    },
    async listOpenForVisitor(visitorSession) {
      const rows = await ctx
        .db()
        .selectFrom('chats')
        .selectAll()
        .where('visitor_session', '=', visitorSession)
        .where('state', 'in', ['waiting', 'accepted'])
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toChat);
    },
    async listOpenForAgent(agentUserId) {
      const rows = await ctx
        .db()
        .selectFrom('chats')
        .selectAll()
        .where('agent_user_id', '=', agentUserId)
        .where('state', '=', 'accepted')
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toChat);
    },
    async listWaiting() {
      const rows = await ctx.db().selectFrom('chats').selectAll().where('state', '=', 'waiting').orderBy('created_at').orderBy('id').execute();
      return rows.map(toChat);
    },
    async listClosedForAgent(agentUserId, q, limit) {
      let qb = ctx.db().selectFrom('chats').selectAll().where('agent_user_id', '=', agentUserId).where('state', '=', 'closed');
      const text = q?.trim();
      if (text) {
        const p = containsPattern(text);
        qb = qb.where((eb) =>
          eb.or([
            ilike('chats.visitor_dn', p),
            ilike('chats.visitor_email', p),
            eb.exists(
              eb
                .selectFrom('chat_messages')
                .select(sql<number>`1`.as('one'))
                .whereRef('chat_messages.chat_id', '=', 'chats.id')
                .where(ilike('chat_messages.text', p)),
            ),
          ]),
        );
      }
      const rows = await qb
        .orderBy('closed_at', 'desc')
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return rows.map(toChat);
    },
    async appendMessage(m) {
      const db = ctx.db();
      const b = batched();
      const inserted = b ? await b.insert(m) : await insertOne(m);
      if (inserted) return { message: toMessage(inserted), inserted: true };
      const first = await db
        .selectFrom('chat_messages')
        .selectAll()
        .where('chat_id', '=', m.chatId)
        .where('sender', '=', m.from)
        .where('cid', '=', m.cid)
        .orderBy('seq')
        .executeTakeFirstOrThrow();
      return { message: toMessage(first), inserted: false };
    },
    async listMessages(chatId) {
      const rows = await ctx.db().selectFrom('chat_messages').selectAll().where('chat_id', '=', chatId).orderBy('seq').execute();
      return rows.map(toMessage);
    },
  };
}
