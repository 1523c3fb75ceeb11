import { Type, agentOrKeyOf, problems, type PluginContext } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ContactErrors } from './errors.js';
import { parseFilter, parseSort, SORT_FIELDS } from './filter.js';
import type { ContactService } from './service.js';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });
const IdParam = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Attributes = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), { description: 'Custom attributes: string, number, boolean (null removes one); at most 100 keys of letters, digits, _ . -' });
const Filter = Type.Unknown({ description: '{and:[…]} | {or:[…]} | {field, op, value} — see docs/contacts.md' });
const Sort = Type.Object({ field: Type.String({ description: SORT_FIELDS.join(', ') }), order: Type.Optional(Type.String({ description: 'asc or desc (default)' })) });
const Limit = Type.Integer({ minimum: 1, maximum: 500 });
const Cursor = Type.String({ minLength: 1, maxLength: 500 });

const ContactSchema = Type.Object({
  id: Type.String(), siteId: Type.String(), name: Nullable(Type.String()), email: Nullable(Type.String()), externalId: Nullable(Type.String()), verified: Type.Boolean(),
  country: Nullable(Type.String()), language: Nullable(Type.String()), firstSeenAt: DateTime, lastSeenAt: DateTime, visitCount: Type.Integer(), pageViewCount: Type.Integer(),
  online: Type.Boolean(), currentUrl: Nullable(Type.String()), currentTitle: Nullable(Type.String()), attributes: Type.Record(Type.String(), Type.Unknown()), createdAt: DateTime,
});
const Page = Type.Object({ url: Type.String(), title: Nullable(Type.String()), at: DateTime });
const EventSchema = Type.Object({ name: Type.String(), properties: Type.Record(Type.String(), Type.Unknown()), at: DateTime });
const ContactDetail = Type.Intersect([ContactSchema, Type.Object({
  pages: Type.Array(Page, { description: 'latest first (up to 100)' }),
  events: Type.Array(EventSchema, { description: 'latest first (up to 100)' }),
  conversations: Type.Array(Type.Object({ id: Type.String(), status: Type.String(), lastActivityAt: DateTime, lastMessage: Type.Union([Type.Object({ content: Type.String(), senderType: Type.String() }), Type.Null()]) })),
})]);
const SearchResult = Type.Object({ contacts: Type.Array(ContactSchema), total: Type.Integer(), nextCursor: Nullable(Type.String()) });
const SegmentSchema = Type.Object({ id: Type.String(), name: Type.String(), filter: Type.Unknown(), count: Type.Integer(), createdAt: DateTime, updatedAt: DateTime });
const ContactRef = Type.Object({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), email: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })) }, { additionalProperties: false });
const TrackEvent = Type.Object({
  contact: ContactRef, name: Type.String({ minLength: 1, maxLength: 100 }),
  properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())), occurredAt: Type.Optional(DateTime),
}, { additionalProperties: false });
const SegmentName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

type Ref = { id?: string; externalId?: string; email?: string };
type Track = { contact: Ref; name: string; properties?: Record<string, unknown>; occurredAt?: string };

