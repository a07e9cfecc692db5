/**
 * Chats with agents reached by phone (spec 9): SIP MESSAGE (text/plain) both
 * ways. A chat request tells the phone who wants to chat and from which
 * widget; each visitor message follows with the visitor's name in front; the
 * phone's first reply accepts the chat, and its replies reach the visitor like
 * a console's.
 *
 * A phone has no chat ids, so a reply goes to the open chat that last wrote
 * to that phone (the one it is answering). A phone juggling several chats can
 * pick one by starting its reply with `#<n>` — the number shown in front of
 * each request ("[#2] Mary: …").
 *
 * Cluster mode: the phones' replies reach the process holding the
 * registration (phone-system.ts), so the phone side of every chat runs
 * there: another process forwards what its visitors do on the bus (topic
 * `phone-chat`). A take-over starts with no memory of the chats' numbers; a
 * phone's reply then goes to the chat that next writes to it.
 */
import type { IncomingSipMessage } from '@cw/sip-connector';
import type { Logger } from 'pino';
import type { ChatManager, ChatPhoneLink } from '../chat/chat-manager.js';
import type { Catalog } from '../domain/widget-directory-cache.js';
import type { ChatMessageRecord, ChatRecord, Storage, UserRecord } from '../storage/types.js';
import type { PhoneSystemService } from './phone-system.js';
import type { Bus } from '../bus/types.js';

export const PHONE_CHAT_TOPIC = 'phone-chat';

type Forwarded =
  | { op: 'offered'; chat: ChatRecord; widget: { uuid: string; name: string } }
  | { op: 'visitorMessage'; chat: ChatRecord; message: ChatMessageRecord }
  | { op: 'closed'; chat: ChatRecord; by: 'visitor' | 'agent' | 'system' };

interface PhoneChat {
  chatId: string;
  /** short number shown on the phone */
  n: number;
  visitorDn: string;
}

export class PhoneChats implements ChatPhoneLink {
  /** userId → the chats that wrote to that phone, most recent last */
  #byUser = new Map<string, PhoneChat[]>();
  #next = 1;
  #off: () => void;

