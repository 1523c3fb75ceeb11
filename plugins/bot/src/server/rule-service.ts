import { TagsService } from '@charla/plugin-tags';
import { Op, isId, newId, type PluginContext } from '@charla/core';
import { BotErrors } from './errors.js';
import { flowProblem } from './flow-validation.js';
import { json, type FlowRow, type RuleRow } from './models.js';
import type { Action, Conditions, FlowCreate, FlowNode, FlowPatch, RuleCreate, RulePatch, StepAction } from './schemas.js';
import { unsafePattern } from './text-match.js';

const iso = (d: Date | string) => new Date(d).toISOString();

const FIELDS: Record<Action['type'], string[]> = {
  reply: ['content'], suggest_articles: ['articleIds', 'content', 'limit'], buttons: ['content', 'buttons'], start_flow: ['flowId'],
  set_status: ['status'], assign: ['assigneeId'], add_tag: ['tag'], handoff: ['content'],
};

/** Only the action type's own fields are stored (the schema's union lets others through). */
export function cleanAction<A extends Action | StepAction>(a: A): A {
  const out: Record<string, unknown> = { type: a.type };
  for (const k of FIELDS[a.type]) if ((a as Record<string, unknown>)[k] !== undefined) out[k] = (a as Record<string, unknown>)[k];
  return out as A;
}

function cleanNodes(nodes: Record<string, FlowNode>): Record<string, FlowNode> {
  return Object.fromEntries(Object.entries(nodes).map(([id, n]) => [id, { ...n, buttons: n.buttons.map((b) => (b.actions ? { ...b, actions: b.actions.map(cleanAction) } : b)) }]));
}

export interface RuleView {
  id: string; name: string; enabled: boolean; siteId: string | null; position: number; trigger: RuleRow['trigger'];
  conditions: Conditions; actions: Action[]; createdAt: string; updatedAt: string;
}
export interface FlowView { id: string; name: string; startNodeId: string; nodes: Record<string, FlowNode>; createdAt: string; updatedAt: string }

export function ruleView(r: RuleRow): RuleView {
  return {
    id: r.id, name: r.name, enabled: !!r.enabled, siteId: r.siteId ?? null, position: Number(r.position), trigger: r.trigger,
    conditions: json<Conditions>(r.conditions), actions: json(r.actions), createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt),
  };
}
export function flowView(f: FlowRow): FlowView {
  return { id: f.id, name: f.name, startNodeId: f.startNodeId, nodes: json(f.nodes), createdAt: iso(f.createdAt), updatedAt: iso(f.updatedAt) };
}

/** Rules and flows of an account: CRUD, ordering and the checks a save must pass. */
export class BotStore {
  constructor(private readonly ctx: PluginContext) {}

  private get m() { return this.ctx.container.cradle.botModels; }
  private scope(accountId: string) { return this.ctx.db.scope(accountId); }

  async rules(accountId: string): Promise<RuleView[]> {
    const rows = await this.scope(accountId).findAll(this.m.Rule, { order: [['position', 'ASC'], ['createdAt', 'ASC']] });
    return rows.map((r) => ruleView(r.get({ plain: true })));
  }

  async rule(accountId: string, id: string): Promise<RuleView> {
    const row = isId(id) ? await this.scope(accountId).findById(this.m.Rule, id) : null;
    if (!row) throw BotErrors.ruleNotFound('No bot rule with this id.');
    return ruleView(row.get({ plain: true }));
  }

  async createRule(accountId: string, raw: RuleCreate): Promise<RuleView> {
    const input = { ...raw, actions: raw.actions.map(cleanAction) };
    const conditions = input.conditions ?? {};
    await this.checkRule(accountId, { siteId: input.siteId ?? null, conditions, actions: input.actions });
    return this.ctx.db.transaction(async () => {
      const last = (await this.scope(accountId).findAll(this.m.Rule, { order: [['position', 'DESC']], limit: 1 }))[0];
      const row = await this.scope(accountId).create(this.m.Rule, {
        id: newId(), name: input.name.trim(), enabled: input.enabled ?? true, siteId: input.siteId ?? null,
        position: last ? Number(last.position) + 1 : 0, trigger: input.trigger, conditions, actions: input.actions,
      });
      return ruleView(row.get({ plain: true }));
    });
  }

