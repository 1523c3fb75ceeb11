/** Turns a plugin's settings JSON schema (TypeBox) into simple form fields, and back. */

export type FieldKind = 'text' | 'select' | 'boolean' | 'number' | 'list' | 'json';

export interface SettingsField {
  key: string;
  label: string;
  description: string | null;
  kind: FieldKind;
  options: string[];
  integer: boolean;
}

interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
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
    let kind: FieldKind = 'json';
    if (options) kind = 'select';
    else if (type === 'string') kind = 'text';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'number' || type === 'integer') kind = 'number';
    else if (type === 'array' && (s.items?.type === 'string' || !s.items)) kind = 'list';
    return { key, label: s.title || key, description: s.description ?? null, kind, options: options ?? [], integer: type === 'integer' };
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
