import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

/** A piece of a published article with its embedding (the vector as a JSON array of numbers). */
export interface ChunkRow { id: string; accountId: string; articleId: string; position: number; model: string; title: string; slug: string; text: string; vector: number[] | string; createdAt: Date }

/**
 * One AI call: an answer or a hand-off of a visitor message (`answer`, `handoff`), a
 * playground question (`test`) or agent assist (`assist`), with its tokens. The budget
 * and the stats are sums over these.
 */
export interface UsageRow {
  id: string; accountId: string; kind: 'answer' | 'handoff' | 'test' | 'assist'; conversationId: string | null; reason: string | null;
  promptTokens: number; completionTokens: number; createdAt: Date;
}

/** A visitor's "did this help?" on an AI answer (id = the bot message's id; the latest answer wins). */
export interface FeedbackRow { id: string; accountId: string; conversationId: string; helpful: boolean; createdAt: Date; updatedAt: Date }

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface AiModels {
  Chunk: ModelStatic<Row<ChunkRow>>;
  Usage: ModelStatic<Row<UsageRow>>;
  Feedback: ModelStatic<Row<FeedbackRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const str = (n: number) => ({ type: DataTypes.STRING(n) });

export function defineModels(db: PluginDatabase): AiModels {
  return {
    Chunk: db.define<Row<ChunkRow>>('AiChunk', {
      id, accountId: str(36), articleId: str(36), position: DataTypes.INTEGER, model: str(200), title: str(200), slug: str(100),
      text: DataTypes.TEXT, vector: DataTypes.JSON,
    }, { tableName: 'ai_chunks', updatedAt: false }),
    Usage: db.define<Row<UsageRow>>('AiUsage', {
      id, accountId: str(36), kind: str(12), conversationId: str(36), reason: str(40), promptTokens: DataTypes.INTEGER, completionTokens: DataTypes.INTEGER,
    }, { tableName: 'ai_usage', updatedAt: false }),
    Feedback: db.define<Row<FeedbackRow>>('AiFeedback', {
      id, accountId: str(36), conversationId: str(36), helpful: DataTypes.BOOLEAN,
    }, { tableName: 'ai_feedback' }),
  };
}