  async updateRule(accountId: string, id: string, patch: RulePatch): Promise<RuleView> {
    const current = await this.rule(accountId, id);
    const next = { siteId: patch.siteId !== undefined ? patch.siteId : current.siteId, conditions: patch.conditions ?? current.conditions, actions: (patch.actions ?? current.actions).map(cleanAction) };
    await this.checkRule(accountId, next);
    const changes: Partial<RuleRow> = { ...next };
    if (patch.name !== undefined) changes.name = patch.name.trim();
    if (patch.enabled !== undefined) changes.enabled = patch.enabled;
    if (patch.trigger !== undefined) changes.trigger = patch.trigger;
    await this.scope(accountId).update(this.m.Rule, changes, { id });
    return this.rule(accountId, id);
  }

  async removeRule(accountId: string, id: string): Promise<void> {
    await this.rule(accountId, id);
    await this.scope(accountId).destroy(this.m.Rule, { id });
  }

  /**
   * Puts the listed rules first, in that order; the others keep their order after them
   * (so a full list sets the whole order). An id that is not a rule of this account is a
   * 404, as for a missing rule; a repeated id a 400.
   */
  async reorder(accountId: string, ids: string[]): Promise<RuleView[]> {
    if (new Set(ids).size !== ids.length) throw BotErrors.badReorder('ids lists a rule twice.');
    return this.ctx.db.transaction(async () => {
      const all = (await this.rules(accountId)).map((r) => r.id);
      const unknown = ids.find((x) => !all.includes(x));
      if (unknown) throw BotErrors.ruleNotFound(`No bot rule "${unknown}" in this account.`);
      const order = [...ids, ...all.filter((x) => !ids.includes(x))];
      for (const [position, id] of order.entries()) await this.scope(accountId).update(this.m.Rule, { position }, { id });
      return this.rules(accountId);
    });
  }

  async flows(accountId: string): Promise<FlowView[]> {
    const rows = await this.scope(accountId).findAll(this.m.Flow, { order: [['createdAt', 'ASC']] });
    return rows.map((f) => flowView(f.get({ plain: true })));
  }

  async flow(accountId: string, id: string): Promise<FlowView> {
    const row = isId(id) ? await this.scope(accountId).findById(this.m.Flow, id) : null;
    if (!row) throw BotErrors.flowNotFound('No bot flow with this id.');
    return flowView(row.get({ plain: true }));
  }

  /** The flow, or null (a rule or message naming a flow deleted since). */
  async findFlow(accountId: string, id: string): Promise<FlowView | null> {
    return this.flow(accountId, id).catch(() => null);
  }

  async createFlow(accountId: string, input: FlowCreate): Promise<FlowView> {
    this.checkFlow(input.startNodeId, input.nodes);
    const row = await this.scope(accountId).create(this.m.Flow, { id: newId(), name: input.name.trim(), startNodeId: input.startNodeId, nodes: cleanNodes(input.nodes) });
    return flowView(row.get({ plain: true }));
  }

  async updateFlow(accountId: string, id: string, patch: FlowPatch): Promise<FlowView> {
    const current = await this.flow(accountId, id);
    const startNodeId = patch.startNodeId ?? current.startNodeId;
    const nodes = cleanNodes(patch.nodes ?? current.nodes);
    this.checkFlow(startNodeId, nodes);
    await this.checkFlowUsers(accountId, id, nodes);
    await this.scope(accountId).update(this.m.Flow, { startNodeId, nodes, ...(patch.name !== undefined ? { name: patch.name.trim() } : {}) }, { id });
    return this.flow(accountId, id);
  }

  async removeFlow(accountId: string, id: string): Promise<void> {
    await this.flow(accountId, id);
    const users = (await this.rules(accountId)).filter((r) => r.actions.some((a) => (a.type === 'start_flow' && a.flowId === id) || (a.type === 'buttons' && a.buttons.some((b) => b.flowId === id))));
    if (users.length) throw BotErrors.invalidFlow(`Rule "${users[0].name}" uses this flow: change or delete it first.`);
    await this.scope(accountId).destroy(this.m.Flow, { id });
  }

