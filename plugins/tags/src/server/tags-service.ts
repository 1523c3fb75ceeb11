import { Op, defineService, newId, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { TagErrors } from './errors.js';
import { tagModelOf, type TagRow } from './models.js';

/** At most this many tags on one conversation. */
export const MAX_TAGS_PER_CONVERSATION = 20;
export const MAX_TAG_LENGTH = 40;
const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];

export interface TagView { id: string; name: string; color: string; createdAt: string }

export interface TagChange {
  /** Labels to put on the conversation (unknown names join the account's catalogue). */
  add?: string[];
  /** Labels to take off (matched case-insensitively). */
  remove?: string[];
  /** Who made the change (null: the system, e.g. a bot rule). */
  actorId?: string | null;
}

/** The tags plugin's service for other plugins (the bot's `add_tag`): `uses: [TagsService]`. */
export interface TagsApi {
  /** The account's tags, by name. */
  list(accountId: string): Promise<TagView[]>;
  /** Adds labels to a conversation → its tags. A name that is empty, too long or has a comma is a 400 `CHARLA_TAGS_INVALID`; another account's conversation a 404. */
  add(accountId: string, conversationId: string, names: string[], opts?: { actorId?: string | null }): Promise<string[]>;
  /** Takes labels off a conversation → its tags. */
  remove(accountId: string, conversationId: string, names: string[], opts?: { actorId?: string | null }): Promise<string[]>;
  /** Adds and removes in one change (one `conversation.tags_changed`) → the conversation's tags. */
  change(accountId: string, conversationId: string, change: TagChange): Promise<string[]>;
}

export const TagsService = defineService<TagsApi>('tags.tags');

/** Trims and collapses spaces; refuses what cannot be a label. */
export function normalizeTagName(raw: unknown): string {
  if (typeof raw !== 'string') throw TagErrors.invalid('A tag name must be a string.');
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!name) throw TagErrors.invalid('A tag name cannot be empty.');
  if (name.length > MAX_TAG_LENGTH) throw TagErrors.invalid(`A tag name has at most ${MAX_TAG_LENGTH} characters ("${name.slice(0, 20)}…" has ${name.length}).`);
  // eslint-disable-next-line no-control-regex
  if (/[,\u0000-\u001f\u007f]/.test(name)) throw TagErrors.invalid(`A tag name cannot contain commas or control characters ("${name.replace(/[\u0000-\u001f\u007f]/g, '?')}").`);
  return name;
}

export const tagView = (t: TagRow): TagView => ({ id: t.id, name: t.name, color: t.color, createdAt: new Date(t.createdAt).toISOString() });
/** The default colour of a tag: stable for its name. */
export const colorFor = (key: string) => PALETTE[[...key].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7) % PALETTE.length];
const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const tagsOf = (raw: unknown): string[] => ((typeof raw === 'string' ? JSON.parse(raw) : raw) as string[] | null) ?? [];

export function tagsService(ctx: PluginContext): TagsApi {
  const Tag = () => tagModelOf(ctx.db);

  /** The catalogue's spelling of each name, creating the tags that do not exist yet. */
  async function canonical(accountId: string, names: string[]): Promise<string[]> {
    const wanted = new Map<string, string>();
    for (const n of names) if (!wanted.has(n.toLowerCase())) wanted.set(n.toLowerCase(), n);   // the first spelling wins
    if (!wanted.size) return [];
    const scope = ctx.db.scope(accountId);
    const known = await scope.findAll(Tag(), { where: { nameKey: { [Op.in]: [...wanted.keys()] } } });
    const byKey = new Map(known.map((t) => [t.nameKey, t.name]));
    for (const [key, name] of wanted) {
      if (byKey.has(key)) continue;
      await scope.create(Tag(), { id: newId(), name, nameKey: key, color: colorFor(key) });
      byKey.set(key, name);
    }
    return [...wanted.keys()].map((k) => byKey.get(k)!);
  }

  async function change(accountId: string, conversationId: string, req: TagChange): Promise<string[]> {
    const add = (req.add ?? []).map(normalizeTagName);
    const removeKeys = new Set((req.remove ?? []).map((n) => normalizeTagName(n).toLowerCase()));
    const { conversations } = ctx.services.get(ConversationsData);
    return ctx.db.transaction(async () => {
      const conv = await conversations.mustGet(accountId, conversationId);
      const current = tagsOf(conv.tags);
      const added = (await canonical(accountId, add)).filter((n) => !current.some((c) => c.toLowerCase() === n.toLowerCase()));
      const kept = current.filter((c) => !removeKeys.has(c.toLowerCase()));
      const next = [...kept, ...added.filter((n) => !removeKeys.has(n.toLowerCase()))];
      if (next.length > MAX_TAGS_PER_CONVERSATION) throw TagErrors.invalid(`A conversation has at most ${MAX_TAGS_PER_CONVERSATION} tags; remove some first.`);
      if (sameSet(next, current)) return current;
      await conversations.update(accountId, conversationId, { tags: next });
      ctx.events.emit('conversation.tags_changed', {
        accountId, conversationId, tags: next,
        added: next.filter((n) => !current.includes(n)), removed: current.filter((n) => !next.includes(n)),
        actorId: req.actorId ?? null,
      });
      return next;
    });
  }

  return {
    async list(accountId) {
      return (await ctx.db.scope(accountId).findAll(Tag(), { order: [['nameKey', 'ASC']] })).map((t) => tagView(t.get({ plain: true })));
    },
    add: (accountId, conversationId, names, opts = {}) => change(accountId, conversationId, { add: names, actorId: opts.actorId }),
    remove: (accountId, conversationId, names, opts = {}) => change(accountId, conversationId, { remove: names, actorId: opts.actorId }),
    change,
  };
}
