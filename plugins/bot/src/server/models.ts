import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';
import type { Action, Conditions, FlowNode, Trigger } from './schemas.js';

export interface RuleRow {
  id: string; accountId: string; name: string; enabled: boolean; siteId: string | null; position: number;
  trigger: Trigger; conditions: Conditions | string; actions: Action[] | string; createdAt: Date; updatedAt: Date;
}
export interface FlowRow { id: string; accountId: string; name: string; startNodeId: string; nodes: Record<string, FlowNode> | string; createdAt: Date; updatedAt: Date }
/** One per visitor message a rule acted on (id = the message's id): the stats. */
export interface FiringRow { id: string; accountId: string; ruleId: string; conversationId: string; handedOff: boolean; createdAt: Date; updatedAt: Date }

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface BotModels {
  Rule: ModelStatic<Row<RuleRow>>;
  Flow: ModelStatic<Row<FlowRow>>;
  Firing: ModelStatic<Row<FiringRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const str = (n: number) => ({ type: DataTypes.STRING(n) });

export function defineModels(db: PluginDatabase): BotModels {
  return {
    Rule: db.define<Row<RuleRow>>('BotRule', {
      id, accountId: str(36), name: str(100), enabled: DataTypes.BOOLEAN, siteId: str(36), position: DataTypes.INTEGER,
      trigger: str(30), conditions: DataTypes.JSON, actions: DataTypes.JSON,
    }, { tableName: 'bot_rules' }),
    Flow: db.define<Row<FlowRow>>('BotFlow', { id, accountId: str(36), name: str(100), startNodeId: str(40), nodes: DataTypes.JSON }, { tableName: 'bot_flows' }),
    Firing: db.define<Row<FiringRow>>('BotFiring', { id, accountId: str(36), ruleId: str(36), conversationId: str(36), handedOff: DataTypes.BOOLEAN }, { tableName: 'bot_firings' }),
  };
}

/** JSON columns come back as strings on some dialects. */
export const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
