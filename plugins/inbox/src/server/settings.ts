import { Type, type Static } from '@charla/core';

const PriorityRule = Type.Object({
  attribute: Type.String({ minLength: 1, maxLength: 100, description: 'A visitor attribute (e.g. "plan"), or one of email, name, externalId, country, language' }),
  equals: Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()], { description: 'The value that makes a conversation high priority' }),
}, { additionalProperties: false });

/** Per-account settings of the inbox plugin (Settings → Plugins → inbox). */
export const InboxSettings = Type.Object({
  autoAssign: Type.Boolean({ title: 'Assign automatically', default: true, description: 'Assign new conversations to the online agent with the fewest open conversations' }),
  capacity: Type.Integer({ title: 'Conversations per agent', default: 5, minimum: 1, maximum: 100, description: 'Open conversations an agent handles at once (agents may have their own limit)' }),
  showQueuePosition: Type.Boolean({ title: 'Show the queue position', default: true, description: 'Tell waiting visitors their place in the queue' }),
  onAgentDisconnect: Type.Union([Type.Literal('reassign'), Type.Literal('queue'), Type.Literal('keep')], { title: 'When an agent disconnects',
    default: 'reassign',
    description: 'When an agent has been disconnected for the grace period: reassign their open conversations (they keep their place), return them to the back of the queue, or keep them',
  }),
  disconnectGraceSeconds: Type.Integer({ title: 'Grace period (seconds)', default: 120, minimum: 0, maximum: 86_400, description: 'How long an agent may be disconnected before their conversations move' }),
  priorityRules: Type.Array(PriorityRule, { title: 'High-priority rules', default: [], maxItems: 50, description: 'Visitor attributes that make a conversation high priority, e.g. plan = enterprise' }),
  slaEnabled: Type.Boolean({ title: 'First-response target', default: true, description: 'Track a first-response target on every new conversation' }),
  slaFirstResponseMinutes: Type.Integer({ title: 'Target (minutes)', default: 15, minimum: 1, maximum: 10_080, description: 'First-response target (minutes)' }),
  slaHighPriorityFirstResponseMinutes: Type.Integer({ title: 'High-priority target (minutes)', default: 5, minimum: 1, maximum: 10_080, description: 'First-response target for high-priority conversations (minutes)' }),
  slaWarningMinutes: Type.Integer({ title: 'Warn before (minutes)', default: 2, minimum: 0, maximum: 1440, description: 'Warn this many minutes before the target expires' }),
  emailBatchSeconds: Type.Integer({ title: 'Batch e-mails for (seconds)', default: 60, minimum: 0, maximum: 3600, description: 'E-mail notifications to offline agents are collected for this long, then sent as one message' }),
});
export type InboxSettings = Static<typeof InboxSettings>;
export type PriorityRule = Static<typeof PriorityRule>;
