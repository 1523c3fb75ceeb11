import { TagsService } from '@charla/plugin-tags';
import { isWithinOfficeHours, type OfficeHours, type PluginContext, type ResponderApi, type ResponderTurn } from '@charla/core';
import { ConversationsData } from '@charla/plugin-conversations';
import { ActionRunner, firstMatch, type Outlet, type Situation } from './engine.js';
import type { BotStore, RuleView } from './rule-service.js';
import type { Trigger } from './schemas.js';
import type { PatternRunner } from './text-match.js';

/** What a bot message remembers about itself (`metadata.bot`), so a press on its buttons finds what to do next. */
interface BotMark { kind?: 'rule' | 'flow' | 'step'; ruleId?: string; actionIndex?: number; flowId?: string; nodeId?: string }

/**
 * The bot as an automated responder (docs/plugins.md "Automated responders"): a press
 * on one of its buttons continues the flow or rule it came from; any other visitor
 * message is offered to the rules, and the first enabled match acts. The kernel runs
 * it at most once per visitor message and keeps it silent after an agent or a hand-off.
 */
export class BotResponder {
  constructor(private readonly ctx: PluginContext, private readonly store: BotStore, private readonly runner: ActionRunner, private readonly patterns: PatternRunner) {}

  private get data() { return this.ctx.services.get(ConversationsData); }

  async respond(turn: ResponderTurn, api: ResponderApi): Promise<void> {
    const message = await this.data.messages.get(turn.accountId, turn.messageId);
    if (!message) return;
    const postback = (message.metadata as { postback?: { messageId: string; buttonId: string } } | null)?.postback;
    if (postback && (await this.press(turn, api, postback))) return;
    const rules = await this.store.activeRules(turn.accountId, turn.siteId);
    if (!rules.length) return;
    const s = await this.situation(turn, rules);
    const once = new Set<string>(); // rules that act once per conversation and already did
    for (const r of rules.filter((x) => x.trigger !== 'message')) {
      if (await this.ctx.db.scope(turn.accountId).count(this.ctx.container.cradle.botModels.Firing, { where: { ruleId: r.id, conversationId: turn.conversationId } })) once.add(r.id);
    }
    const rule = firstMatch(rules, s, this.patterns, (r) => once.has(r.id));
    if (!rule) return;
    const { Firing } = this.ctx.container.cradle.botModels;
    const fresh = await this.ctx.db.scope(turn.accountId).create(Firing, { id: turn.messageId, ruleId: rule.id, conversationId: turn.conversationId, handedOff: false })
      .then(() => true, (err: Error) => { if (err.name === 'SequelizeUniqueConstraintError') return false; throw err; });
    if (!fresh) return;
    await this.runner.run(turn.accountId, rule.actions, s, this.outlet(turn, api), { ruleId: rule.id });
  }

  /** The message's triggers, the visitor's page and language. */
  private async situation(turn: ResponderTurn, rules: RuleView[]): Promise<Situation> {
    const triggers = new Set<Trigger>(['message']);
    if (rules.some((r) => r.trigger === 'conversation_started')
      && (await this.data.messages.count(turn.accountId, { conversationId: turn.conversationId, senderType: 'visitor' })) === 1) triggers.add('conversation_started');
    if (rules.some((r) => r.trigger === 'outside_hours') && (await this.outsideHours(turn.accountId, turn.siteId, this.ctx.container.cradle.clock.now()))) triggers.add('outside_hours');
    const visitor = await this.data.visitors.get(turn.accountId, turn.visitorId);
    return { accountId: turn.accountId, content: turn.content, triggers, pageUrl: visitor?.currentUrl ?? null, locale: visitor?.language ?? null };
  }

  /** Closed: the site has office hours and `at` is outside them (no office hours: never closed). */
  async outsideHours(accountId: string, siteId: string, at: Date): Promise<boolean> {
    const site = await this.ctx.container.cradle.sites.byIdForAccount(accountId, siteId);
    const hours = (site?.widget as { officeHours?: OfficeHours | null } | undefined)?.officeHours ?? null;
    return !!hours && !isWithinOfficeHours(hours, at);
  }

