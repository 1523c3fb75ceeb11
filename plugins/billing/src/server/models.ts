import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

export interface DayRow { id: string; accountId: string; day: string; conversations: number; lastActivityAt: Date | null; createdAt: Date; updatedAt: Date }
export interface MeteredEventRow { id: string; accountId: string; createdAt: Date; updatedAt: Date }

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface BillingModels {
  Day: ModelStatic<Row<DayRow>>;
  MeteredEvent: ModelStatic<Row<MeteredEventRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };

export function defineModels(db: PluginDatabase): BillingModels {
  return {
    Day: db.define<Row<DayRow>>('BillingDay', {
      id, accountId: DataTypes.STRING(36), day: DataTypes.STRING(10), conversations: DataTypes.INTEGER, lastActivityAt: DataTypes.DATE,
    }, { tableName: 'billing_days' }),
    MeteredEvent: db.define<Row<MeteredEventRow>>('BillingMeteredEvent', { id, accountId: DataTypes.STRING(36) }, { tableName: 'billing_metered_events' }),
  };
}
