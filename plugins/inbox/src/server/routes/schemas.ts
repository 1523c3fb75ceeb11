import { Type } from '@charla/core';

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const AgentStatusSchema = Type.Union([Type.Literal('available'), Type.Literal('away')]);

export const AgentSchema = Type.Object({
  userId: Type.String(), name: Type.String(), email: Type.String(), role: Type.String(),
  presence: Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')], { description: 'online = connected and available; away = connected but away; offline = no device connected' }),
  status: AgentStatusSchema, online: Type.Boolean(),
  openCount: Type.Integer({ description: 'Open and pending conversations assigned to this agent' }),
  capacity: Type.Integer({ description: 'Effective limit: the agent\'s own, or the account\'s' }),
  capacityOverride: Type.Union([Type.Integer(), Type.Null()]),
  lastActiveAt: Nullable(DateTime), offlineSince: Nullable(DateTime),
});

export const AgentPatchSchema = Type.Object({
  status: Type.Optional(AgentStatusSchema),
  capacity: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 100 }), Type.Null()], { description: 'A personal capacity, or null to use the account\'s' })),
}, { additionalProperties: false });

export const PresenceVisitorSchema = Type.Object({
  id: Type.String(), name: Nullable(Type.String()), email: Nullable(Type.String()), currentUrl: Nullable(Type.String()), currentTitle: Nullable(Type.String()), lastSeenAt: Type.String(),
});

export const PresenceBoardSchema = Type.Object({
  agents: Type.Array(AgentSchema),
  sites: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), visitorsOnline: Type.Integer(), visitors: Type.Array(PresenceVisitorSchema) })),
});

export const DashboardSchema = Type.Object({
  visitorsOnline: Type.Integer({ description: 'Visitors connected now' }),
  activeConversations: Type.Integer({ description: 'Open and pending' }),
  openConversations: Type.Integer(), pendingConversations: Type.Integer(),
  unassignedConversations: Type.Integer(),
  queueLength: Type.Integer({ description: 'Conversations waiting for an agent (0 when auto-assignment is off)' }),
  highPriorityConversations: Type.Integer(),
  agentsOnline: Type.Integer(), agentsAvailable: Type.Integer({ description: 'Online, not away, below capacity' }),
  agentsBusy: Type.Integer({ description: 'Online, not away, at capacity' }), agentsAway: Type.Integer(), agentsOffline: Type.Integer(),
  slaAtRisk: Type.Integer({ description: 'Open conversations in warning or breached, without a first reply' }),
  slaBreachedToday: Type.Integer(), at: DateTime,
});

export const SlaSchema = Type.Object({
  conversationId: Type.String(), priority: Type.String(), assigneeId: Nullable(Type.String()), status: Type.String(),
  state: Type.Union([Type.Literal('none'), Type.Literal('ok'), Type.Literal('warning'), Type.Literal('breached'), Type.Literal('met')]),
  dueAt: Nullable(DateTime), warnedAt: Nullable(DateTime), breachedAt: Nullable(DateTime), firstResponseAt: Nullable(DateTime),
});

export const ConversationStateSchema = Type.Object({
  conversationId: Type.String(), priority: Type.String(), priorityRule: Nullable(Type.String()),
  queuePosition: Type.Union([Type.Integer(), Type.Null()]), queueLength: Type.Integer(),
  sla: SlaSchema,
});

const Flag = Type.Boolean();
export const PreferencesSchema = Type.Object({
  email: Type.Object({ newConversation: Flag, newMessage: Flag, slaAlerts: Flag }),
  browser: Type.Object({ newConversation: Flag, newMessage: Flag, priority: Flag }),
});
export const PreferencesPatchSchema = Type.Object({
  email: Type.Optional(Type.Partial(Type.Object({ newConversation: Flag, newMessage: Flag, slaAlerts: Flag }, { additionalProperties: false }))),
  browser: Type.Optional(Type.Partial(Type.Object({ newConversation: Flag, newMessage: Flag, priority: Flag }, { additionalProperties: false }))),
}, { additionalProperties: false });

export const QuickReplySchema = Type.Object({
  id: Type.String(), shortcut: Type.String({ description: 'With its leading slash, e.g. /refund' }), title: Type.String(), content: Type.String(),
  variables: Type.Array(Type.String()), createdBy: Nullable(Type.String()), createdAt: DateTime, updatedAt: DateTime,
});