  /** A press on a bot button: the step it leads to. False when the message or button is not (or no longer) the bot's. */
  private async press(turn: ResponderTurn, api: ResponderApi, pb: { messageId: string; buttonId: string }): Promise<boolean> {
    const source = await this.data.messages.get(turn.accountId, pb.messageId);
    const meta = source?.metadata as { responder?: string; bot?: BotMark } | null | undefined;
    if (!source || source.conversationId !== turn.conversationId || meta?.responder !== this.ctx.name || !meta.bot) return false;
    const out = this.outlet(turn, api);
    const visitor = await this.data.visitors.get(turn.accountId, turn.visitorId);
    const s = { content: turn.content, locale: visitor?.language ?? null };
    const mark = meta.bot;
    if (mark.kind === 'flow' && mark.flowId && mark.nodeId) {
      const flow = await this.store.findFlow(turn.accountId, mark.flowId);
      const button = flow?.nodes[mark.nodeId]?.buttons.find((b) => b.id === pb.buttonId);
      if (!flow || !button) return false;
      const r = await this.runner.run(turn.accountId, button.actions ?? [], s, out, null);
      if (r.handedOff || r.silenced) return true;
      const next = button.next ? this.runner.nodeMessage(flow, button.next) : null;
      if (next) await out.send(next.content, next.metadata);
      return true;
    }
    if (mark.kind === 'rule' && mark.ruleId && mark.actionIndex !== undefined) {
      const rule = await this.store.rule(turn.accountId, mark.ruleId).catch(() => null);
      const action = rule?.actions[mark.actionIndex];
      const index = /^b(\d)$/.exec(pb.buttonId);
      const button = action?.type === 'buttons' && index ? action.buttons[Number(index[1])] : undefined;
      if (!button) return false;
      if (button.reply && !(await out.send(button.reply, { bot: { kind: 'step' } }))) return true;
      if (button.flowId) {
        const flow = await this.store.findFlow(turn.accountId, button.flowId);
        const m = flow && this.runner.nodeMessage(flow, button.flowNodeId ?? flow.startNodeId);
        if (m) await out.send(m.content, m.metadata);
      }
      return true;
    }
    return false;
  }

  private outlet(turn: ResponderTurn, api: ResponderApi): Outlet {
    const { accountId, conversationId } = turn;
    return {
      send: (content, metadata) => api.reply(content, { metadata }),
      setPending: async () => { await this.data.conversations.update(accountId, conversationId, { status: 'pending' }); },
      assign: async (assigneeId) => {
        if (assigneeId) {
          const r = await this.data.conversations.assignIfUnassigned(accountId, conversationId, assigneeId);
          if (r.outcome !== 'assigned') this.ctx.logger.info({ accountId, conversationId, outcome: r.outcome }, 'bot: assign did not apply');
          return;
        }
        // Routing decides: a conversation the bot left pending goes back to open, where routing takes it.
        const conv = await this.data.conversations.get(accountId, conversationId);
        if (conv && conv.status === 'pending' && !conv.assigneeId) await this.data.conversations.update(accountId, conversationId, { status: 'open' });
      },
      tag: async (name) => {
        // Refused when saved without the tags plugin; a rule stored while it was on is passed over.
        const tags = this.ctx.services.optional(TagsService);
        if (!tags) return void this.ctx.logger.warn({ accountId }, 'bot: add_tag skipped, the tags plugin is not on');
        await tags.add(accountId, conversationId, [name], { actorId: null });
      },
      handOff: async () => {
        await api.handOff();
        await this.ctx.db.scope(accountId).update(this.ctx.container.cradle.botModels.Firing, { handedOff: true }, { conversationId });
      },
    };
  }
}
