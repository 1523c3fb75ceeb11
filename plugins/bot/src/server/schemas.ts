import { Type, type Static } from '@charla/core';

const Content = Type.String({ minLength: 1, maxLength: 2000, description: 'Text the bot sends' });
const RefId = Type.String({ minLength: 1, maxLength: 64 });
export const ButtonIdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$', description: 'Letters, digits, "-" and "_", up to 40' });
const Label = Type.String({ minLength: 1, maxLength: 80 });

export const TRIGGERS = ['message', 'conversation_started', 'outside_hours'] as const;
export const TriggerSchema = Type.Union(TRIGGERS.map((t) => Type.Literal(t)), { description: 'message: a visitor message; conversation_started: the first visitor message of a conversation; outside_hours: a visitor message while the site\'s office hours are closed' });

export const ConditionsSchema = Type.Object({
  keywords: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, description: 'Whole words or phrases; case and accents do not matter' })),
  match: Type.Optional(Type.Union([Type.Literal('any'), Type.Literal('all')], { description: 'any (default): one keyword is enough; all: every keyword' })),
  pattern: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A regular expression (case-insensitive), checked for safety and run with a time limit' })),
  pageUrlContains: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The visitor\'s current page URL contains this' })),
  locale: Type.Optional(Type.String({ pattern: '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$', description: 'The visitor\'s language, e.g. es (es-MX matches es)' })),
}, { additionalProperties: false });

// The actions are a union: no `additionalProperties: false` on its members, because the
// validator's removeAdditional would strip one member's fields while trying another.
// The store keeps only each type's own fields (`cleanAction`).

/** Actions a button may run (no nested buttons or flows: the press itself leads on). */
const ReplyAction = Type.Object({ type: Type.Literal('reply'), content: Content });
const SuggestAction = Type.Object({
  type: Type.Literal('suggest_articles'),
  articleIds: Type.Optional(Type.Array(RefId, { minItems: 1, maxItems: 5, description: 'Named published articles; none: the best knowledge-base matches for the message' })),
  content: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'The text above the cards (default: "These articles may help:")' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5, description: 'How many best matches (default 3)' })),
});
const StatusAction = Type.Object({ type: Type.Literal('set_status'), status: Type.Literal('pending') });
const AssignAction = Type.Object({ type: Type.Literal('assign'), assigneeId: Type.Optional(RefId) });
const TagAction = Type.Object({ type: Type.Literal('add_tag'), tag: Type.String({ minLength: 1, maxLength: 50 }) });
const HandoffAction = Type.Object({ type: Type.Literal('handoff'), content: Type.Optional(Content) });
const StartFlowAction = Type.Object({ type: Type.Literal('start_flow'), flowId: RefId });

export const RuleButtonSchema = Type.Object({
  label: Label,
  flowId: Type.Optional(RefId),
  flowNodeId: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'A node of flowId (default: its start node)' })),
  reply: Type.Optional(Content),
}, { additionalProperties: false });
const ButtonsAction = Type.Object({ type: Type.Literal('buttons'), content: Content, buttons: Type.Array(RuleButtonSchema, { minItems: 1, maxItems: 5 }) });

export const StepActionSchema = Type.Union([ReplyAction, SuggestAction, StatusAction, AssignAction, TagAction, HandoffAction]);
export const ActionSchema = Type.Union([ReplyAction, SuggestAction, ButtonsAction, StartFlowAction, StatusAction, AssignAction, TagAction, HandoffAction]);
export type StepAction = Static<typeof StepActionSchema>;
export type Action = Static<typeof ActionSchema>;
export type Conditions = Static<typeof ConditionsSchema>;
export type Trigger = (typeof TRIGGERS)[number];
export type RuleButton = Static<typeof RuleButtonSchema>;

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const RuleSchema = Type.Object({
  id: Type.String(), name: Type.String(), enabled: Type.Boolean(), siteId: Nullable(Type.String()), position: Type.Integer(),
  trigger: TriggerSchema, conditions: ConditionsSchema, actions: Type.Array(ActionSchema), createdAt: DateTime, updatedAt: DateTime,
});

const RuleFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  enabled: Type.Boolean(),
  siteId: Type.Union([RefId, Type.Null()], { description: 'One site, or null for all sites' }),
  trigger: TriggerSchema,
  conditions: ConditionsSchema,
  actions: Type.Array(ActionSchema, { minItems: 1, maxItems: 10 }),
};
export const RuleCreateSchema = Type.Object({
  name: RuleFields.name, enabled: Type.Optional(RuleFields.enabled), siteId: Type.Optional(RuleFields.siteId), trigger: RuleFields.trigger,
  conditions: Type.Optional(RuleFields.conditions), actions: RuleFields.actions,
}, { additionalProperties: false });
export const RulePatchSchema = Type.Object({
  name: Type.Optional(RuleFields.name), enabled: Type.Optional(RuleFields.enabled), siteId: Type.Optional(RuleFields.siteId), trigger: Type.Optional(RuleFields.trigger),
  conditions: Type.Optional(RuleFields.conditions), actions: Type.Optional(RuleFields.actions),
}, { additionalProperties: false });
export type RuleCreate = Static<typeof RuleCreateSchema>;
export type RulePatch = Static<typeof RulePatchSchema>;

export const FlowButtonSchema = Type.Object({
  id: ButtonIdSchema,
  label: Label,
  next: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'The node this button leads to' })),
  actions: Type.Optional(Type.Array(StepActionSchema, { maxItems: 10, description: 'Run when pressed (after which the flow ends unless next is set)' })),
}, { additionalProperties: false });
export const FlowNodeSchema = Type.Object({
  content: Content,
  buttons: Type.Array(FlowButtonSchema, { maxItems: 5 }),
}, { additionalProperties: false });
export const NodeIdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' });
const Nodes = Type.Record(Type.String(), FlowNodeSchema, { description: 'Node id (letters, digits, "-", "_") → node', maxProperties: 50 });
export type FlowNode = Static<typeof FlowNodeSchema>;
export type FlowButton = Static<typeof FlowButtonSchema>;

export const FlowSchema = Type.Object({
  id: Type.String(), name: Type.String(), startNodeId: Type.String(), nodes: Type.Record(Type.String(), FlowNodeSchema), createdAt: DateTime, updatedAt: DateTime,
});
export const FlowCreateSchema = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), startNodeId: NodeIdSchema, nodes: Nodes }, { additionalProperties: false });
export const FlowPatchSchema = Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })), startNodeId: Type.Optional(NodeIdSchema), nodes: Type.Optional(Nodes) }, { additionalProperties: false });
export type FlowCreate = Static<typeof FlowCreateSchema>;
export type FlowPatch = Static<typeof FlowPatchSchema>;

/** The message block the bot owns: the buttons of a bot message (the platform's postback presses them). */
export const BotButtonsBlock = Type.Object({
  type: Type.Literal('bot-buttons'),
  buttons: Type.Array(Type.Object({ id: Type.String({ minLength: 1, maxLength: 50 }), label: Label }), { minItems: 1, maxItems: 5 }),
});

/** What the test console says the bot would send (no conversation is touched). */
export const PlannedMessageSchema = Type.Object({
  content: Type.String(),
  metadata: Type.Record(Type.String(), Type.Unknown()),
});
export const PlannedEffectSchema = Type.Object({ type: Type.String(), detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())) });
