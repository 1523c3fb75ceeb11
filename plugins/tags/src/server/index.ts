import { Type, agentOf, definePlugin, isId, newId, problems, type CharlaPlugin, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance } from 'fastify';
import './extension.js';
import { TagErrors } from './errors.js';
import { defineTagModel, tagModelOf } from './models.js';
import { MAX_TAG_LENGTH, MAX_TAGS_PER_CONVERSATION, TagsService, colorFor, normalizeTagName, tagView, tagsService } from './tags-service.js';

export { TagsService, normalizeTagName, MAX_TAGS_PER_CONVERSATION, type TagsApi, type TagView, type TagChange } from './tags-service.js';
export { TagErrors } from './errors.js';

const TagSchema = Type.Object({ id: Type.String(), name: Type.String(), color: Type.String(), createdAt: Type.String({ format: 'date-time' }) });
const Name = Type.String({ minLength: 1, maxLength: MAX_TAG_LENGTH + 20 });
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', description: 'A colour as #rrggbb' });
const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

function routes(app: FastifyInstance, ctx: PluginContext): void {
  const tags = ['tags'];
  const service = tagsService(ctx);
  const Tag = () => tagModelOf(ctx.db);
  const manage = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const] };
  const findTag = async (accountId: string, id: string) => {
    const t = isId(id) ? await ctx.db.scope(accountId).findById(Tag(), id) : null;
    if (!t) throw TagErrors.notFound('No tag with this id.');
    return t.get({ plain: true });
  };

  app.get('/api/v1/tags', {
    config: { auth: 'agent' },
    schema: { tags, summary: 'The account\'s tags, by name', response: { 200: Type.Object({ tags: Type.Array(TagSchema) }), ...problems(401) } },
  }, async (request) => ({ tags: await service.list(agentOf(request).accountId) }));

  app.post('/api/v1/tags', {
    config: manage,
    schema: { tags, summary: 'Create a tag', body: Type.Object({ name: Name, color: Type.Optional(Color) }, { additionalProperties: false }), response: { 201: TagSchema, ...problems(400, 401, 403, 409) } },
  }, async (request, reply) => {
    const accountId = agentOf(request).accountId;
    const body = request.body as { name: string; color?: string };
    const name = normalizeTagName(body.name);
    const scope = ctx.db.scope(accountId);
    if (await scope.findOne(Tag(), { where: { nameKey: name.toLowerCase() } })) throw TagErrors.duplicate(`The tag "${name}" already exists.`);
    const row = await scope.create(Tag(), { id: newId(), name, nameKey: name.toLowerCase(), color: (body.color ?? colorFor(name.toLowerCase())).toLowerCase() });
    return reply.code(201).send(tagView(row.get({ plain: true })));
  });

  app.patch('/api/v1/tags/:id', {
    config: manage,
    schema: { tags, summary: 'Change a tag\'s colour', params: IdParam, body: Type.Object({ color: Color }, { additionalProperties: false }), response: { 200: TagSchema, ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    const accountId = agentOf(request).accountId;
    const t = await findTag(accountId, (request.params as { id: string }).id);
    await ctx.db.scope(accountId).update(Tag(), { color: (request.body as { color: string }).color.toLowerCase() }, { id: t.id });
    return tagView(await findTag(accountId, t.id));
  });

  app.delete('/api/v1/tags/:id', {
    config: manage,
    schema: { tags, summary: 'Delete a tag (it is taken off every conversation)', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    const actor = agentOf(request);
    const t = await findTag(actor.accountId, (request.params as { id: string }).id);
    const { conversations } = ctx.services.get(ConversationsData);
    for (;;) {
      // Each pass takes the tag off a page of conversations, so the next pass starts again from the first.
      const page = await conversations.list(actor.accountId, { tag: t.name, limit: 200 });
      for (const c of page.items) await service.remove(actor.accountId, c.id, [t.name], { actorId: actor.userId });
      if (!page.nextCursor) break;
    }
    await ctx.db.scope(actor.accountId).destroy(Tag(), { id: t.id });
    return reply.code(204).send();
  });

  app.post('/api/v1/tags/conversations/:id', {
    config: { auth: 'agent' },
    schema: {
      tags, summary: 'Add and/or remove tags on a conversation (unknown names join the catalogue)', params: IdParam,
      body: Type.Object({
        add: Type.Optional(Type.Array(Name, { maxItems: MAX_TAGS_PER_CONVERSATION })),
        remove: Type.Optional(Type.Array(Name, { maxItems: MAX_TAGS_PER_CONVERSATION })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ tags: Type.Array(Type.String()) }), ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const actor = agentOf(request);
    const body = request.body as { add?: string[]; remove?: string[] };
    if (!body.add?.length && !body.remove?.length) throw TagErrors.invalid('Send the tags to add and/or remove: {"add": ["billing"]}.');
    return { tags: await service.change(actor.accountId, (request.params as { id: string }).id, { add: body.add, remove: body.remove, actorId: actor.userId }) };
  });
}

// Annotated so the emitted declaration does not depend on other packages' internals.
const plugin: CharlaPlugin = definePlugin({
  name: 'tags',
  version: '0.1.0',
  core: '^0.1.0',
  description: 'Conversation tags: labels agents and the bot put on conversations, filterable in the inbox, counted in reports',
  dependsOn: ['conversations'],
  uses: [ConversationsData],
  provides: [TagsService],
  migrations: new URL('./migrations/', import.meta.url),
  emits: {
    'conversation.tags_changed': Type.Object({
      accountId: Type.String(), conversationId: Type.String(), tags: Type.Array(Type.String()),
      added: Type.Array(Type.String()), removed: Type.Array(Type.String()), actorId: Type.Union([Type.String(), Type.Null()]),
    }, { description: 'A conversation\'s tags changed: `tags` is the new list, `added`/`removed` the difference; `actorId` null for the system (a bot rule).' }),
  },
  models(ctx) {
    defineTagModel(ctx.db);
  },
  register(ctx) {
    ctx.services.provide(TagsService, tagsService(ctx));
  },
  routes,
});

export default plugin;
