import { Injectable, signal } from '@angular/core';

/** One entry of a composer picker (e.g. a quick reply for "/ref"). */
export interface ComposerSuggestion {
  readonly id: string;
  /** What the list shows first (e.g. "/refund"). */
  readonly label: string;
  /** Secondary text (e.g. the quick reply's title). */
  readonly detail?: string;
}

export interface ComposerContext {
  readonly conversationId: string;
}

/**
 * A plugin's extension of the conversation reply box, registered while the plugin's UI
 * for that conversation is shown (e.g. from a `conversation.header` component) with
 * `ComposerExtensions.register()`. Every member is optional.
 */
export interface ComposerExtension {
  /** Unique, `<plugin>/<feature>`. */
  readonly id: string;
  /** The conversation this extension is for; null: every conversation. */
  readonly conversationId?: string | null;
  /** Suggestions for the current draft (called as the agent types); [] when the draft is not for this extension. */
  suggest?(draft: string, ctx: ComposerContext): Promise<readonly ComposerSuggestion[]>;
  /** The text that replaces the draft when the agent picks one of this extension's suggestions. */
  insert?(suggestion: ComposerSuggestion, ctx: ComposerContext): Promise<string>;
  /**
   * Asked before a public reply is sent: a question the agent must confirm first (e.g.
   * "Ana is replying. Send anyway?"), or null to send right away.
   */
  confirmBeforeSend?(ctx: ComposerContext): string | null;
}

/** The reply box's extensions; the conversation view consults them. */
@Injectable({ providedIn: 'root' })
export class ComposerExtensions {
  private readonly list = signal<readonly ComposerExtension[]>([]);
  readonly extensions = this.list.asReadonly();

  /** Adds (or replaces, by id) an extension; returns the function that removes it. */
  register(extension: ComposerExtension): () => void {
    this.list.update((l) => [...l.filter((e) => e.id !== extension.id), extension]);
    return () => this.list.update((l) => l.filter((e) => e !== extension));
  }

  /** The extensions that apply to a conversation. */
  for(conversationId: string): readonly ComposerExtension[] {
    return this.list().filter((e) => !e.conversationId || e.conversationId === conversationId);
  }
}
