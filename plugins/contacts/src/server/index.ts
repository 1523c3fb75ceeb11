import { Type, definePlugin, type CharlaPlugin } from '@charla/core';
import './extension.js';
import { ConversationsData } from '@charla/plugin-conversations';
import { defineModels, type ContactModels } from './models.js';
import { ContactService } from './service.js';
import { contactRoutes } from './routes.js';

export { parseFilter, parseSort, OPS, SORT_FIELDS } from './filter.js';
export { contactView, csvCell, type ContactView, type SegmentView, type ContactService } from './service.js';

const services = new WeakMap<object, ContactService>();

/**
 * Contacts and segments: the conversations plugin's visitors seen as contacts (profile,
 * pages, events), the filter language compiled to SQL through `ConversationsData`,
 * saved segments with live counts, upserts and events for integrations, GDPR erasure
 * and export, and live navigation (`contact:page`). See docs/contacts.md.
 */
const contacts: CharlaPlugin = definePlugin({
  name: 'contacts',
  version: '0.1.0',
  core: '^0.1.0',
  uses: [ConversationsData],
  description: 'Contact profiles, filters and saved segments, the contacts API for integrations, live navigation',
  migrations: new URL('./migrations/', import.meta.url),
  emits: {
    'contact.created': Type.Object({ accountId: Type.String(), siteId: Type.String(), contactId: Type.String(), visitorId: Type.String(), actorId: Type.Union([Type.String(), Type.Null()]) }, { description: 'A contact was created through the contacts API (an upsert that found nobody). Webhooks deliver it with the full contact.' }),
    'contact.updated': Type.Object({ accountId: Type.String(), siteId: Type.String(), contactId: Type.String(), visitorId: Type.String(), actorId: Type.Union([Type.String(), Type.Null()]) }, { description: 'A contact was changed through the contacts API or the admin (PATCH, or an upsert that found one). Webhooks deliver it with the full contact.' }),
  },

  models(ctx) {
    const models: ContactModels = defineModels(ctx.db);
    services.set(ctx, new ContactService(ctx, models));
  },

  events: {
    // Live navigation: agents of the account see the contact's page change.
    'visitor.page_viewed': (p, ctx, event) => {
      const at = p.at ?? event.emittedAt;
      ctx.events.publish(`account:${p.accountId}`, 'contact:page', { contactId: p.visitorId, url: p.url, title: p.title, at }, 'agents');
    },
  },

  routes: (app, ctx) => contactRoutes(app, ctx, services.get(ctx)!),
});

export default contacts;
