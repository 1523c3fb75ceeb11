import { DataTypes, type Model, type ModelStatic, type PluginDatabase } from '@charla/core';

export interface SegmentRow { id: string; accountId: string; name: string; filter: unknown; createdBy: string | null; createdAt: Date; updatedAt: Date }
type Row<A extends object> = Model<A, Partial<A>> & A;
export interface ContactModels { Segment: ModelStatic<Row<SegmentRow>> }

export function defineModels(db: PluginDatabase): ContactModels {
  return {
    Segment: db.define<Row<SegmentRow>>('ContactSegment', {
      id: { type: DataTypes.STRING(36), primaryKey: true }, accountId: DataTypes.STRING(36), name: DataTypes.STRING(200), filter: DataTypes.JSON, createdBy: DataTypes.STRING(36),
    }, { tableName: 'contact_segments' }),
  };
}

/** The JSON column comes back as a string on SQLite. */
export const filterOf = (row: Pick<SegmentRow, 'filter'>): unknown => (typeof row.filter === 'string' ? JSON.parse(row.filter) : row.filter);
