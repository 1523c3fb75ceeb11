/**
 * The kernel's typed extension points. Plugins extend these interfaces by declaration
 * merging, so a handler with the wrong payload type does not compile:
 *
 *   declare module '@charla/core' {
 *     interface EventMap { 'message.created': { accountId: string; messageId: string } }
 *   }
 */
import type { Actor } from './auth/actor.js';

/** In-process hooks: run inside the request, in order; may change the payload or refuse by throwing a CharlaError. */
export interface HookMap {
  /** Before an account and its owner are created at sign-up: change `name` (the account's name), or throw a CharlaError to refuse. */
  'account:beforeCreate': { name: string; email: string };
  /** Before a member is invited: change `role` (still checked against the inviter's rights), or throw a CharlaError to refuse. */
  'team:beforeInvite': { accountId: string; email: string; role: string; actor: Actor };
  /** Before a site is created: throw a CharlaError to refuse (e.g. billing's 402 when the plan's site limit is reached). */
  'site:beforeCreate': { accountId: string; name: string; domain: string | null };
}

/** Domain events: written to the outbox in the emitting transaction; each plugin handler runs at least once, on some instance (docs/plugins.md "Durable domain events"). */
export interface EventMap {
  'account.created': { accountId: string; userId: string };
  'account.updated': { accountId: string; changes: Record<string, unknown> };
  'user.created': { accountId: string; userId: string; role: string };
  'user.updated': { accountId: string; userId: string; changes: Record<string, unknown> };
  'user.removed': { accountId: string; userId: string };
  /** Sessions ended (logout, password change/reset, role change, removal). The realtime gateway closes their sockets. */
  'sessions.revoked': { accountId: string; userId: string; sessionIds: string[] | 'all'; exceptSessionId?: string };
  /** An agent's first device connected (presence is shared across instances). */
  'agent.online': { accountId: string; userId: string };
  /** An agent's last device disconnected, or its instance died and the presence entry expired. */
  'agent.offline': { accountId: string; userId: string };
  'site.created': { accountId: string; siteId: string };
  'site.updated': { accountId: string; siteId: string; changes: Record<string, unknown> };
  'site.deleted': { accountId: string; siteId: string };
}

export type HookName = keyof HookMap;
export type EventName = keyof EventMap;
