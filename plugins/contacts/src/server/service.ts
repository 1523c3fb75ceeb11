import { Readable } from 'node:stream';
import { newId, type PluginContext } from '@charla/core';
import { ConversationsData, type ConversationsDataApi, type VisitorCondition, type VisitorRow, type VisitorSearch } from '@charla/plugin-conversations';
import { ContactErrors } from './errors.js';
import { filterOf, type ContactModels, type SegmentRow } from './models.js';
import { parseFilter } from './filter.js';

const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
const json = (v: unknown): Record<string, unknown> => ((typeof v === 'string' ? JSON.parse(v) : v) ?? {}) as Record<string, unknown>;

export interface ContactView {
  id: string; siteId: string; name: string | null; email: string | null; externalId: string | null; verified: boolean;
  country: string | null; language: string | null; firstSeenAt: string; lastSeenAt: string; visitCount: number; pageViewCount: number;
  online: boolean; currentUrl: string | null; currentTitle: string | null; attributes: Record<string, unknown>; createdAt: string;
}

export interface SegmentView { id: string; name: string; filter: unknown; count: number; createdAt: string; updatedAt: string }

export function contactView(v: VisitorRow, online: boolean): ContactView {
  return {
    id: v.id, siteId: v.siteId, name: v.name, email: v.email, externalId: v.externalId, verified: !!v.verified,
    country: v.country, language: v.language, firstSeenAt: iso(v.firstSeenAt)!, lastSeenAt: iso(v.lastSeenAt)!,
    visitCount: Number(v.visitCount), pageViewCount: Number(v.pageViewCount ?? 0), online,
    currentUrl: v.currentUrl, currentTitle: v.currentTitle, attributes: json(v.attributes), createdAt: iso(v.createdAt)!,
  };
}

const CSV_COLUMNS = ['id', 'siteId', 'name', 'email', 'externalId', 'verified', 'country', 'language', 'firstSeenAt', 'lastSeenAt', 'visitCount', 'pageViewCount', 'online', 'currentUrl', 'attributes', 'createdAt'] as const;

/** One CSV cell (RFC 4180), neutralising spreadsheet formulas (=, +, -, @ at the start). */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Contacts over the conversations plugin's visitors (through `ConversationsData`), and segments. */
export class ContactService {
  constructor(private readonly ctx: PluginContext, private readonly models: ContactModels) {}

  private get data(): ConversationsDataApi {
    return this.ctx.services.get(ConversationsData);
  }

  private async onlineSet(accountId: string): Promise<Set<string>> {
    return new Set((await this.ctx.container.cradle.presence.online('visitor', accountId)).map((e) => e.id));
  }

