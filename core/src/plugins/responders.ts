import type { PluginRegistry } from './plugin-registry.js';
import type { PluginContext } from './types.js';

/** Conventional `order`s: rule-based bots answer before AI (lower runs first). */
export const RESPONDER_ORDER = { rules: 100, ai: 200 } as const;

/** The visitor message a responder is asked about (docs/plugins.md "Automated responders"). */
export interface ResponderTurn {
  accountId: string;
  siteId: string;
  conversationId: string;
  visitorId: string;
  /** The visitor message that was stored. */
  messageId: string;
  content: string;
  /** The responder that claimed the conversation with an earlier answer (null: none yet). */
  claimedBy: string | null;
}

/** What a responder's hand-off leaves for the team (`ResponderApi.handOff`). */
export interface ResponderHandOff {
  /** A private note for the agents (at most 4000 characters; longer is cut). */
  note?: string;
  /** `pending`: the conversation waits for the team. Absent: its status does not change. */
  status?: 'pending';
}

/** What a responder may do with its turn. */
export interface ResponderApi {
  /**
   * Posts a message as sender `bot` (`metadata.responder` names this plugin) and claims
   * the conversation: its next visitor messages come to this responder only. Resolves
   * false, posting nothing, once a human agent replied or the conversation was handed
   * off (checked in the transaction that stores the message).
   */
  reply(content: string, options?: { metadata?: Record<string, unknown> }): Promise<boolean>;
  /**
   * Hands the conversation to the team: no responder answers it again. `note`: a private
   * note for the agents (a summary of what the visitor wanted), stored as a `bot` message
   * only the team sees; `status: 'pending'`: the conversation waits for the team (routing
   * takes it as for any pending conversation). Once handed off, a second call does nothing.
   */
  handOff(options?: ResponderHandOff): Promise<void>;
  /** Aborted when the turn's job stops (shutdown, lost lease): hand it to long calls. */
  signal: AbortSignal;
}

/**
 * An automated responder (`CharlaPlugin.responder`): asked, in `order`, after a visitor
 * message is stored, from a durable job (never inside the request). The first that
 * replies or hands off ends the turn; one that does neither passes to the next.
 */
export interface ResponderDefinition {
  /** Lower runs first: `RESPONDER_ORDER.rules` (100) for bot rules, `RESPONDER_ORDER.ai` (200) for AI. */
  order: number;
  respond(turn: ResponderTurn, api: ResponderApi, ctx: PluginContext): void | Promise<void>;
}

export interface RegisteredResponder {
  name: string;
  order: number;
  respond(turn: ResponderTurn, api: ResponderApi): void | Promise<void>;
}

/**
 * The responders of the enabled plugins, in order (then by name). The conversations
 * plugin, which owns messages, runs them and enforces the rules (at most once per
 * visitor message, silent after a human reply or a hand-off, never for a bot message).
 */
export class ResponderRegistry {
  private readonly list: RegisteredResponder[] = [];

  constructor(private readonly registry: PluginRegistry) {}

  add(name: string, definition: ResponderDefinition, ctx: PluginContext): void {
    this.list.push({ name, order: definition.order, respond: (turn, api) => definition.respond(turn, api, ctx) });
    this.list.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
  }

  /** Whether any plugin declared a responder on this instance (no work is queued otherwise). */
  get any(): boolean {
    return this.list.length > 0;
  }

  /** The responders whose plugin is on for the account, in order. */
  async forAccount(accountId: string): Promise<RegisteredResponder[]> {
    const on = await Promise.all(this.list.map((r) => this.registry.runsFor(r.name, accountId)));
    return this.list.filter((_, i) => on[i]);
  }
}
