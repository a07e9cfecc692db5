/**
 * The admin app's HTTP API calls (spec 5), each typed with the route's
 * answer from @cw/protocol. Requests go through client-core's `fetchJson`;
 * failures are its `ApiError` with the server's code, message and field.
 */
import { ApiError, fetchJson, type HttpMethod } from '@cw/client-core';
import type { MailEntry, MailStatus, Schedule, ScheduleInput, AuditEntry, DirectoryEntry, PresenceState, Embed, Flag, Group, PhoneSystem, PhoneSystemInput, Stats, User, Webhook, WebhookCreated, WebhookDelivery, WebhookDeliveryDetail, WebhookInput, Widget } from '@cw/protocol';

export { ApiError };

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when any request answers 401 (the session ended). */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** One request; a 401 also tells the `onUnauthorized` listeners, unless `quiet401` (sign-in, who am I). */
async function request<T>(method: HttpMethod, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  try {
    return await fetchJson<T>(method, path, body);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && !opts.quiet401) unauthorizedListeners.forEach((listener) => listener());
    throw e;
  }
}

export type WidgetBody = Omit<Widget, 'uuid' | 'createdAt' | 'updatedAt'>;
export type UserBody = Partial<Omit<User, 'id'>> & { password?: string };

const enc = encodeURIComponent;

export const api = {
  login: (username: string, password: string) => request<User>('POST', '/api/login', { username, password }, { quiet401: true }),
  logout: () => request<void>('POST', '/api/logout', {}, { quiet401: true }),
  me: () => request<User>('GET', '/api/me', undefined, { quiet401: true }),

  widgets: () => request<Widget[]>('GET', '/api/widgets'),
  createWidget: (w: Partial<WidgetBody>) => request<Widget>('POST', '/api/widgets', w),
  widget: (uuid: string) => request<Widget>('GET', `/api/widgets/${enc(uuid)}`),
  putWidget: (uuid: string, w: WidgetBody) => request<Widget>('PUT', `/api/widgets/${enc(uuid)}`, w),
  deleteWidget: (uuid: string) => request<void>('DELETE', `/api/widgets/${enc(uuid)}`),
  embed: (uuid: string) => request<Embed>('GET', `/api/widgets/${enc(uuid)}/embed`),

  presence: () => request<PresenceState[]>('GET', '/api/presence'),

  directory: (q: string) => request<DirectoryEntry[]>('GET', `/api/directory?q=${enc(q)}`),

  users: () => request<User[]>('GET', '/api/users'),
  createUser: (u: UserBody) => request<User>('POST', '/api/users', u),
  patchUser: (id: string, u: UserBody) => request<User>('PATCH', `/api/users/${enc(id)}`, u),
  deleteUser: (id: string) => request<void>('DELETE', `/api/users/${enc(id)}`),

  groups: () => request<Group[]>('GET', '/api/groups'),
  createGroup: (g: Omit<Group, 'id'>) => request<Group>('POST', '/api/groups', g),
  patchGroup: (id: string, g: Partial<Omit<Group, 'id'>>) => request<Group>('PATCH', `/api/groups/${enc(id)}`, g),
  deleteGroup: (id: string) => request<void>('DELETE', `/api/groups/${enc(id)}`),

  schedules: () => request<Schedule[]>('GET', '/api/schedules'),
  createSchedule: (b: ScheduleInput) => request<Schedule>('POST', '/api/schedules', b),
  putSchedule: (id: string, b: ScheduleInput) => request<Schedule>('PUT', `/api/schedules/${enc(id)}`, b),
  deleteSchedule: (id: string) => request<void>('DELETE', `/api/schedules/${enc(id)}`),
  mailStatus: () => request<MailStatus>('GET', '/api/mail/status'),
  mail: () => request<MailEntry[]>('GET', '/api/mail'),
  retryMail: (id: string) => request<MailEntry>('POST', `/api/mail/${enc(id)}/retry`),
  flags: () => request<Flag[]>('GET', '/api/flags'),
  createFlag: (name: string) => request<Flag>('POST', '/api/flags', { name, value: false }),
  putFlag: (id: string, f: { name?: string; value?: boolean; scheduleId?: string | null }) => request<Flag>('PUT', `/api/flags/${enc(id)}`, f),
  deleteFlag: (id: string) => request<void>('DELETE', `/api/flags/${enc(id)}`),

  /** GET /api/stats with the query's parameters (from, to, bucket, tz, widget, agent, group) */
  stats: (q: Record<string, string>) => request<Stats>('GET', `/api/stats?${new URLSearchParams(q)}`),

  webhooks: () => request<Webhook[]>('GET', '/api/webhooks'),
  createWebhook: (w: WebhookInput) => request<WebhookCreated>('POST', '/api/webhooks', w),
  putWebhook: (id: string, w: WebhookInput) => request<Webhook>('PUT', `/api/webhooks/${enc(id)}`, w),
  deleteWebhook: (id: string) => request<void>('DELETE', `/api/webhooks/${enc(id)}`),
  rotateWebhookSecret: (id: string) => request<WebhookCreated>('POST', `/api/webhooks/${enc(id)}/secret`, {}),
  testWebhook: (id: string) => request<WebhookDelivery>('POST', `/api/webhooks/${enc(id)}/test`, {}),
  deliveries: (id: string) => request<WebhookDelivery[]>('GET', `/api/webhooks/${enc(id)}/deliveries?limit=50`),
  delivery: (id: string, d: string) => request<WebhookDeliveryDetail>('GET', `/api/webhooks/${enc(id)}/deliveries/${enc(d)}`),
  retryDelivery: (id: string, d: string) => request<WebhookDelivery>('POST', `/api/webhooks/${enc(id)}/deliveries/${enc(d)}/retry`, {}),

  /** GET /api/audit with filters (from, to, actor, action, before, limit) */
  audit: (q: Record<string, string>) => request<AuditEntry[]>('GET', `/api/audit?${new URLSearchParams(q)}`),
  phoneSystem: () => request<PhoneSystem>('GET', '/api/phone-system'),
  putPhoneSystem: (p: PhoneSystemInput) => request<PhoneSystem>('PUT', '/api/phone-system', p),
};
