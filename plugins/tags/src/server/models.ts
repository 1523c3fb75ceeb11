import { DataTypes, type Model, type ModelStatic, type PluginDatabase } from '@charla/core';

/** A tag of the account's catalogue: the label conversations carry, with its colour. */
export interface TagRow {
  id: string;
  accountId: string;
  /** As first written (conversations carry this spelling). */
  name: string;
  /** `name` lower-cased: one tag per spelling, whatever the case. */
  nameKey: string;
  color: string;
  createdAt: Date;
  updatedAt: Date;
}
export type TagModel = ModelStatic<Model<TagRow, Partial<TagRow>> & TagRow>;

/** Models per server (keyed by its plugin database): no module-level state shared by two servers. */
const byDatabase = new WeakMap<PluginDatabase, TagModel>();

export function defineTagModel(db: PluginDatabase): TagModel {
  const Tag = db.define<Model<TagRow, Partial<TagRow>> & TagRow>('Tag', {
    id: { type: DataTypes.STRING(36), primaryKey: true },
    accountId: { type: DataTypes.STRING(36), allowNull: false },
    name: { type: DataTypes.STRING(40), allowNull: false },
    nameKey: { type: DataTypes.STRING(40), allowNull: false },
    color: { type: DataTypes.STRING(7), allowNull: false },
  }, { tableName: 'tags' });
  byDatabase.set(db, Tag);
  return Tag;
}

export function tagModelOf(db: PluginDatabase): TagModel {
  const m = byDatabase.get(db);
  if (!m) throw new Error('tags: the model is not defined for this database');
  return m;
}