/** The contract's routes (API-features.md § Contacts and segments). */
export async function contactRoutes(app: FastifyInstance, ctx: PluginContext, contacts: ContactService): Promise<void> {
  const tags = ['contacts'];
  const read = { auth: 'agent' as const, scopes: ['contacts:read' as const] };
  const write = { auth: 'agent' as const, scopes: ['contacts:write' as const] };
  const managers = { auth: 'agent' as const, roles: ['owner' as const, 'admin' as const], scopes: ['contacts:write' as const] };
  const account = (request: FastifyRequest) => agentOrKeyOf(request).accountId;
  /** Who made a change, for the event: the agent, or null for an API key (the integration). */
  const actorIdOf = (request: FastifyRequest) => { const a = agentOrKeyOf(request); return a.kind === 'agent' ? a.userId : null; };
  const id = (request: { params: unknown }) => (request.params as { id: string }).id;
  const data = () => ctx.services.get(ConversationsData);

  const searchQuery = (body: { filter?: unknown; sort?: unknown; limit?: number; cursor?: string }) => ({
    where: body.filter === undefined || body.filter === null ? undefined : parseFilter(body.filter),
    sort: parseSort(body.sort),
    limit: body.limit,
    cursor: body.cursor,
  });

  app.post('/api/v1/contacts/search', {
    config: read,
    schema: {
      tags, summary: 'Contacts matching a filter, sorted, keyset-paged, with the total',
      body: Type.Object({ filter: Type.Optional(Filter), sort: Type.Optional(Sort), limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
      response: { 200: SearchResult, ...problems(400, 401, 403) },
    },
  }, async (request) => contacts.search(account(request), searchQuery(request.body as never)));

  app.post('/api/v1/contacts/export.csv', {
    config: read,
    schema: {
      tags, summary: 'CSV of the contacts matching a filter (every page, streamed)',
      body: Type.Object({ filter: Type.Optional(Filter), sort: Type.Optional(Sort) }, { additionalProperties: false }),
      response: { ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const { where, sort } = searchQuery(request.body as never);
    const accountId = account(request);
    await contacts.checkFilter(accountId, where ?? { and: [{ field: 'visitCount', op: 'gte', value: 0 }] });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="contacts.csv"').send(contacts.csv(accountId, { where, sort }));
  });

  app.get('/api/v1/contacts/:id', {
    config: read, schema: { tags, summary: 'A contact with its latest pages, events and conversations', params: IdParam, response: { 200: ContactDetail, ...problems(401, 403, 404) } },
  }, async (request) => contacts.detail(account(request), id(request)));

  app.get('/api/v1/contacts/:id/export', {
    config: { ...read, roles: ['owner' as const, 'admin' as const] },
    schema: { tags, summary: 'Everything stored about one contact (GDPR access request), as JSON', params: IdParam, response: { ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    const data = await contacts.exportOne(account(request), id(request));
    // The stored id, never the raw path segment, goes into the header.
    return reply.header('content-disposition', `attachment; filename="contact-${data.contact.id.replace(/[^A-Za-z0-9-]/g, '')}.json"`).send(data);
  });

  app.patch('/api/v1/contacts/:id', {
    config: write,
    schema: {
      tags, summary: 'Change a contact: name, e-mail, attributes (merged; null removes one)', params: IdParam,
      body: Type.Object({ name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])), email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 320 }), Type.Null()])), attributes: Type.Optional(Attributes) }, { additionalProperties: false }),
      response: { 200: ContactSchema, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => {
    const accountId = account(request);
    // The change and its event commit together (the outbox): a webhook never misses it.
    const v = await ctx.db.transaction(async () => {
      const row = await data().visitors.update(accountId, id(request), request.body as never);
      if (row) ctx.events.emit('contact.updated', { accountId, siteId: row.siteId, contactId: row.id, visitorId: row.id, actorId: actorIdOf(request) });
      return row;
    });
    if (!v) throw ContactErrors.contactNotFound('No contact with this id.');
    return contacts.view(accountId, v);
  });

  app.delete('/api/v1/contacts/:id', {
    config: managers, schema: { tags, summary: 'Erase a contact (GDPR): its pages, events, conversations and messages go with it', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    if (!(await data().visitors.erase(account(request), id(request)))) throw ContactErrors.contactNotFound('No contact with this id.');
    return reply.code(204).send();
  });

  app.post('/api/v1/contacts', {
    config: write,
    schema: {
      tags, summary: 'Create or update a contact by externalId, else e-mail (201 created, 200 updated)',
      body: Type.Object({
        externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
        name: Type.Optional(Type.String({ maxLength: 200 })), attributes: Type.Optional(Attributes), siteId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }, { additionalProperties: false }),
      response: { 200: ContactSchema, 201: ContactSchema, ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const body = request.body as { externalId?: string; email?: string; name?: string; attributes?: Record<string, unknown>; siteId?: string };
    if (!body.externalId && !body.email) throw ContactErrors.invalid('Send an externalId or an email to find or create the contact by.');
    const accountId = account(request);
    const sites = await ctx.container.cradle.sites.list(accountId);
    const siteId = body.siteId ?? sites[0]?.id;
    if (!siteId || !sites.some((s) => s.id === siteId)) throw ContactErrors.invalid(body.siteId ? 'siteId is not a site of this account.' : 'This account has no site yet: create one first.');
    const { visitor, created } = await ctx.db.transaction(async () => {
      const r = await data().visitors.upsert(accountId, { ...body, siteId });
      ctx.events.emit(r.created ? 'contact.created' : 'contact.updated', { accountId, siteId: r.visitor.siteId, contactId: r.visitor.id, visitorId: r.visitor.id, actorId: actorIdOf(request) });
      return r;
    });
    return reply.code(created ? 201 : 200).send(await contacts.view(accountId, visitor));
  });

  app.post('/api/v1/events', {
    config: { auth: 'agent', scopes: ['events:write'] },
    schema: {
      tags, summary: 'Track events for contacts (one, or up to 100 in a batch)',
      body: Type.Union([TrackEvent, Type.Object({ events: Type.Array(TrackEvent, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false })]),
      response: { 202: Type.Object({ accepted: Type.Integer() }), ...problems(400, 401, 403, 404) },
    },
  }, async (request, reply) => {
    const accountId = account(request);
    const body = request.body as Track | { events: Track[] };
    const list = 'events' in body ? body.events : [body];
    const port = data().visitors;
    const resolved = await Promise.all(list.map(async (e, i) => {
      const refs = [e.contact.id, e.contact.externalId, e.contact.email].filter((x) => x !== undefined);
      if (refs.length !== 1) throw ContactErrors.invalid(`events[${i}].contact: name the contact by exactly one of id, externalId, email.`);
      const v = e.contact.id !== undefined
        ? await port.get(accountId, e.contact.id)
        : (await port.list(accountId, { ...(e.contact.externalId !== undefined ? { externalId: e.contact.externalId } : { email: e.contact.email!.toLowerCase() }), limit: 1 })).items[0];
      if (!v) throw ContactErrors.contactNotFound(`events[${i}].contact: no such contact.`);
      return { visitorId: v.id, name: e.name, properties: e.properties, ...(e.occurredAt ? { occurredAt: new Date(e.occurredAt) } : {}) };
    }));
    await data().trackedEvents.record(accountId, resolved);
    return reply.code(202).send({ accepted: resolved.length });
  });

  // Segments.
  app.get('/api/v1/segments', {
    config: read, schema: { tags, summary: 'Saved segments with their live counts', response: { 200: Type.Object({ segments: Type.Array(SegmentSchema) }), ...problems(401, 403) } },
  }, async (request) => ({ segments: await contacts.segments(account(request)) }));

  app.post('/api/v1/segments', {
    config: write,
    schema: {
      tags, summary: 'Save a filter as a segment', body: Type.Object({ name: SegmentName, filter: Filter }, { additionalProperties: false }),
      response: { 201: SegmentSchema, ...problems(400, 401, 403) },
    },
  }, async (request, reply) => {
    const actor = agentOrKeyOf(request);
    return reply.code(201).send(await contacts.createSegment(actor.accountId, actor.kind === 'agent' ? actor.userId : null, request.body as never));
  });

  app.get('/api/v1/segments/:id', {
    config: read, schema: { tags, summary: 'A segment with its live count', params: IdParam, response: { 200: SegmentSchema, ...problems(401, 403, 404) } },
  }, async (request) => contacts.segment(account(request), id(request)));

  app.patch('/api/v1/segments/:id', {
    config: write,
    schema: {
      tags, summary: 'Rename a segment or change its filter', params: IdParam,
      body: Type.Object({ name: Type.Optional(SegmentName), filter: Type.Optional(Filter) }, { additionalProperties: false }),
      response: { 200: SegmentSchema, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => contacts.updateSegment(account(request), id(request), request.body as never));

  app.delete('/api/v1/segments/:id', {
    config: write, schema: { tags, summary: 'Delete a segment (its contacts stay)', params: IdParam, response: { 204: Type.Null(), ...problems(401, 403, 404) } },
  }, async (request, reply) => {
    await contacts.deleteSegment(account(request), id(request));
    return reply.code(204).send();
  });

  app.get('/api/v1/segments/:id/contacts', {
    config: read,
    schema: {
      tags, summary: 'The contacts of a segment, now', params: IdParam,
      querystring: Type.Object({ limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) }, { additionalProperties: false }),
      response: { 200: SearchResult, ...problems(400, 401, 403, 404) },
    },
  }, async (request) => contacts.segmentContacts(account(request), id(request), request.query as never));
}
