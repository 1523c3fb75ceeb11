import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

export type ConversationStatus = 'open' | 'pending' | 'closed';
export type SenderType = 'visitor' | 'agent' | 'bot' | 'system';

export interface VisitorRow {
  id: string; accountId: string; siteId: string;
  externalId: string | null; email: string | null; name: string | null; verified: boolean;
  /** The e-mail was proved (hashed by the site, or confirmed by link): only then is it matched on or e-mailed. */
  emailVerified: boolean;
  attributes: Record<string, unknown>; country: string | null; language: string | null;
  firstSeenAt: Date; lastSeenAt: Date; visitCount: number;
  /** Page views recorded for this visitor (kept with each one). */
  pageViewCount: number;
  currentUrl: string | null; currentTitle: string | null; userAgent: string | null;
  /** Where the current session came from: `web` (the widget) or `app` (a mobile SDK), sent at init. */
  channel: string;
  tokenVersion: number; createdAt: Date; updatedAt: Date;
}

export interface MessageSnapshot {
  id: string; seq: number; senderType: SenderType; content: string; private: boolean; createdAt: string;
  /** Who wrote it (the inbox list says "You:" only for the viewer's own); absent in snapshots stored before it was kept. */
  senderId?: string | null;
}

export interface ConversationRow {
  id: string; accountId: string; siteId: string; visitorId: string;
  status: ConversationStatus; assigneeId: string | null; priority: 'normal' | 'high'; channel: string; tags: string[];
  /** The visitor's page when the conversation was opened (null: none known). */
  startUrl: string | null;
  lastSeq: number; lastMessage: MessageSnapshot | null; lastPublicMessage: MessageSnapshot | null; lastActivityAt: Date;
  firstResponseAt: Date | null; resolvedAt: Date | null;
  /** When the visitor first wrote (null: nothing from the visitor yet). */
  firstVisitorMessageAt: Date | null;
  /** The automated responder that claimed the conversation; `handedOffAt`: when it was handed to the team (responders are silent from then on). */
  responder: string | null; handedOffAt: Date | null;
  unreadByAgents: number; unreadByVisitor: number; agentReadSeq: number; visitorReadSeq: number; emailedSeq: number;
  createdAt: Date; updatedAt: Date;
}

export interface MessageRow {
  id: string; accountId: string; conversationId: string; seq: number;
  senderType: SenderType; senderId: string | null; content: string; private: boolean;
  clientId: string | null; metadata: Record<string, unknown> | null; readAt: Date | null;
  createdAt: Date; updatedAt: Date;
}

export interface PageViewRow { id: string; accountId: string; siteId: string; visitorId: string; url: string; title: string | null; referrer: string | null; createdAt: Date }
/** One per visitor message a responder turn ran for (id = the message's id). */
export interface ResponderTurnRow { id: string; accountId: string; conversationId: string; createdAt: Date }
export interface TrackedEventRow { id: string; accountId: string; siteId: string; visitorId: string; name: string; properties: Record<string, unknown>; createdAt: Date }

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface ConversationModels {
  Visitor: ModelStatic<Row<VisitorRow>>;
  Conversation: ModelStatic<Row<ConversationRow>>;
  Message: ModelStatic<Row<MessageRow>>;
  PageView: ModelStatic<Row<PageViewRow>>;
  TrackedEvent: ModelStatic<Row<TrackedEventRow>>;
  ResponderTurn: ModelStatic<Row<ResponderTurnRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const str = (n: number) => ({ type: DataTypes.STRING(n) });

/**
 * The models of each server (keyed by its plugin database, so two servers in one
 * process keep theirs apart). Private to this plugin: other plugins read and write
 * conversations through the `ConversationsData` service, never these models.
 */
const byDatabase = new WeakMap<PluginDatabase, ConversationModels>();

/** This server's conversation models (defined in the plugin's `models` step). */
export function modelsOf(db: PluginDatabase): ConversationModels {
  const m = byDatabase.get(db);
  if (!m) throw new Error('conversations: models are not defined for this database');
  return m;
}

export function defineModels(db: PluginDatabase): ConversationModels {
  const models: ConversationModels = {
    Visitor: db.define<Row<VisitorRow>>('Visitor', {
      id, accountId: str(36), siteId: str(36), externalId: str(200), email: str(320), name: str(200), verified: DataTypes.BOOLEAN, emailVerified: DataTypes.BOOLEAN,
      attributes: DataTypes.JSON, country: str(2), language: str(35), firstSeenAt: DataTypes.DATE, lastSeenAt: DataTypes.DATE,
      visitCount: DataTypes.INTEGER, pageViewCount: DataTypes.INTEGER, currentUrl: str(2000), currentTitle: str(300), userAgent: str(300), channel: str(20), tokenVersion: DataTypes.INTEGER,
    }, { tableName: 'visitors' }),
    Conversation: db.define<Row<ConversationRow>>('Conversation', {
      id, accountId: str(36), siteId: str(36), visitorId: str(36), status: str(10), assigneeId: str(36), priority: str(10), channel: str(20),
      tags: DataTypes.JSON, lastSeq: DataTypes.INTEGER, lastMessage: DataTypes.JSON, lastPublicMessage: DataTypes.JSON, lastActivityAt: DataTypes.DATE,
      firstResponseAt: DataTypes.DATE, resolvedAt: DataTypes.DATE, firstVisitorMessageAt: DataTypes.DATE, unreadByAgents: DataTypes.INTEGER, unreadByVisitor: DataTypes.INTEGER,
      agentReadSeq: DataTypes.INTEGER, visitorReadSeq: DataTypes.INTEGER, emailedSeq: DataTypes.INTEGER,
      responder: str(100), handedOffAt: DataTypes.DATE, startUrl: str(2000),
    }, { tableName: 'conversations' }),
    Message: db.define<Row<MessageRow>>('Message', {
      id, accountId: str(36), conversationId: str(36), seq: DataTypes.INTEGER, senderType: str(10), senderId: str(36), content: DataTypes.TEXT,
      private: DataTypes.BOOLEAN, clientId: str(100), metadata: DataTypes.JSON, readAt: DataTypes.DATE,
    }, { tableName: 'messages' }),
    PageView: db.define<Row<PageViewRow>>('PageView', { id, accountId: str(36), siteId: str(36), visitorId: str(36), url: str(2000), title: str(300), referrer: str(2000) }, { tableName: 'page_views' }),
    TrackedEvent: db.define<Row<TrackedEventRow>>('TrackedEvent', { id, accountId: str(36), siteId: str(36), visitorId: str(36), name: str(100), properties: DataTypes.JSON }, { tableName: 'tracked_events' }),
    ResponderTurn: db.define<Row<ResponderTurnRow>>('ResponderTurn', { id, accountId: str(36), conversationId: str(36) }, { tableName: 'responder_turns' }),
  };
  byDatabase.set(db, models);
  return models;
}
