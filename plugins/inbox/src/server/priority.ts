import type { PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { PriorityRule, InboxSettings } from './settings.js';

const FIELDS = ['email', 'name', 'externalId', 'country', 'language'] as const;

/** The first rule a visitor matches (as `attribute = value`), or null. Attributes first, then the visitor's own fields. */
export function matchRule(rules: PriorityRule[], visitor: { attributes?: unknown } & Partial<Record<(typeof FIELDS)[number], string | null>>): string | null {
  const attrs = (typeof visitor.attributes === 'string' ? JSON.parse(visitor.attributes) : visitor.attributes ?? {}) as Record<string, unknown>;
  for (const rule of rules) {
    const value = Object.prototype.hasOwnProperty.call(attrs, rule.attribute)
      ? attrs[rule.attribute]
      : (FIELDS as readonly string[]).includes(rule.attribute) ? (visitor as Record<string, unknown>)[rule.attribute] : undefined;
    if (value === undefined || value === null) continue;
    const same = typeof rule.equals === 'string' && typeof value === 'string' ? value.toLowerCase() === rule.equals.toLowerCase() : String(value) === String(rule.equals);
    if (same) return `${rule.attribute} = ${String(rule.equals)}`.slice(0, 300);
  }
  return null;
}

/**
 * Priority rules: a conversation whose visitor matches a rule becomes high priority
 * (`conversation:updated`), jumps the queue, gets the shorter SLA, and the account's
 * agents get `inbox:priority` at once.
 */
export class PriorityService {
  constructor(private readonly ctx: PluginContext) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  private get data() {
    return this.ctx.services.get(ConversationsData);
  }

  /** Evaluates one conversation; returns true when it became high priority. */
  async evaluate(accountId: string, conversationId: string): Promise<boolean> {
    const { db, inboxModels: m, events } = this.c;
    const settings = (await this.ctx.settingsFor(accountId)) as InboxSettings;
    if (!settings.priorityRules.length) return false;
    const scope = db.scope(accountId);
    const conv = await this.data.conversations.get(accountId, conversationId);
    if (!conv || conv.priority === 'high' || conv.status === 'closed') return false;
    const v = await this.data.visitors.get(accountId, conv.visitorId);
    if (!v) return false;
    const rule = matchRule(settings.priorityRules, v);
    if (!rule) return false;
    const next = await db.transaction(async () => {
      const updated = await this.data.conversations.update(accountId, conversationId, { priority: 'high' });
      const n = await scope.update(m.ConversationState, { priorityRule: rule }, { conversationId });
      if (!n) await this.c.inboxSla.createState(accountId, conversationId, { priorityRule: rule });
      events.emit('conversation.prioritized', { accountId, conversationId, rule });
      events.publish(`account:${accountId}`, 'inbox:priority', {
        conversationId, rule, priority: 'high', assigneeId: updated.assigneeId, siteId: updated.siteId,
        visitor: { id: v.id, name: v.name, email: v.email },
        lastMessage: (typeof updated.lastMessage === 'string' ? JSON.parse(updated.lastMessage) : updated.lastMessage) ?? null,
      }, 'agents');
      return updated;
    });
    await this.c.inboxSla.schedule(accountId, next);
    return true;
  }

  /** A visitor's attributes changed: re-evaluate their open conversations. */
  async visitorChanged(accountId: string, visitorId: string): Promise<boolean> {
    const open = (await this.data.conversations.list(accountId, { visitorId, status: ['open', 'pending'], priority: 'normal', limit: 20 })).items;
    let any = false;
    for (const c of open) any = (await this.evaluate(accountId, c.id)) || any;
    return any;
  }
}
