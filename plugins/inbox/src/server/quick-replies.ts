import { Op, isId, newId, type AgentActor, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { InboxErrors } from './errors.js';
import type { QuickReplyRow } from './models.js';

export interface QuickReplyView { id: string; shortcut: string; title: string; content: string; variables: string[]; createdBy: string | null; createdAt: string; updatedAt: string }

/** `{{ name }}` or `{{ name | fallback }}`. */
const VARIABLE = /\{\{\s*([a-zA-Z][\w.]*)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;
const KNOWN = /^(visitor\.(name|firstName|email|externalId|country|language|currentUrl)|visitor\.attributes\.[\w-]{1,100}|agent\.(name|firstName|email)|site\.name|conversation\.id)$/;
export const SHORTCUT = '^/?[a-z0-9][a-z0-9_-]{0,39}$';

export function variablesOf(content: string): string[] {
  return [...new Set([...content.matchAll(VARIABLE)].map((m) => m[1]))];
}

/** Refuses unknown variables and unbalanced braces with a 400 that names them. */
export function checkTemplate(content: string): void {
  const unknown = variablesOf(content).filter((v) => !KNOWN.test(v));
  if (unknown.length) throw InboxErrors.badTemplate(`Unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => `{{${v}}}`).join(', ')}. Use visitor.name, visitor.firstName, visitor.email, visitor.attributes.<name>, agent.name, agent.firstName, site.name or conversation.id.`);
  if (content.replace(VARIABLE, '').includes('{{')) throw InboxErrors.badTemplate('A "{{" is not closed; write variables as {{visitor.name}} or {{visitor.name | there}}.');
}

export function render(content: string, values: Record<string, string | null | undefined>): { content: string; missing: string[] } {
  const missing: string[] = [];
  const out = content.replace(VARIABLE, (_all, name: string, fallback: string | undefined) => {
    const v = values[name];
    if (v !== undefined && v !== null && v !== '') return v;
    if (fallback === undefined) missing.push(name);
    return fallback ?? '';
  });
  return { content: out, missing: [...new Set(missing)] };
}

const iso = (d: Date | string) => new Date(d).toISOString();
const normalize = (shortcut: string) => shortcut.replace(/^\//, '').toLowerCase();

/** Canned responses per account: `/shortcut`, a title and text with variables filled from a conversation. */
export class QuickReplyService {
  constructor(private readonly ctx: PluginContext) {}

  private get c() {
    return this.ctx.container.cradle;
  }

  view(r: QuickReplyRow): QuickReplyView {
    return { id: r.id, shortcut: `/${r.shortcut}`, title: r.title, content: r.content, variables: variablesOf(r.content), createdBy: r.createdBy, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) };
  }

  async list(accountId: string, q?: string): Promise<QuickReplyView[]> {
    const needle = q?.replace(/^\//, '').toLowerCase().replace(/[%_\\]/g, '');
    const rows = await this.c.db.scope(accountId).findAll(this.c.inboxModels.QuickReply, {
      ...(needle ? { where: { [Op.or]: [{ shortcut: { [Op.like]: `${needle}%` } }, { title: { [Op.like]: `%${needle}%` } }] } as never } : {}),
      order: [['shortcut', 'ASC']], limit: 500,
    });
    return rows.map((r) => this.view(r.get({ plain: true })));
  }

  async get(accountId: string, id: string): Promise<QuickReplyRow> {
    const row = isId(id) ? await this.c.db.scope(accountId).findById(this.c.inboxModels.QuickReply, id) : null;
    if (!row) throw InboxErrors.quickReplyNotFound('No quick reply with this id.');
    return row.get({ plain: true });
  }

  async byShortcut(accountId: string, shortcut: string): Promise<QuickReplyRow> {
    const row = await this.c.db.scope(accountId).findOne(this.c.inboxModels.QuickReply, { where: { shortcut: normalize(shortcut) } });
    if (!row) throw InboxErrors.quickReplyNotFound(`No quick reply with the shortcut /${normalize(shortcut)}.`);
    return row.get({ plain: true });
  }

  private async unique<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if ((err as Error).name === 'SequelizeUniqueConstraintError') throw InboxErrors.duplicateShortcut('Another quick reply already uses this shortcut.');
      throw err;
    }
  }

  async create(actor: AgentActor, input: { shortcut: string; title?: string; content: string }): Promise<QuickReplyView> {
    const content = input.content.trim();
    if (!content) throw InboxErrors.badRequest('content must not be empty.');
    checkTemplate(content);
    const shortcut = normalize(input.shortcut);
    const row = await this.unique(() => this.c.db.scope(actor.accountId).create(this.c.inboxModels.QuickReply, { id: newId(), shortcut, title: input.title?.trim() || shortcut, content, createdBy: actor.userId }));
    return this.view(row.get({ plain: true }));
  }

  /** Admins and owners change any quick reply; agents only their own. */
  private mayChange(actor: AgentActor, row: QuickReplyRow): void {
    if (actor.role !== 'owner' && actor.role !== 'admin' && row.createdBy !== actor.userId) throw InboxErrors.forbidden('Only its author, an admin or the owner may change this quick reply.');
  }

  async update(actor: AgentActor, id: string, patch: { shortcut?: string; title?: string; content?: string }): Promise<QuickReplyView> {
    const row = await this.get(actor.accountId, id);
    this.mayChange(actor, row);
    const changes: Partial<QuickReplyRow> = {};
    if (patch.shortcut !== undefined) changes.shortcut = normalize(patch.shortcut);
    if (patch.title !== undefined) changes.title = patch.title.trim() || row.shortcut;
    if (patch.content !== undefined) {
      const content = patch.content.trim();
      if (!content) throw InboxErrors.badRequest('content must not be empty.');
      checkTemplate(content);
      changes.content = content;
    }
    if (Object.keys(changes).length) await this.unique(() => this.c.db.scope(actor.accountId).update(this.c.inboxModels.QuickReply, changes, { id: row.id }));
    return this.view(await this.get(actor.accountId, row.id));
  }

  async remove(actor: AgentActor, id: string): Promise<void> {
    const row = await this.get(actor.accountId, id);
    this.mayChange(actor, row);
    await this.c.db.scope(actor.accountId).destroy(this.c.inboxModels.QuickReply, { id: row.id });
  }

  /** Fills a quick reply's variables from a conversation (its visitor and site) and the agent asking. */
  async render(actor: AgentActor, conversationId: string, ref: { id?: string; shortcut?: string }): Promise<{ quickReplyId: string; content: string; missing: string[] }> {
    const { sites, models, db } = this.c;
    const data = this.ctx.services.get(ConversationsData);
    const row = ref.id ? await this.get(actor.accountId, ref.id) : await this.byShortcut(actor.accountId, ref.shortcut ?? '');
    const conv = await data.conversations.mustGet(actor.accountId, conversationId);
    const visitor = await data.visitors.get(actor.accountId, conv.visitorId);
    const attributes = (typeof visitor?.attributes === 'string' ? JSON.parse(visitor.attributes) : visitor?.attributes) as Record<string, unknown> | null | undefined;
    const site = await sites.byIdForAccount(actor.accountId, conv.siteId);
    const agent = await db.scope(actor.accountId).findById(models.User, actor.userId);
    const first = (s: string | null | undefined) => (s ? s.trim().split(/\s+/)[0] : null);
    const values: Record<string, string | null | undefined> = {
      'visitor.name': visitor?.name, 'visitor.firstName': first(visitor?.name), 'visitor.email': visitor?.email,
      'visitor.externalId': visitor?.externalId, 'visitor.country': visitor?.country, 'visitor.language': visitor?.language, 'visitor.currentUrl': visitor?.currentUrl,
      'agent.name': agent?.name ?? actor.name, 'agent.firstName': first(agent?.name ?? actor.name), 'agent.email': agent?.email ?? actor.email,
      'site.name': site?.name, 'conversation.id': conv.id,
    };
    for (const [k, v] of Object.entries(attributes ?? {})) {
      if (v !== null && v !== undefined && typeof v !== 'object') values[`visitor.attributes.${k}`] = String(v);
    }
    return { quickReplyId: row.id, ...render(row.content, values) };
  }
}