  private checkFlow(startNodeId: string, nodes: Record<string, FlowNode>): void {
    const problem = flowProblem(startNodeId, nodes);
    if (problem) throw BotErrors.invalidFlow(`Invalid flow: ${problem}.`);
    for (const [nodeId, node] of Object.entries(nodes)) for (const b of node.buttons) for (const a of b.actions ?? []) this.checkStep(a, `button "${b.id}" of node "${nodeId}"`);
  }

  /** Rule buttons that point at a node of this flow keep pointing at an existing node. */
  private async checkFlowUsers(accountId: string, flowId: string, nodes: Record<string, FlowNode>): Promise<void> {
    for (const r of await this.rules(accountId)) {
      for (const a of r.actions) {
        if (a.type !== 'buttons') continue;
        const gone = a.buttons.find((b) => b.flowId === flowId && b.flowNodeId && !nodes[b.flowNodeId]);
        if (gone) throw BotErrors.invalidFlow(`Rule "${r.name}" has a button leading to node "${gone.flowNodeId}" of this flow: keep that node or change the rule first.`);
      }
    }
  }

  private checkStep(a: StepAction | Action, where: string): void {
    if (a.type === 'add_tag' && !this.ctx.services.optional(TagsService)) throw BotErrors.tagsUnavailable(`${where}: add_tag needs the tags plugin, which is not installed; remove the action or install the plugin.`);
  }

  private async checkRule(accountId: string, r: { siteId: string | null; conditions: RuleCreate['conditions'] & object; actions: Action[] }): Promise<void> {
    if (r.siteId !== null && !(await this.ctx.container.cradle.sites.byIdForAccount(accountId, r.siteId))) {
      throw BotErrors.invalidRule(`siteId "${r.siteId}" is not a site of this account; use null for all sites.`);
    }
    const { pattern, keywords } = r.conditions;
    if (pattern !== undefined) {
      const why = unsafePattern(pattern);
      if (why) throw BotErrors.unsafePattern(`conditions.pattern is refused: ${why}.`);
    }
    if (keywords && keywords.some((k) => !/[\p{L}\p{N}]/u.test(k))) throw BotErrors.invalidRule('conditions.keywords: each keyword needs at least one letter or digit.');
    for (const [i, a] of r.actions.entries()) {
      const where = `actions[${i}] (${a.type})`;
      this.checkStep(a, where);
      if (a.type === 'start_flow' && !(await this.findFlow(accountId, a.flowId))) throw BotErrors.invalidRule(`${where}: flow "${a.flowId}" does not exist.`);
      if (a.type === 'buttons') {
        for (const [j, b] of a.buttons.entries()) {
          if (b.flowNodeId !== undefined && b.flowId === undefined) throw BotErrors.invalidRule(`${where}: buttons[${j}] names flowNodeId without flowId.`);
          if (b.flowId === undefined && b.reply === undefined) throw BotErrors.invalidRule(`${where}: buttons[${j}] needs a reply, a flowId, or both.`);
          if (b.flowId !== undefined) {
            const flow = await this.findFlow(accountId, b.flowId);
            if (!flow) throw BotErrors.invalidRule(`${where}: buttons[${j}] names flow "${b.flowId}", which does not exist.`);
            if (b.flowNodeId !== undefined && !flow.nodes[b.flowNodeId]) throw BotErrors.invalidRule(`${where}: buttons[${j}] names node "${b.flowNodeId}", which flow "${flow.name}" does not have.`);
          }
        }
      }
    }
    if (r.actions.some((a, i) => a.type === 'handoff' && i < r.actions.length - 1 && r.actions.slice(i + 1).some((x) => x.type === 'reply' || x.type === 'buttons' || x.type === 'suggest_articles' || x.type === 'start_flow'))) {
      throw BotErrors.invalidRule('actions: nothing the bot says can follow a handoff (the bot is silent after it); put handoff last.');
    }
  }

  /** Rules that may act on a site, in order: enabled, for all sites or this one. */
  async activeRules(accountId: string, siteId: string | null): Promise<RuleView[]> {
    const rows = await this.scope(accountId).findAll(this.m.Rule, {
      where: (siteId ? { enabled: true, [Op.or]: [{ siteId: null }, { siteId }] } : { enabled: true, siteId: null }) as never,
      order: [['position', 'ASC'], ['createdAt', 'ASC']],
    });
    return rows.map((r) => ruleView(r.get({ plain: true })));
  }
}
