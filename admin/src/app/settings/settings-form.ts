/** Turns a plugin's settings JSON schema (TypeBox) into simple form fields, and back. */

export type FieldKind = 'text' | 'secret' | 'select' | 'boolean' | 'number' | 'list' | 'rows' | 'json';

/** A column of a `rows` field (a list of small objects, e.g. priority rules). */
export interface RowColumn {
  key: string;
  label: string;
  description: string | null;
  /** The JSON types the value may take (a cell is typed text, read back as the first that fits). */
  types: string[];
}

export interface SettingsField {
  key: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  options: string[];
  integer: boolean;
  min: number | null;
  max: number | null;
  columns: RowColumn[];
}

/** What a set secret reads as (the server never sends the value; sending this back keeps it). */
export const SECRET_MASK = '••••••••';

interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  secret?: boolean;
  writeOnly?: boolean;
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
}

const SCALARS = ['string', 'number', 'integer', 'boolean'];

function scalarTypes(s: JsonSchema): string[] | null {
  const list = Array.isArray(s.anyOf) ? s.anyOf.map((x) => (Array.isArray(x.type) ? x.type[0] : x.type)) : [Array.isArray(s.type) ? s.type[0] : s.type];
  return list.every((t): t is string => typeof t === 'string' && SCALARS.includes(t)) ? list : null;
}

/** An array of objects whose properties are all scalars: edited as rows, not as JSON. */
function rowColumns(s: JsonSchema): RowColumn[] | null {
  const props = s.items?.properties;
  if (!props) return null;
  const cols: RowColumn[] = [];
  for (const [key, c] of Object.entries(props)) {
    const types = scalarTypes(c);
    if (!types) return null;
    cols.push({ key, label: c.title || key, description: c.description ?? null, types });
  }
  return cols;
}

function literalOptions(s: JsonSchema): string[] | null {
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) return s.enum as string[];
  if (Array.isArray(s.anyOf) && s.anyOf.length && s.anyOf.every((x) => typeof x.const === 'string')) return s.anyOf.map((x) => x.const as string);
  return null;
}

export function settingsFields(schema: unknown): SettingsField[] {
  const props = (schema as JsonSchema | null)?.properties;
  if (!props || typeof props !== 'object') return [];
  return Object.entries(props).map(([key, s]) => {
    const options = literalOptions(s);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    const columns = type === 'array' ? rowColumns(s) : null;
    let kind: FieldKind = 'json';
    if (options) kind = 'select';
    else if (type === 'string') kind = s.secret === true || s.writeOnly === true ? 'secret' : 'text';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'number' || type === 'integer') kind = 'number';
    else if (type === 'array' && (s.items?.type === 'string' || !s.items)) kind = 'list';
    else if (columns) kind = 'rows';
    return {
      key, label: s.title || key, description: s.description ?? null, kind, options: options ?? [], integer: type === 'integer',
      min: typeof s.minimum === 'number' ? s.minimum : null, max: typeof s.maximum === 'number' ? s.maximum : null, columns: columns ?? [],
    };
  });
}

/** The value shown in the input for a field. */
export function toInput(field: SettingsField, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (field.kind) {
    case 'list':
      return Array.isArray(value) ? value.join(', ') : '';
    case 'json':
      return JSON.stringify(value, null, 2);
    default:
      return String(value);
  }
}

/** Reads a field's input back; throws with a message for invalid JSON or numbers. */
export function fromInput(field: SettingsField, raw: string | boolean): unknown {
  if (field.kind === 'boolean') return !!raw;
  const text = String(raw);
  switch (field.kind) {
    case 'number': {
      if (text.trim() === '') return undefined;
      const n = Number(text);
      if (!Number.isFinite(n) || (field.integer && !Number.isInteger(n))) throw new Error(`${field.label}: not a valid number`);
      return n;
    }
    case 'list':
      return text.split(',').map((x) => x.trim()).filter(Boolean);
    case 'json':
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text);
      } catch {
        throw new Error(`${field.label}: not valid JSON`);
      }
    default:
      return text;
  }
}

/** A `rows` value as editable text cells. */
export function toRows(value: unknown): Array<Record<string, string>> {
  if (!Array.isArray(value)) return [];
  return value.map((r) => Object.fromEntries(Object.entries((r ?? {}) as Record<string, unknown>).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)])));
}

/** Text cells back to values: per column, a number or boolean where the schema allows one and the text is one; empty rows dropped. */
export function fromRows(field: SettingsField, rows: Array<Record<string, string>>): Array<Record<string, unknown>> {
  return rows
    .filter((r) => field.columns.some((c) => (r[c.key] ?? '').trim() !== ''))
    .map((r) => Object.fromEntries(field.columns.map((c) => {
      const text = (r[c.key] ?? '').trim();
      if ((c.types.includes('number') || c.types.includes('integer')) && text !== '' && Number.isFinite(Number(text))) return [c.key, Number(text)];
      if (c.types.includes('boolean') && (text === 'true' || text === 'false')) return [c.key, text === 'true'];
      return [c.key, text];
    })));
}
