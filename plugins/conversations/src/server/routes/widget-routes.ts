import { Type, problems, visitorOf, type Cradle } from '@charla/core';
import { ConversationErrors } from '../errors.js';
import type { ConversationsSettings } from '../settings.js';
import { checkContent } from '../message-service.js';
import { EMAIL_CONFIRMATION_PATH, confirmEmail } from '../email-confirmation.js';
import { messageView, visitorConversationView } from '../views.js';
import { ClientId, Content, HistoryQuery, MessageSchema, VisitorConversationSchema } from './schemas.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const UserSchema = Type.Object({
  email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
  name: Type.Optional(Type.String({ maxLength: 200 })),
  externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  userHash: Type.Optional(Type.String({ maxLength: 200 })),
  attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});
/** A plugin's widget module for this visitor (docs/plugins.md "Widget contributions"). */
const WidgetModuleSchema = Type.Object({
  name: Type.String(),
  url: Type.String({ description: 'path of the module on this server; resolve it against the API origin' }),
  data: Type.Record(Type.String(), Type.Unknown()),
  eager: Type.Boolean({ description: 'load it right after boot; otherwise when the messenger first opens' }),
  blocks: Type.Array(Type.String(), { description: 'the message block types the plugin declares (its module may render them)' }),
});
const SelfVisitor = Type.Object({ id: Type.String(), name: Type.Optional(Type.String()), email: Type.Optional(Type.String()) });
const cfg = { auth: 'visitor' as const, cors: true };

/**
 * The visitor's country from the trusted proxy's header (`VISITOR_COUNTRY_HEADER`, e.g.
 * `cf-ipcountry`): read only behind TRUST_PROXY, where a client cannot forge it; a
 * two-letter code or nothing (`XX` and other unknowns are dropped). Never a network lookup.
 */
export function countryFrom(headers: FastifyRequest['headers'], header: string): string | undefined {
  if (!header) return undefined;
  const raw = headers[header];
  const v = (Array.isArray(raw) ? raw[0] : raw)?.trim().toUpperCase();
  return v && /^[A-Z]{2}$/.test(v) && v !== 'XX' ? v : undefined;
}

function info(request: FastifyRequest, countryHeader: string) {
  const h = request.headers;
  return {
    country: countryFrom(h, countryHeader),
    ip: request.ip,
    origin: typeof h.origin === 'string' ? h.origin : undefined,
    userAgent: typeof h['user-agent'] === 'string' ? h['user-agent'] : undefined,
    acceptLanguage: typeof h['accept-language'] === 'string' ? h['accept-language'] : undefined,
  };
}

