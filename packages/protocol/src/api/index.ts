/**
 * @cw/protocol/api — the HTTP API's shapes, written once (TypeBox): types,
 * runtime validation, Fastify route schemas and the OpenAPI components.
 * Kept out of the package index so that the widget, which only needs the
 * wire protocol, never bundles TypeBox; the apps import the types from the
 * index (type-only) and this subpath where they validate.
 */
import { ApiError, Login, PasswordChange, Token, TokenCreate, TokenCreated } from './auth.js';
import { DirectoryEntry, Flag, FlagCreate, FlagPut, Group, GroupCreate, GroupPatch, Me, MePatch, PresencePut, PresenceState, User, UserCreate, UserPatch } from './directory.js';
import { CallLogEntry, ChatDetail, ChatListItem, ChatSummary } from './history.js';
import { Embed, Widget, WidgetAgent, WidgetInput } from './widgets.js';
import { insightComponents } from './insights.js';
import { PhoneSystem, PhoneSystemPut, PhoneSystemStatus } from './phone-system.js';
import { MailEntry, MailStatus, MissedItem, MissedPatch, Schedule, ScheduleInput, TranscriptRequest, WidgetOffline } from './schedules.js';
import type { TSchema } from './kit.js';

export * from './kit.js';
export * from './auth.js';
export * from './directory.js';
export * from './history.js';
export * from './widgets.js';
export * from './insights.js';
export * from './phone-system.js';
export * from './schedules.js';

/** The named shapes of the OpenAPI document (components/schemas), by name. */
export const apiComponents: Record<string, TSchema> = {
  Error: ApiError,
  Login,
  PasswordChange,
  TokenCreate,
  TokenCreated,
  Token,
  User,
  Me,
  MePatch,
  UserCreate,
  UserPatch,
  Group,
  GroupCreate,
  GroupPatch,
  DirectoryEntry,
  WidgetAgent,
  WidgetInput,
  Widget,
  Embed,
  Flag,
  FlagCreate,
  FlagPut,
  PresencePut,
  PresenceState,
  ChatSummary,
  ChatListItem,
  ChatDetail,
  CallLogEntry,
  PhoneSystemStatus,
  PhoneSystem,
  PhoneSystemPut,
  Schedule,
  ScheduleInput,
  WidgetOffline,
  MissedItem,
  MissedPatch,
  MailEntry,
  MailStatus,
  TranscriptRequest,
  ...insightComponents,
};