  constructor(
    private readonly deps: {
      phone: PhoneSystemService;
      chats: ChatManager;
      catalog: Pick<Catalog, 'directory' | 'user'>;
      storage: Pick<Storage, 'users' | 'chats'>;
      logger: Logger;
      /** cluster mode: what this process's visitors do goes to the holder of the registration */
      bus?: Bus;
    },
  ) {
    const offMessage = deps.phone.connector.onMessage((m) => {
      this.#fromPhone(m).catch((err) => deps.logger.error({ err, from: m.from }, 'phone chat message failed'));
    });
    const offBus = deps.bus
      ? deps.bus.subscribe(PHONE_CHAT_TOPIC, (raw) => {
          const f = raw as Forwarded;
          if (!deps.phone.holder || !f || typeof f !== 'object' || !f.chat) return;
          if (f.op === 'offered') this.offered(f.chat, f.widget);
          else if (f.op === 'visitorMessage') this.visitorMessage(f.chat, f.message);
          else if (f.op === 'closed') this.closed(f.chat, f.by);
        })
      : () => {};
    this.#off = () => {
      offMessage();
      offBus();
    };
  }

  close(): void {
    this.#off();
  }

  /** Not the holder of the registration (cluster mode): the holder does it. */
  #forwarded(f: Forwarded): boolean {
    if (!this.deps.bus || this.deps.phone.holder || !this.deps.phone.enabled) return false;
    this.deps.bus.publish(PHONE_CHAT_TOPIC, f);
    return true;
  }

  offered(chat: ChatRecord, widget: { uuid: string; name: string }): void {
    if (this.#forwarded({ op: 'offered', chat, widget })) return;
    void this.#toPhones(chat, async (users) => {
      for (const u of users) {
        const pc = this.#remember(u.id, chat);
        await this.#send(u, chat, `[#${pc.n}] ${chat.visitorDn} wants to chat${widget.name ? ` (${widget.name})` : ''}${chat.visitorEmail ? `, ${chat.visitorEmail}` : ''}. Reply to accept.`);
      }
    });
  }

  visitorMessage(chat: ChatRecord, message: ChatMessageRecord): void {
    if (this.#forwarded({ op: 'visitorMessage', chat, message })) return;
    void this.#toPhones(chat, async (users) => {
      for (const u of users) {
        const pc = this.#remember(u.id, chat);
        await this.#send(u, chat, `[#${pc.n}] ${chat.visitorDn}: ${message.text}`);
      }
    });
  }

  closed(chat: ChatRecord, by: 'visitor' | 'agent' | 'system'): void {
    if (this.#forwarded({ op: 'closed', chat, by })) return;
    void this.#toPhones(chat, async (users) => {
      for (const u of users) {
        const list = this.#byUser.get(u.id) ?? [];
        const pc = list.find((c) => c.chatId === chat.id);
        if (!pc) continue;
        this.#byUser.set(
          u.id,
          list.filter((c) => c !== pc),
        );
        if (by !== 'agent') await this.#send(u, chat, `[#${pc.n}] ${by === 'visitor' ? `${chat.visitorDn} left the chat.` : 'The chat was closed.'}`);
      }
    });
  }

  /** The phones a chat goes to now: the accepting user's, or before that every user of `dest` reached by phone. */
  async #toPhones(chat: ChatRecord, fn: (users: UserRecord[]) => Promise<void>): Promise<void> {
    try {
      if (!this.deps.phone.enabled) return;
      let users: UserRecord[];
      if (chat.agentUserId) {
        const u = await this.deps.catalog.user(chat.agentUserId);
        users = u ? [u] : [];
      } else {
        const t = await this.deps.catalog.directory(chat.dest);
        users = t.kind === 'user' ? [t.user] : t.kind === 'group' ? t.members : [];
      }
      const phones = users.filter((u) => u.reach !== 'console' && u.sipId);
      if (phones.length) await fn(phones);
    } catch (err) {
      this.deps.logger.error({ err, chat: chat.id }, 'could not reach the phone for a chat');
    }
  }

  #remember(userId: string, chat: ChatRecord): PhoneChat {
    const list = this.#byUser.get(userId) ?? [];
    let pc = list.find((c) => c.chatId === chat.id);
    if (pc) list.splice(list.indexOf(pc), 1);
    else pc = { chatId: chat.id, n: this.#next++, visitorDn: chat.visitorDn };
    list.push(pc);
    this.#byUser.set(userId, list.slice(-50));
    return pc;
  }

  async #send(u: UserRecord, chat: ChatRecord, text: string): Promise<void> {
    const r = await this.deps.phone.connector.message(this.deps.phone.addressOf(u.sipId), text, { callerName: chat.visitorDn });
    if (!r.ok) this.deps.logger.warn({ chat: chat.id, user: u.id, code: r.code, reason: r.reason }, 'MESSAGE to the phone not delivered');
  }

  async #fromPhone(m: IncomingSipMessage): Promise<void> {
    const user = await this.deps.storage.users.getBySipId(m.user);
    const byAddress = user ?? (await this.deps.storage.users.getBySipId(m.from.replace(/^sips?:/, '')));
    if (!byAddress || byAddress.reach === 'console') {
      this.deps.logger.info({ from: m.from }, 'MESSAGE from a phone that is no agent reached by phone: ignored');
      return;
    }
    const u = byAddress;
    const list = this.#byUser.get(u.id) ?? [];
    let text = m.text.trim();
    let pc = list[list.length - 1];
    const pick = /^#(\d+)\s*/.exec(text);
    if (pick) {
      const chosen = list.find((c) => c.n === Number(pick[1]));
      if (chosen) {
        pc = chosen;
        text = text.slice(pick[0].length);
      }
    }
    if (!text) return;
    const reply = async (t: string) => {
      const r = await this.deps.phone.connector.message(this.deps.phone.addressOf(u.sipId), t);
      if (!r.ok) this.deps.logger.warn({ user: u.id, code: r.code }, 'notice to the phone not delivered');
    };
    if (!pc) return reply('There is no open chat to answer.');
    // The phone's text is plain text like a console's; over-long replies are cut at the chat limit.
    const chars = [...text];
    if (chars.length > 4000) text = chars.slice(0, 4000).join('');
    const cid = `sip:${m.callId}:${m.cseq}`;
    const ok = await this.deps.chats.handlePhoneReply({ userId: u.id, sipId: u.sipId, dn: u.displayName }, pc.chatId, cid, text);
    if (!ok) {
      this.#byUser.set(
        u.id,
        list.filter((c) => c !== pc),
      );
      await reply(`[#${pc.n}] This chat is no longer yours (taken by a colleague or closed).`);
    } else this.#remember(u.id, { id: pc.chatId, visitorDn: pc.visitorDn } as ChatRecord);
  }
}