/** API.md "Widget (visitor side)". Called cross-origin from the host page with the visitor's Bearer token. */
export async function widgetRoutes(app: FastifyInstance, c: Cradle): Promise<void> {
  const countryHeader = c.config.trustProxy ? (process.env.VISITOR_COUNTRY_HEADER ?? '').trim().toLowerCase() : '';
  const tags = ['widget'];

  app.post('/api/v1/widget/init', {
    config: { auth: 'public', cors: true },
    schema: {
      tags, summary: 'Start or resume a visitor session',
      body: Type.Object({
        appId: Type.String({ minLength: 1, maxLength: 64 }),
        visitorToken: Type.Optional(Type.String({ maxLength: 4096 })),
        user: Type.Optional(UserSchema),
        page: Type.Optional(Type.Object({ url: Type.String({ maxLength: 2000 }), title: Type.Optional(Type.String({ maxLength: 1000 })), referrer: Type.Optional(Type.String({ maxLength: 2000 })) })),
        locale: Type.Optional(Type.String({ maxLength: 35 })),
        channel: Type.Optional(Type.Union([Type.Literal('web'), Type.Literal('app')], { description: 'Where the visitor is: the website widget (default) or a mobile app SDK; recorded on the conversations they start' })),
      }),
      response: {
        200: Type.Object({
          visitorToken: Type.String(), visitor: SelfVisitor,
          site: Type.Object({ id: Type.String(), name: Type.String(), widget: Type.Record(Type.String(), Type.Unknown()), online: Type.Boolean(), inOfficeHours: Type.Boolean(), agentsOnline: Type.Integer() }),
          conversations: Type.Array(VisitorConversationSchema),
          extensions: Type.Record(Type.String(), Type.Unknown()),
          plugins: Type.Array(WidgetModuleSchema),
        }),
        ...problems(400, 401, 403, 404, 429),
      },
    },
  }, async (request) => c.visitors.init(request.body as never, info(request, countryHeader)));

  app.get('/api/v1/widget/conversations', { config: cfg, schema: { tags, summary: "The visitor's conversations", response: { 200: Type.Object({ conversations: Type.Array(VisitorConversationSchema) }), ...problems(401, 403) } } }, async (request) => {
    const actor = visitorOf(request);
    const rows = await c.conversations.listForVisitor(actor);
    const names = await c.conversations.assigneeNames(actor.accountId, rows.map((r) => r.assigneeId));
    return { conversations: rows.map((r) => visitorConversationView(r, r.assigneeId ? names.get(r.assigneeId) : null)) };
  });

  app.post('/api/v1/widget/conversations', {
    config: cfg,
    schema: { tags, summary: 'Start a new conversation (a repeated clientId returns the first one, 200)', body: Type.Object({ content: Type.Optional(Content), clientId: Type.Optional(ClientId) }), response: { 200: Type.Object({ conversation: VisitorConversationSchema, message: Type.Optional(MessageSchema) }), 201: Type.Object({ conversation: VisitorConversationSchema, message: Type.Optional(MessageSchema) }), ...problems(400, 401, 403, 409, 413, 429) } },
  }, async (request, reply) => {
    const actor = visitorOf(request);
    const body = request.body as { content?: string; clientId?: string };
    // Starting a conversation counts against the visitor's message limit, like a send.
    await c.rateLimiter.consume(`messages:${actor.visitorId}`, c.config.rateLimits.messagesPerVisitor, 'messages');
    if (body.content !== undefined) checkContent(body.content);
    const clientId = body.content !== undefined ? body.clientId : undefined;
    const result = await c.db.transaction(async () => {
      // A retried start (same clientId) must not open a second conversation.
      const dup = clientId ? await c.messages.findByClientId(actor.accountId, 'visitor', actor.visitorId, clientId) : null;
      if (dup) return { conversation: await c.conversations.getForVisitor(actor, dup.conversationId), message: dup, duplicate: true };
      if (body.content === undefined) {
        const { maxOpenEmptyConversations } = (await c.pluginRegistry.settings(actor.accountId, 'conversations')) as ConversationsSettings;
        await c.conversations.checkEmptyCap(actor, maxOpenEmptyConversations);
      }
      const conv = await c.conversations.create({ id: actor.visitorId, accountId: actor.accountId, siteId: actor.siteId });
      if (body.content === undefined) return { conversation: conv, message: undefined, duplicate: false };
      // The check above is this transaction's; a concurrent repeat committing after it is
      // refused by the unique index, which rolls back the conversation just opened too
      // (a second check inside post() would answer "duplicate" and keep that conversation).
      const posted = await c.messages.post({ accountId: actor.accountId, conversationId: conv.id, senderType: 'visitor', senderId: actor.visitorId, content: body.content, clientId: clientId ?? null, checkedDuplicate: true });
      return { conversation: posted.conversation, message: posted.message, duplicate: false };
    }).catch((err: unknown) => c.messages.duplicateAfterConflict(err, actor.accountId, 'visitor', actor.visitorId, clientId));
    const name = await c.conversations.assigneeName(actor.accountId, result.conversation.assigneeId);
    return reply.code(result.duplicate ? 200 : 201).send({ conversation: visitorConversationView(result.conversation, name), ...(result.message ? { message: messageView(result.message) } : {}) });
  });

  app.post('/api/v1/widget/messages', {
    config: cfg,
    schema: {
      tags, summary: 'Send a message (to the latest open conversation when no conversationId)',
      body: Type.Object({ conversationId: Type.Optional(Type.String({ maxLength: 64 })), content: Content, clientId: ClientId }),
      response: { 200: Type.Object({ message: MessageSchema, conversation: VisitorConversationSchema }), 201: Type.Object({ message: MessageSchema, conversation: VisitorConversationSchema }), ...problems(400, 401, 403, 404, 413, 429) },
    },
  }, async (request, reply) => {
    const actor = visitorOf(request);
    const r = await c.messages.postFromVisitor(actor, request.body as { conversationId?: string; content: string; clientId: string });
    const name = r.assigneeName !== undefined ? r.assigneeName : await c.conversations.assigneeName(actor.accountId, r.conversation.assigneeId);
    return reply.code(r.duplicate ? 200 : 201).send({ message: messageView(r.message), conversation: visitorConversationView(r.conversation, name) });
  });

  app.get('/api/v1/widget/conversations/:id/messages', {
    config: cfg,
    schema: { tags, summary: 'History of one of the visitor\'s conversations (oldest first; after= for catch-up)', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), querystring: HistoryQuery, response: { 200: Type.Object({ messages: Type.Array(MessageSchema) }), ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    const actor = visitorOf(request);
    const conv = await c.conversations.getForVisitor(actor, (request.params as { id: string }).id);
    const q = request.query as { after?: string; before?: string; limit?: number };
    return { messages: await c.conversations.history(actor.accountId, conv.id, { ...q, includePrivate: false }) };
  });

  app.post('/api/v1/widget/conversations/:id/postback', {
    config: cfg,
    schema: {
      tags, summary: 'Press a button of a message block: stored as the visitor\'s message, and message.postback for the block\'s plugin',
      params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
      body: Type.Object({ messageId: Type.String({ maxLength: 64 }), buttonId: Type.String({ minLength: 1, maxLength: 50 }) }),
      response: { 200: Type.Object({ message: MessageSchema, conversation: VisitorConversationSchema }), 201: Type.Object({ message: MessageSchema, conversation: VisitorConversationSchema }), ...problems(400, 401, 403, 404, 413, 429) },
    },
  }, async (request, reply) => {
    const actor = visitorOf(request);
    const r = await c.messages.postback(actor, (request.params as { id: string }).id, request.body as { messageId: string; buttonId: string });
    const name = r.assigneeName !== undefined ? r.assigneeName : await c.conversations.assigneeName(actor.accountId, r.conversation.assigneeId);
    return reply.code(r.duplicate ? 200 : 201).send({ message: messageView(r.message), conversation: visitorConversationView(r.conversation, name) });
  });

  app.post('/api/v1/widget/conversations/:id/read', {
    config: cfg,
    schema: { tags, summary: 'Read receipt: the visitor has seen messages up to messageId', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), body: Type.Object({ messageId: Type.String({ maxLength: 64 }) }), response: { 200: Type.Object({ seq: Type.Union([Type.Integer(), Type.Null()]) }), ...problems(400, 401, 403, 404) } },
  }, async (request) => {
    const actor = visitorOf(request);
    const r = await c.messages.markRead({ by: 'visitor', actor }, (request.params as { id: string }).id, (request.body as { messageId: string }).messageId);
    return { seq: r?.seq ?? null };
  });

  app.post('/api/v1/widget/identify', {
    config: cfg,
    schema: { tags, summary: 'Identify the visitor (returns a new token; the old one stops working)', body: UserSchema, response: { 200: Type.Object({ visitorToken: Type.String(), visitor: SelfVisitor }), ...problems(400, 401, 403) } },
  }, async (request) => c.visitors.identify(visitorOf(request), request.body as never, info(request, countryHeader)));

  app.post('/api/v1/widget/track', {
    config: cfg,
    schema: { tags, summary: 'Record an event', body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }), properties: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }), response: { 202: Type.Object({ accepted: Type.Boolean() }), ...problems(400, 401, 403) } },
  }, async (request, reply) => {
    await c.visitors.track(visitorOf(request), request.body as never);
    return reply.code(202).send({ accepted: true });
  });

  app.post('/api/v1/widget/page', {
    config: cfg,
    schema: { tags, summary: 'Record a page view (the current URL agents see live)', body: Type.Object({ url: Type.String({ minLength: 1, maxLength: 2000 }), title: Type.Optional(Type.String({ maxLength: 1000 })), referrer: Type.Optional(Type.String({ maxLength: 2000 })) }), response: { 202: Type.Object({ accepted: Type.Boolean() }), ...problems(400, 401, 403) } },
  }, async (request, reply) => {
    await c.visitors.page(visitorOf(request), request.body as never);
    return reply.code(202).send({ accepted: true });
  });

  await app.register(async (links) => emailConfirmationRoutes(links, c));
  void ConversationErrors;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'", 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
