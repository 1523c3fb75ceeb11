import type { PluginContext } from '@charla/core';
import { KnowledgeBaseService } from '@charla/plugin-knowledge-base';
import type { FlowView, RuleView } from './rule-service.js';
import type { Action, FlowNode, StepAction, Trigger } from './schemas.js';
import { keywordsMatch, fold, type PatternRunner } from './text-match.js';

/** What a visitor message looks like to the rules. */
export interface Situation {
  accountId: string;
  content: string;
  /** The triggers this message counts for: always `message`, plus `conversation_started` and `outside_hours` when they hold. */
  triggers: Set<Trigger>;
  pageUrl: string | null;
  locale: string | null;
}

/** Where the bot's actions go: the live conversation (responder API) or the test console's list. */
export interface Outlet {
  /** Sends a bot message; false: the bot must stay silent (an agent replied, a hand-off). */
  send(content: string, metadata: Record<string, unknown>): Promise<boolean>;
  setPending(): Promise<void>;
  /** A named agent, or null: routing decides. */
  assign(assigneeId: string | null): Promise<void>;
  handOff(): Promise<void>;
  /** Adds a tag to the conversation (the tags plugin's service). */
  tag(name: string): Promise<void>;
}

/** What the bot says above suggested articles when the action has no `content`. */
const ARTICLES_INTRO: Record<string, string> = { es: 'Estos artículos pueden ayudarte:', en: 'These articles may help:' };

/** The first enabled rule (in order) whose trigger and conditions hold; `skip` passes over rules that already acted where they may act once. */
export function firstMatch(rules: RuleView[], s: Situation, patterns: PatternRunner, skip: (r: RuleView) => boolean = () => false): RuleView | null {
  for (const r of rules) {
    if (!r.enabled || !s.triggers.has(r.trigger)) continue;
    if (!conditionsHold(r, s, patterns)) continue;
    if (skip(r)) continue;
    return r;
  }
  return null;
}

function conditionsHold(r: RuleView, s: Situation, patterns: PatternRunner): boolean {
  const c = r.conditions as RuleView['conditions'] & object;
  if (c.keywords?.length && !keywordsMatch(s.content, c.keywords, c.match ?? 'any')) return false;
  if (c.pattern && !patterns.test(c.pattern, s.content) && !patterns.test(c.pattern, fold(s.content))) return false;
  if (c.pageUrlContains && !(s.pageUrl ?? '').toLowerCase().includes(c.pageUrlContains.toLowerCase())) return false;
  if (c.locale) {
    // "es" matches a visitor in es-MX; "es-MX" only es-MX.
    const want = c.locale.toLowerCase();
    const have = (s.locale ?? '').toLowerCase();
    if (have !== want && !have.startsWith(`${want}-`)) return false;
  }
  return true;
}

/** Buttons of a bot message: shown by the widget (`metadata.buttons`) and pressable through the platform's postback (`metadata.blocks`). */
function withButtons(buttons: Array<{ id: string; label: string }>, bot: Record<string, unknown>): Record<string, unknown> {
  if (!buttons.length) return { bot };
  return { buttons, blocks: [{ type: 'bot-buttons', buttons }], bot };
}

/** Runs actions against an outlet (the live conversation or the test console). */
export class ActionRunner {
  constructor(private readonly ctx: PluginContext, private readonly flows: (accountId: string, id: string) => Promise<FlowView | null>) {}

  /** A flow node as a message: its text and its buttons. */
  nodeMessage(flow: FlowView, nodeId: string): { content: string; metadata: Record<string, unknown> } | null {
    const node: FlowNode | undefined = flow.nodes[nodeId];
    if (!node) return null;
    return { content: node.content, metadata: withButtons(node.buttons.map((b) => ({ id: b.id, label: b.label })), { kind: 'flow', flowId: flow.id, nodeId }) };
  }

  /**
   * Runs the actions in order; stops when the bot must be silent. Returns whether a
   * hand-off ran. `source`: the rule (for stats and for its buttons) or null (a flow button).
   */
  async run(accountId: string, actions: Array<Action | StepAction>, s: { content: string; locale: string | null }, out: Outlet, source: { ruleId: string } | null): Promise<{ handedOff: boolean; silenced: boolean }> {
    for (const [index, a] of actions.entries()) {
      const bot = source ? { kind: 'rule', ruleId: source.ruleId, actionIndex: index } : { kind: 'step' };
      switch (a.type) {
        case 'reply':
          if (!(await out.send(a.content, { bot }))) return { handedOff: false, silenced: true };
          break;
        case 'suggest_articles': {
          const kb = this.ctx.services.optional(KnowledgeBaseService);
          if (!kb) break;
          const found = a.articleIds ? await kb.published(accountId, a.articleIds) : await kb.suggest(accountId, s.content, a.limit ?? 3);
          if (!found.length) break;
          const fallback = ((await this.ctx.settingsFor(accountId)) as { defaultLanguage?: string }).defaultLanguage ?? 'es';
          const lang = (s.locale ?? fallback).slice(0, 2).toLowerCase();
          const articles = found.slice(0, 10).map((x) => ({ id: x.id, title: x.title, slug: x.slug }));
          // As the knowledge base's `article` blocks too: the widget draws them as cards that open the article in its Help tab.
          const blocks = articles.map((x) => ({ type: 'article', id: x.id, title: x.title.slice(0, 200), ...(x.slug ? { slug: x.slug.slice(0, 200) } : {}) }));
          if (!(await out.send(a.content ?? ARTICLES_INTRO[lang] ?? ARTICLES_INTRO.en, { articles, blocks, bot }))) return { handedOff: false, silenced: true };
          break;
        }
        case 'buttons': {
          const buttons = a.buttons.map((b, i) => ({ id: `b${i}`, label: b.label }));
          if (!(await out.send(a.content, withButtons(buttons, bot)))) return { handedOff: false, silenced: true };
          break;
        }
        case 'start_flow': {
          const flow = await this.flows(accountId, a.flowId);
          const m = flow && this.nodeMessage(flow, flow.startNodeId);
          if (m && !(await out.send(m.content, m.metadata))) return { handedOff: false, silenced: true };
          break;
        }
        case 'set_status':
          await out.setPending();
          break;
        case 'assign':
          await out.assign(a.assigneeId ?? null);
          break;
        case 'add_tag':
          await out.tag(a.tag);
          break;
        case 'handoff':
          if (a.content && !(await out.send(a.content, { bot }))) return { handedOff: false, silenced: true };
          await out.handOff();
          return { handedOff: true, silenced: false };
      }
    }
    return { handedOff: false, silenced: false };
  }
}
