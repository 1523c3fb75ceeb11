import { DataTypes, Type, agentOf, defineError, definePlugin, isId, newId, problems, type CharlaPlugin, type Model, type ModelStatic, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';

/**
 * Example third-party plugin, built only from templates/plugin and docs/plugins.md:
 * coloured tags for conversations. Agents create tags (name, colour, keywords) and
 * apply them by hand; a visitor message containing a keyword tags its conversation
 * (listening to `message.created`). The admin part adds a panel to the conversation
 * sidebar (`conversation.sidebar` slot).
 */
interface Tag {
  id: string;
  accountId: string;
  name: string;
  color: string;
  keywords: string[];
  createdAt: Date;
}
type TagRow = Model<Tag, Partial<Tag>> & Tag;

const TagErrors = {
  notFound: defineError('CHARLA_TAGS_NOT_FOUND', 404),
  duplicate: defineError('CHARLA_TAGS_DUPLICATE', 409),
};

const TagSchema = Type.Object({ id: Type.String(), name: Type.String(), color: Type.String(), keywords: Type.Array(Type.String()) });
const TagInput = {
  name: Type.String({ minLength: 1, maxLength: 40, pattern: '^[^,]*\\S[^,]*$' }),
  color: Type.String({ pattern: '^#[0-9a-fA-F]{6}$' }),
  keywords: Type.Array(Type.String({ minLength: 2, maxLength: 50 }), { maxItems: 20 }),
};

let Tags: ModelStatic<TagRow>;
const view = (t: Tag) => ({ id: t.id, name: t.name, color: t.color, keywords: (typeof t.keywords === 'string' ? JSON.parse(t.keywords) : t.keywords) as string[] });

/** Conversations are the conversations plugin's: read and changed through its ConversationsData service. */
async function setTag(ctx: PluginContext, accountId: string, conversationId: string, tag: string, on: boolean): Promise<string[]> {
  const { conversations } = ctx.services.get(ConversationsData);
  const conv = await conversations.mustGet(accountId, conversationId);
  const current = (typeof conv.tags === 'string' ? JSON.parse(conv.tags) : conv.tags) as string[];
  const next = on ? [...new Set([...current, tag])] : current.filter((x) => x !== tag);
  if (next.length !== current.length) await conversations.update(accountId, conversationId, { tags: next });
  return next;
}

// Annotated so the emitted declaration does not depend on other packages' internals.
const plugin: CharlaPlugin = definePlugin({
  name: 'conversation-tags',
  version: '0.1.0',
  core: '^0.1.0',
  dependsOn: ['conversations'],
  uses: [ConversationsData],
  description: 'Coloured conversation tags, applied by hand or by keyword',
  migrations: new URL('./migrations/', import.meta.url),
  settings: Type.Object({ autoTag: Type.Boolean({ default: true, description: 'Tag conversations whose visitor messages contain a keyword' }) }),

  models(ctx) {
    Tags = ctx.db.define<TagRow>('ConversationTag', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      accountId: { type: DataTypes.STRING(36), allowNull: false },
      name: { type: DataTypes.STRING(40), allowNull: false },
      color: { type: DataTypes.STRING(7), allowNull: false },
      keywords: { type: DataTypes.JSON, allowNull: false },
    }, { tableName: 'conversation_tags' });
  },

  events: {
    'message.created': async (p, ctx) => {
      if (p.senderType !== 'visitor') return;
      const { autoTag } = (await ctx.settingsFor(p.accountId)) as { autoTag: boolean };
      if (!autoTag) return;
      const text = p.content.toLowerCase();
      const tags = await ctx.db.scope(p.accountId).findAll(Tags);
      for (const t of tags.map(view)) {
        if (t.keywords.some((k) => text.includes(k.toLowerCase()))) await setTag(ctx, p.accountId, p.conversationId, t.name, true);
      }
    },
  },

  routes(app, ctx) {
    const tags = ['conversation-tags'];
    const findTag = async (accountId: string, id: string) => {
      const t = isId(id) ? await ctx.db.scope(accountId).findById(Tags, id) : null;
      if (!t) throw TagErrors.notFound('No tag with this id.');
      return t;
    };
    const unique = async (fn: () => Promise<unknown>) => {
      try {
        return await fn();
      } catch (err) {
        if ((err as { name?: string }).name === 'SequelizeUniqueConstraintError') throw TagErrors.duplicate('A tag with this name already exists.');
        throw err;
      }
    };

    app.get('/api/v1/conversation-tags', { config: { auth: 'agent' }, schema: { tags, summary: 'Tags of this account', response: { 200: Type.Object({ tags: Type.Array(TagSchema) }), ...problems(401) } } }, async (request) => ({
      tags: (await ctx.db.scope(agentOf(request).accountId).findAll(Tags, { order: [['name', 'ASC']] })).map(view),
    }));

    app.post('/api/v1/conversation-tags', {
      config: { auth: 'agent', roles: ['owner', 'admin'] },
      schema: { tags, summary: 'Create a tag', body: Type.Object({ name: TagInput.name, color: TagInput.color, keywords: Type.Optional(TagInput.keywords) }), response: { 201: TagSchema, ...problems(400, 401, 403, 409) } },
    }, async (request, reply) => {
      const body = request.body as { name: string; color: string; keywords?: string[] };
      const row = (await unique(() => ctx.db.scope(agentOf(request).accountId).create(Tags, { id: newId(), name: body.name.trim(), color: body.color.toLowerCase(), keywords: body.keywords ?? [] }))) as TagRow;
      return reply.code(201).send(view(row));
    });

    app.patch('/api/v1/conversation-tags/:id', {
      config: { auth: 'agent', roles: ['owner', 'admin'] },
      schema: { tags, summary: 'Change a tag', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), body: Type.Partial(Type.Object(TagInput)), response: { 200: TagSchema, ...problems(400, 401, 403, 404, 409) } },
    }, async (request) => {
      const accountId = agentOf(request).accountId;
      const t = await findTag(accountId, (request.params as { id: string }).id);
      const body = request.body as Partial<Tag>;
      await unique(() => ctx.db.scope(accountId).update(Tags, { ...body, ...(body.color ? { color: body.color.toLowerCase() } : {}) }, { id: t.id }));
      return view((await findTag(accountId, t.id)).get({ plain: true }));
    });

    app.delete('/api/v1/conversation-tags/:id', {
      config: { auth: 'agent', roles: ['owner', 'admin'] },
      schema: { tags, summary: 'Delete a tag', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...problems(401, 403, 404) } },
    }, async (request, reply) => {
      const accountId = agentOf(request).accountId;
      const t = await findTag(accountId, (request.params as { id: string }).id);
      await ctx.db.scope(accountId).destroy(Tags, { id: t.id });
      return reply.code(204).send();
    });

    const applyRoute = (on: boolean) => async (request: import('fastify').FastifyRequest) => {
      const accountId = agentOf(request).accountId;
      const { conversationId, tagId } = request.params as { conversationId: string; tagId: string };
      const t = await findTag(accountId, tagId);
      return { tags: await setTag(ctx, accountId, conversationId, t.name, on) };
    };
    const applySchema = (summary: string) => ({ tags, summary, params: Type.Object({ conversationId: Type.String({ maxLength: 64 }), tagId: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ tags: Type.Array(Type.String()) }), ...problems(401, 404) } });
    app.put('/api/v1/conversation-tags/:tagId/conversations/:conversationId', { config: { auth: 'agent' }, schema: applySchema('Tag a conversation') }, applyRoute(true));
    app.delete('/api/v1/conversation-tags/:tagId/conversations/:conversationId', { config: { auth: 'agent' }, schema: applySchema('Untag a conversation') }, applyRoute(false));
  },

  admin: { entry: './src/admin/index.ts' },
});

export default plugin;