const page = (body: string) => `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Confirm your e-mail</title><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5">${body}</body>`;

/**
 * The link of the confirmation e-mail (email-confirmation.ts). GET only shows a button:
 * mail scanners that prefetch links must not confirm anything; the button POSTs the
 * form, which proves the address. Its own context: the empty form body needs a parser
 * for form encoding, which no other route accepts.
 */
async function emailConfirmationRoutes(app: FastifyInstance, c: Cradle): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_req, _body, done) => done(null, {}));
  const querystring = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }) });
  app.get(EMAIL_CONFIRMATION_PATH, { config: { auth: 'public' }, schema: { hide: true, querystring } as never }, async (request, reply) => {
    const token = (request.query as { token: string }).token;
    return reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS).send(page(`<h1>Confirm your e-mail address</h1><p>Replies to your chat will be sent to this address.</p><form method="post" action="${escapeHtml(`${EMAIL_CONFIRMATION_PATH}?token=${encodeURIComponent(token)}`)}"><button type="submit" style="font-size:1rem;padding:.5rem 1rem">Confirm</button></form>`));
  });
  app.post(EMAIL_CONFIRMATION_PATH, { config: { auth: 'public' }, schema: { hide: true, querystring } as never }, async (request, reply) => {
    const siteName = await confirmEmail(c, (request.query as { token: string }).token);
    reply.type('text/html; charset=utf-8').headers(PAGE_HEADERS);
    if (!siteName) return reply.code(400).send(page('<h1>This link is not valid</h1><p>It is expired, or the address was changed since. Enter your e-mail in the chat again to get a new link.</p>'));
    return reply.send(page(`<h1>E-mail confirmed</h1><p>Replies from ${escapeHtml(siteName)} will reach you by e-mail when you are not on the site.</p>`));
  });
}
