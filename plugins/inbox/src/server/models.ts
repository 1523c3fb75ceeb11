import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

/** A conversation row of the conversations plugin (as its ConversationsData service returns it). */
export type { ConversationRow } from '@charla/plugin-conversations';

export type AgentStatus = 'available' | 'away';

export interface NotificationPreferences {
  email: { newConversation: boolean; newMessage: boolean; slaAlerts: boolean };
  browser: { newConversation: boolean; newMessage: boolean; priority: boolean };
}

export const DEFAULT_PREFERENCES: NotificationPreferences = {
  email: { newConversation: true, newMessage: true, slaAlerts: true },
  browser: { newConversation: true, newMessage: true, priority: true },
};

export interface AgentStateRow {
  id: string; accountId: string; userId: string; status: AgentStatus; capacity: number | null;
  lastActiveAt: Date | null; offlineSince: Date | null; notifications: Partial<NotificationPreferences> | string | null;
  digestScheduledAt: Date | null; createdAt: Date; updatedAt: Date;
}

export interface ConversationStateRow {
  id: string; accountId: string; conversationId: string; queuedAt: Date | null; queuePosition: number | null; excludedUserId: string | null;
  priorityRule: string | null; slaStartedAt: Date | null; slaDueAt: Date | null; slaWarnedAt: Date | null; slaBreachedAt: Date | null; slaMetAt: Date | null;
  createdAt: Date; updatedAt: Date;
}

export interface NotificationRow {
  id: string; accountId: string; userId: string; kind: 'conversation' | 'message'; conversationId: string; messageId: string | null;
  summary: string; sentAt: Date | null; createdAt: Date; updatedAt: Date;
}

export interface QuickReplyRow {
  id: string; accountId: string; shortcut: string; title: string; content: string; createdBy: string | null; createdAt: Date; updatedAt: Date;
}

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface InboxModels {
  AgentState: ModelStatic<Row<AgentStateRow>>;
  ConversationState: ModelStatic<Row<ConversationStateRow>>;
  Notification: ModelStatic<Row<NotificationRow>>;
  QuickReply: ModelStatic<Row<QuickReplyRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const str = (n: number) => ({ type: DataTypes.STRING(n) });

export function defineModels(db: PluginDatabase): InboxModels {
  return {
    AgentState: db.define<Row<AgentStateRow>>('InboxAgentState', {
      id, accountId: str(36), userId: str(36), status: str(12), capacity: DataTypes.INTEGER, lastActiveAt: DataTypes.DATE,
      offlineSince: DataTypes.DATE, notifications: DataTypes.JSON, digestScheduledAt: DataTypes.DATE,
    }, { tableName: 'inbox_agents' }),
    ConversationState: db.define<Row<ConversationStateRow>>('InboxConversationState', {
      id, accountId: str(36), conversationId: str(36), queuedAt: DataTypes.DATE, queuePosition: DataTypes.INTEGER, excludedUserId: str(36),
      priorityRule: str(300), slaStartedAt: DataTypes.DATE, slaDueAt: DataTypes.DATE, slaWarnedAt: DataTypes.DATE, slaBreachedAt: DataTypes.DATE, slaMetAt: DataTypes.DATE,
    }, { tableName: 'inbox_conversations' }),
    Notification: db.define<Row<NotificationRow>>('InboxNotification', {
      id, accountId: str(36), userId: str(36), kind: str(20), conversationId: str(36), messageId: str(36), summary: str(300), sentAt: DataTypes.DATE,
    }, { tableName: 'inbox_notifications' }),
    QuickReply: db.define<Row<QuickReplyRow>>('InboxQuickReply', {
      id, accountId: str(36), shortcut: str(40), title: str(100), content: DataTypes.TEXT, createdBy: str(36),
    }, { tableName: 'inbox_quick_replies' }),
  };
}

export function preferencesOf(row: Pick<AgentStateRow, 'notifications'> | null | undefined): NotificationPreferences {
  const raw = row?.notifications;
  const p = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Partial<NotificationPreferences> | null;
  return { email: { ...DEFAULT_PREFERENCES.email, ...(p?.email ?? {}) }, browser: { ...DEFAULT_PREFERENCES.browser, ...(p?.browser ?? {}) } };
}
