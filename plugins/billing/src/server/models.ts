import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

export interface DayRow { id: string; accountId: string; day: string; conversations: number; lastActivityAt: Date | null; createdAt: Date; updatedAt: Date }
export interface MeteredEventRow { id: string; accountId: string; createdAt: Date; updatedAt: Date }

export interface CustomerRow { id: string; accountId: string; provider: string; customerId: string; subscriptionId: string | null; status: string | null; createdAt: Date; updatedAt: Date }
export interface ProviderEventRow { id: string; type: string; createdAt: Date; updatedAt: Date }

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface BillingModels {
  Day: ModelStatic<Row<DayRow>>;
  MeteredEvent: ModelStatic<Row<MeteredEventRow>>;
  Customer: ModelStatic<Row<CustomerRow>>;
  ProviderEvent: ModelStatic<Row<ProviderEventRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };

export function defineModels(db: PluginDatabase): BillingModels {
  return {
    Day: db.define<Row<DayRow>>('BillingDay', {
      id, accountId: DataTypes.STRING(36), day: DataTypes.STRING(10), conversations: DataTypes.INTEGER, lastActivityAt: DataTypes.DATE,
    }, { tableName: 'billing_days' }),
    MeteredEvent: db.define<Row<MeteredEventRow>>('BillingMeteredEvent', { id, accountId: DataTypes.STRING(36) }, { tableName: 'billing_metered_events' }),
    Customer: db.define<Row<CustomerRow>>('BillingCustomer', {
      id, accountId: DataTypes.STRING(36), provider: DataTypes.STRING(20), customerId: DataTypes.STRING(255), subscriptionId: DataTypes.STRING(255), status: DataTypes.STRING(30),
    }, { tableName: 'billing_customers' }),
    // Instance-wide: a provider event is not any one account's until it is read.
    ProviderEvent: db.define<Row<ProviderEventRow>>('BillingProviderEvent', { id: { type: DataTypes.STRING(255), primaryKey: true }, type: DataTypes.STRING(100) }, { tableName: 'billing_provider_events', tenant: false }),
  };
}
