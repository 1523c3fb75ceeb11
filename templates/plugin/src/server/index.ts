import { CoreErrors, DataTypes, Type, agentOf, definePlugin, newId, problems, type CharlaPlugin, type Model, type ModelStatic } from '@charla/core';

interface Note {
  id: string;
  accountId: string;
  text: string;
  createdAt: Date;
}
type NoteRow = Model<Note, Partial<Note>> & Note;

const Settings = Type.Object({
  /** E-mail domains nobody may be invited from (the hook below refuses them). */
  blockedInviteDomains: Type.Array(Type.String({ maxLength: 253 }), { default: [], maxItems: 100 }),
  /** The notice the widget module shows visitors (empty: none). Public: it is sent to browsers. */
  widgetNotice: Type.String({ default: 'Questions about __Name__? We are here to help.', maxLength: 200 }),
});

let Notes: ModelStatic<NoteRow>;

/**
 * __Name__ — a Charla plugin. It shows each part of the plugin API once:
 * a table (migration + model), settings, a hook that can refuse, an event handler,
 * an authenticated route and a widget module (src/widget/). See docs/plugins.md.
 */
// Annotated so the emitted declaration does not depend on other packages' internals.
const plugin: CharlaPlugin = definePlugin({
  name: '__NAME__',
  version: '0.1.0',
  core: '^0.1.0',
  description: '__Name__ (from the Charla plugin template)',
  migrations: new URL('./migrations/', import.meta.url),
  settings: Settings,

  // The browser module the chat widget loads for accounts where this plugin is on. Built by
  // `npm run build` (tsconfig.widget.json); this URL works from src/server and dist/server.
  widget: {
    script: new URL('../../dist/widget/index.js', import.meta.url),
    // Per-visitor data for the module (api.data), sent to the visitor's browser: never secrets.
    data: async (ctx, { accountId }) => {
      const { widgetNotice } = (await ctx.settingsFor(accountId)) as { widgetNotice: string };
      return { text: widgetNotice };
    },
  },

  models(ctx) {
    // Tenant table: every query must be scoped to an account (db.scope(accountId)).
    Notes = ctx.db.define<NoteRow>('__Name__Note', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      accountId: { type: DataTypes.STRING(36), allowNull: false },
      text: { type: DataTypes.STRING(500), allowNull: false },
    }, { tableName: '__NAME_SNAKE___notes' });
  },

  hooks: {
    // Runs inside the invitation request; throwing a CharlaError refuses it with that status.
    'team:beforeInvite': async (payload, ctx) => {
      const { blockedInviteDomains } = (await ctx.settingsFor(payload.accountId)) as { blockedInviteDomains: string[] };
      const domain = payload.email.split('@')[1] ?? '';
      if (blockedInviteDomains.includes(domain)) throw CoreErrors.forbidden(`Invitations to ${domain} are blocked by the __NAME__ plugin's settings.`);
    },
  },

  events: {
    // Runs at least once (from the outbox), after the transaction that created the site
    // committed. The event's id as the note's id makes a redelivery a no-op.
    'site.created': async (payload, ctx, event) => {
      await ctx.db.scope(payload.accountId).create(Notes, { id: event.id, text: `Site ${payload.siteId} was created` }).catch((err: Error) => {
        if (err.name !== 'SequelizeUniqueConstraintError') throw err;
      });
    },
  },

  routes(app, ctx) {
    app.get('/api/v1/__NAME__/notes', {
      config: { auth: 'agent' },
      schema: { tags: ['__NAME__'], summary: 'Notes of this account', response: { 200: Type.Object({ notes: Type.Array(Type.Object({ id: Type.String(), text: Type.String(), createdAt: Type.String() })) }), ...problems(401) } },
    }, async (request) => {
      const rows = await ctx.db.scope(agentOf(request).accountId).findAll(Notes, { order: [['createdAt', 'DESC']], limit: 100 });
      return { notes: rows.map((n) => ({ id: n.id, text: n.text, createdAt: new Date(n.createdAt).toISOString() })) };
    });

    app.post('/api/v1/__NAME__/notes', {
      config: { auth: 'agent' },
      schema: { tags: ['__NAME__'], summary: 'Add a note', body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 500 }) }), response: { 201: Type.Object({ id: Type.String(), text: Type.String() }), ...problems(400, 401) } },
    }, async (request, reply) => {
      const { text } = request.body as { text: string };
      const note = await ctx.db.scope(agentOf(request).accountId).create(Notes, { id: newId(), text });
      return reply.code(201).send({ id: note.id, text: note.text });
    });
  },
});

export default plugin;
