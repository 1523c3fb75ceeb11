/** What the tags plugin adds to the kernel's typed extension points. */
declare module '@charla/core' {
  interface EventMap {
    /** A conversation's tags changed: `tags` is the new list, `added`/`removed` the difference; `actorId` null for the system (a bot rule). */
    'conversation.tags_changed': { accountId: string; conversationId: string; tags: string[]; added: string[]; removed: string[]; actorId: string | null };
  }
}

export {};
