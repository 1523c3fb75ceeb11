import { DataTypes, type PluginDatabase, type Model, type ModelStatic } from '@charla/core';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface EndpointRow {
  id: string; accountId: string; url: string; description: string | null; events: string[] | string; enabled: boolean; includePrivate: boolean;
  secret: string; previousSecret: string | null; previousSecretUntil: Date | null; disabledReason: string | null; createdAt: Date; updatedAt: Date;
}

export interface DeliveryRow {
  id: string; accountId: string; endpointId: string; eventId: string; type: string; body: string; status: DeliveryStatus; attempts: number;
  lastStatus: number | null; lastError: string | null; durationMs: number | null; nextAttemptAt: Date | null; deliveredAt: Date | null; createdAt: Date; updatedAt: Date;
}

type Row<A extends object> = Model<A, Partial<A>> & A;
export interface WebhookModels {
  Endpoint: ModelStatic<Row<EndpointRow>>;
  Delivery: ModelStatic<Row<DeliveryRow>>;
}

const id = { type: DataTypes.STRING(36), primaryKey: true };
const str = (n: number) => ({ type: DataTypes.STRING(n) });

export function defineModels(db: PluginDatabase): WebhookModels {
  return {
    Endpoint: db.define<Row<EndpointRow>>('WebhookEndpoint', {
      id, accountId: str(36), url: str(2048), description: str(500), events: DataTypes.JSON, enabled: DataTypes.BOOLEAN, includePrivate: DataTypes.BOOLEAN,
      secret: str(100), previousSecret: str(100), previousSecretUntil: DataTypes.DATE, disabledReason: str(300),
    }, { tableName: 'webhook_endpoints' }),
    Delivery: db.define<Row<DeliveryRow>>('WebhookDelivery', {
      id, accountId: str(36), endpointId: str(36), eventId: str(36), type: str(100), body: DataTypes.TEXT, status: str(12), attempts: DataTypes.INTEGER,
      lastStatus: DataTypes.INTEGER, lastError: str(500), durationMs: DataTypes.INTEGER, nextAttemptAt: DataTypes.DATE, deliveredAt: DataTypes.DATE,
    }, { tableName: 'webhook_deliveries' }),
  };
}

/** The JSON column comes back as a string on some dialects. */
export const eventsOf = (row: Pick<EndpointRow, 'events'>): string[] => (typeof row.events === 'string' ? JSON.parse(row.events) : row.events) as string[];
