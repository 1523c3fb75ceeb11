/** What the contacts plugin adds to the kernel's typed extension points. */
declare module '@charla/core' {
  interface EventMap {
    /** A contact was created through the contacts API (an upsert that found nobody). */
    'contact.created': { accountId: string; siteId: string; contactId: string; visitorId: string; actorId: string | null };
    /** A contact was changed through the contacts API or the admin (PATCH, or an upsert that found one). */
    'contact.updated': { accountId: string; siteId: string; contactId: string; visitorId: string; actorId: string | null };
  }
}

export {};