  /** A search; a malformed condition reaching the compiler is a 400 too (defence in depth). */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TypeError) throw ContactErrors.badFilter(err.message);
      throw err;
    }
  }

  async search(accountId: string, query: VisitorSearch): Promise<{ contacts: ContactView[]; total: number; nextCursor: string | null }> {
    const [page, total, online] = await this.guard(() => Promise.all([this.data.visitors.search(accountId, query), this.data.visitors.countWhere(accountId, query.where), this.onlineSet(accountId)]));
    return { contacts: page.items.map((v) => contactView(v, online.has(v.id))), total, nextCursor: page.nextCursor };
  }

  async mustGet(accountId: string, id: string): Promise<VisitorRow> {
    const v = await this.data.visitors.get(accountId, id);
    if (!v) throw ContactErrors.contactNotFound('No contact with this id.');
    return v;
  }

  async view(accountId: string, v: VisitorRow): Promise<ContactView> {
    return contactView(v, await this.data.visitors.isOnline(accountId, v.id));
  }

  /** The contact with its latest pages and events, and its conversations. */
  async detail(accountId: string, id: string) {
    const v = await this.mustGet(accountId, id);
    const [pages, events, conversations, contact] = await Promise.all([
      this.data.pageViews.list(accountId, { visitorId: id, order: 'newest', limit: 100 }),
      this.data.trackedEvents.list(accountId, { visitorId: id, order: 'newest', limit: 100 }),
      this.data.conversations.list(accountId, { visitorId: id, order: 'newest', limit: 50 }),
      this.view(accountId, v),
    ]);
    return {
      ...contact,
      pages: pages.items.map((p) => ({ url: p.url, title: p.title, at: iso(p.createdAt)! })),
      events: events.items.map((e) => ({ name: e.name, properties: json(e.properties), at: iso(e.createdAt)! })),
      conversations: conversations.items.map((c) => ({ id: c.id, status: c.status, lastActivityAt: iso(c.lastActivityAt)!, lastMessage: c.lastPublicMessage ? { content: c.lastPublicMessage.content, senderType: c.lastPublicMessage.senderType } : null })),
    };
  }

  /** Everything stored about one contact (GDPR access): profile, every page view, event, conversation and public message. */
  async exportOne(accountId: string, id: string) {
    const v = await this.mustGet(accountId, id);
    const all = async <T>(list: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>): Promise<T[]> => {
      const out: T[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(cursor);
        out.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return out;
    };
    const [pages, events, convs] = await Promise.all([
      all((cursor) => this.data.pageViews.list(accountId, { visitorId: id, limit: 500, cursor })),
      all((cursor) => this.data.trackedEvents.list(accountId, { visitorId: id, limit: 500, cursor })),
      all((cursor) => this.data.conversations.list(accountId, { visitorId: id, limit: 500, cursor })),
    ]);
    const conversations = [];
    for (const c of convs) {
      const messages = await all((cursor) => this.data.messages.list(accountId, { conversationId: c.id, private: false, limit: 500, cursor }));
      conversations.push({
        id: c.id, status: c.status, createdAt: iso(c.createdAt)!,
        messages: messages.map((m) => ({ id: m.id, senderType: m.senderType, content: m.content, createdAt: iso(m.createdAt)! })),
      });
    }
    return {
      exportedAt: this.ctx.container.cradle.clock.now().toISOString(),
      contact: { ...(await this.view(accountId, v)), userAgent: v.userAgent },
      pages: pages.map((p) => ({ url: p.url, title: p.title, referrer: p.referrer, at: iso(p.createdAt)! })),
      events: events.map((e) => ({ name: e.name, properties: json(e.properties), at: iso(e.createdAt)! })),
      conversations,
    };
  }

  /** CSV of a filter's result, streamed page by page (never every contact in memory). */
  csv(accountId: string, query: Omit<VisitorSearch, 'cursor' | 'limit'>): Readable {
    const data = () => this.data;
    const onlineSet = () => this.onlineSet(accountId);
    async function* rows(): AsyncGenerator<string> {
      yield `${CSV_COLUMNS.join(',')}\r\n`;
      let cursor: string | undefined;
      do {
        const [page, online] = await Promise.all([data().visitors.search(accountId, { ...query, limit: 500, cursor }), onlineSet()]);
        yield page.items.map((v) => {
          const c = contactView(v, online.has(v.id)) as unknown as Record<string, unknown>;
          return `${CSV_COLUMNS.map((k) => csvCell(c[k])).join(',')}\r\n`;
        }).join('');
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return Readable.from(rows());
  }

  async checkFilter(accountId: string, where: VisitorCondition): Promise<void> {
    await this.guard(() => this.data.visitors.countWhere(accountId, where));
  }

  // Segments.

  private async segmentView(accountId: string, row: SegmentRow): Promise<SegmentView> {
    const filter = filterOf(row);
    const count = await this.guard(() => this.data.visitors.countWhere(accountId, parseFilter(filter)));
    return { id: row.id, name: row.name, filter, count, createdAt: iso(row.createdAt)!, updatedAt: iso(row.updatedAt)! };
  }

  async mustGetSegment(accountId: string, id: string): Promise<SegmentRow> {
    const row = await this.ctx.db.scope(accountId).findById(this.models.Segment, id);
    if (!row) throw ContactErrors.segmentNotFound('No segment with this id.');
    return row.get({ plain: true });
  }

  async segment(accountId: string, id: string): Promise<SegmentView> {
    return this.segmentView(accountId, await this.mustGetSegment(accountId, id));
  }

  async segments(accountId: string): Promise<SegmentView[]> {
    const rows = await this.ctx.db.scope(accountId).findAll(this.models.Segment, { order: [['createdAt', 'ASC']], limit: 500 });
    return Promise.all(rows.map((r) => this.segmentView(accountId, r.get({ plain: true }))));
  }

  async createSegment(accountId: string, by: string | null, input: { name: string; filter: unknown }): Promise<SegmentView> {
    const where = parseFilter(input.filter);
    await this.checkFilter(accountId, where);
    const row = await this.ctx.db.scope(accountId).create(this.models.Segment, { id: newId(), name: input.name.trim(), filter: where, createdBy: by });
    return this.segmentView(accountId, row.get({ plain: true }));
  }

  async updateSegment(accountId: string, id: string, input: { name?: string; filter?: unknown }): Promise<SegmentView> {
    const current = await this.mustGetSegment(accountId, id);
    const changes: Partial<SegmentRow> = {};
    if (input.name !== undefined) changes.name = input.name.trim();
    if (input.filter !== undefined) {
      const where = parseFilter(input.filter);
      await this.checkFilter(accountId, where);
      changes.filter = where;
    }
    if (Object.keys(changes).length) await this.ctx.db.scope(accountId).update(this.models.Segment, changes, { id });
    return this.segment(accountId, current.id);
  }

  async deleteSegment(accountId: string, id: string): Promise<void> {
    await this.mustGetSegment(accountId, id);
    await this.ctx.db.scope(accountId).destroy(this.models.Segment, { id });
  }

  async segmentContacts(accountId: string, id: string, page: { limit?: number; cursor?: string }) {
    const row = await this.mustGetSegment(accountId, id);
    return this.search(accountId, { where: parseFilter(filterOf(row)), limit: page.limit, cursor: page.cursor });
  }
}
