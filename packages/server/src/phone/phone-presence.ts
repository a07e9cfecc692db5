/**
 * Presence of users reached by phone (spec 9): every user whose `reach` is
 * `phone` or `both` (and who has a SIP-ID) is watched at the PBX; what the PBX
 * says goes into the PresenceService, which combines it with the console's
 * value and fans changes out to the widgets like any other change. Kept in
 * step with the directory (reach or SIP-ID changed) and with the phone system
 * being switched on or off.
 */
import type { Reach } from '@cw/protocol';
import type { PhonePresence as PbxPresence } from '@cw/sip-connector';
import type { Logger } from 'pino';
import type { Storage } from '../storage/types.js';
import type { PhoneSystemService } from './phone-system.js';

export interface PresenceSink {
  handlePhonePresence(userId: string, reach: Reach, presence: PbxPresence | undefined): void;
}

export class PhonePresenceWatch {
  /** userId → watched address and reach */
  #watched = new Map<string, { address: string; reach: Reach }>();
  #syncing: Promise<void> = Promise.resolve();
  #off: () => void;

  constructor(
    private readonly deps: { phone: PhoneSystemService; storage: Pick<Storage, 'users'>; presence: PresenceSink; logger: Logger },
  ) {
    this.#off = deps.phone.onPresence((key, p) => {
      const userId = key.startsWith('user:') ? key.slice(5) : undefined;
      const w = userId ? this.#watched.get(userId) : undefined;
      if (userId && w) deps.presence.handlePhonePresence(userId, w.reach, p);
    });
  }

  /** Reads the directory again and watches exactly the users reached by phone. */
  sync(): Promise<void> {
    const run = async () => {
      const { phone, storage, presence } = this.deps;
      const want = new Map<string, { address: string; reach: Reach }>();
      if (phone.enabled)
        for (const u of await storage.users.list()) if (u.reach !== 'console' && u.sipId) want.set(u.id, { address: phone.addressOf(u.sipId), reach: u.reach });
      for (const [userId, w] of this.#watched) {
        const next = want.get(userId);
        if (next && next.address === w.address) continue;
        phone.unwatch(`user:${userId}`);
        this.#watched.delete(userId);
        if (!next) presence.handlePhonePresence(userId, 'console', undefined);
      }
      for (const [userId, w] of want) {
        const had = this.#watched.get(userId);
        this.#watched.set(userId, w);
        if (!had) phone.watch(`user:${userId}`, w.address);
        presence.handlePhonePresence(userId, w.reach, phone.presenceOf(`user:${userId}`));
      }
    };
    this.#syncing = this.#syncing.then(run, run).catch((err) => this.deps.logger.error({ err }, 'phone presence sync failed'));
    return this.#syncing;
  }

  close(): void {
    this.#off();
  }
}
