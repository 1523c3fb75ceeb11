import type { PluginDatabase } from '@charla/core';

/**
 * Visitor conditions: the typed form of the contacts filter language
 * (`API-features.md` § Contacts), compiled here — where the visitor, page-view and
 * tracked-event tables live — to one SQL statement per search, on SQLite and
 * PostgreSQL alike. Column names come only from the maps below; every value, attribute
 * key and event name is a bound replacement, never SQL text.
 */
export type VisitorConditionOp =
  | 'eq' | 'neq' | 'contains' | 'starts_with' | 'gt' | 'gte' | 'lt' | 'lte'
  | 'exists' | 'not_exists' | 'in_last_days' | 'not_in_last_days';
export type VisitorConditionValue = string | number | boolean | null;
export type VisitorCondition =
  | { and: VisitorCondition[] }
  | { or: VisitorCondition[] }
  | { field: string; op: VisitorConditionOp; value?: VisitorConditionValue };

/** Sort keys of a search (then `id`, for a stable keyset). */
export type VisitorSortField = 'lastSeenAt' | 'firstSeenAt' | 'createdAt' | 'visitCount' | 'pageViewCount';

export const TEXT_COLUMNS = { name: 'name', email: 'email', externalId: 'external_id', country: 'country', language: 'language', siteId: 'site_id' } as const;
export const DATE_COLUMNS = { firstSeenAt: 'first_seen_at', lastSeenAt: 'last_seen_at', createdAt: 'created_at' } as const;
export const NUMBER_COLUMNS = { visitCount: 'visit_count', pageViewCount: 'page_view_count' } as const;
export const SORT_COLUMNS: Record<VisitorSortField, string> = { ...DATE_COLUMNS, ...NUMBER_COLUMNS };
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
// 1…100 characters, none of them a control character.
const EVENT_NAME = { test: (v: string) => v.length >= 1 && v.length <= 100 && ![...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127) };
const DAY_MS = 86_400_000;
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 100;

export interface CompileEnv {
  dialect: PluginDatabase['dialect'];
  now: Date;
  /** The visitors online now (for `online`). */
  onlineIds: () => string[];
}

/** A date as the dialect stores it (SQLite: Sequelize's text form, which sorts like the instant). */
export function sqlDate(dialect: PluginDatabase['dialect'], d: Date): string {
  if (dialect === 'postgres') return d.toISOString();
  return `${d.toISOString().replace('T', ' ').replace('Z', '')} +00:00`;
}

const fail = (msg: string): never => {
  throw new TypeError(msg);
};

class Compiler {
  readonly params: Record<string, unknown> = {};
  private n = 0;
  private count = 0;
  constructor(private readonly env: CompileEnv) {}

  bind(v: unknown): string {
    const name = `q${this.n++}`;
    this.params[name] = v;
    return `:${name}`;
  }

  private like(value: unknown, op: 'contains' | 'starts_with'): string {
    if (typeof value !== 'string') fail(`${op} needs a string value`);
    const esc = (value as string).toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    return `${this.bind(op === 'contains' ? `%${esc}%` : `${esc}%`)} ESCAPE '\\'`;
  }

  private days(value: unknown, op: string): string {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 36_500) fail(`${op} needs a whole number of days (0…36500)`);
    return this.bind(sqlDate(this.env.dialect, new Date(this.env.now.getTime() - (value as number) * DAY_MS)));
  }

  private dateValue(value: unknown, op: string): string {
    const d = typeof value === 'string' ? new Date(value) : null;
    if (!d || Number.isNaN(d.getTime())) fail(`${op} on a date needs an ISO-8601 date`);
    return this.bind(sqlDate(this.env.dialect, d!));
  }

  private num(value: unknown, op: string): string {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${op} needs a number`);
    return this.bind(value);
  }

  private static CMP: Partial<Record<VisitorConditionOp, string>> = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' };

  compile(c: VisitorCondition, depth = 0): string {
    if (depth > MAX_DEPTH) fail(`conditions nest at most ${MAX_DEPTH} deep`);
    if (!c || typeof c !== 'object' || Array.isArray(c)) return fail('a condition must be an object');
    if ('and' in c || 'or' in c) {
      const list = 'and' in c ? c.and : (c as { or: VisitorCondition[] }).or;
      if (!Array.isArray(list) || list.length === 0) fail('and/or need a non-empty list');
      const parts = list.map((x) => this.compile(x, depth + 1));
      return `(${parts.join('and' in c ? ' AND ' : ' OR ')})`;
    }
    if (++this.count > MAX_CONDITIONS) fail(`a filter has at most ${MAX_CONDITIONS} conditions`);
    const { field, op, value } = c;
    if (typeof field !== 'string') fail('field must be a string');
    if (field in TEXT_COLUMNS) return this.text(`v.${TEXT_COLUMNS[field as keyof typeof TEXT_COLUMNS]}`, op, value);
    if (field in DATE_COLUMNS) return this.date(`v.${DATE_COLUMNS[field as keyof typeof DATE_COLUMNS]}`, op, value);
    if (field in NUMBER_COLUMNS) return this.number(`v.${NUMBER_COLUMNS[field as keyof typeof NUMBER_COLUMNS]}`, op, value);
    if (field === 'online') return this.online(op, value);
    if (field === 'pages.url') return this.pages(op, value);
    if (field.startsWith('attributes.')) return this.attribute(field.slice('attributes.'.length), op, value);
    if (field.startsWith('events.')) return this.event(field.slice('events.'.length), op, value);
    return fail(`unknown field ${field}`);
  }

  private text(col: string, op: VisitorConditionOp, value: unknown): string {
    switch (op) {
      case 'eq':
      case 'neq': {
        if (typeof value !== 'string') fail(`${op} needs a string value`);
        const p = this.bind(col === 'v.email' ? (value as string).toLowerCase() : value);
        return op === 'eq' ? `${col} = ${p}` : `(${col} IS NULL OR ${col} <> ${p})`;
      }
      case 'contains':
      case 'starts_with':
        return `LOWER(${col}) LIKE ${this.like(value, op)}`;
      case 'exists':
        return `(${col} IS NOT NULL AND ${col} <> '')`;
      case 'not_exists':
        return `(${col} IS NULL OR ${col} = '')`;
      default:
        return fail(`operator ${op} does not apply to a text field`);
    }
  }

  private date(col: string, op: VisitorConditionOp, value: unknown): string {
    if (op === 'in_last_days') return `${col} >= ${this.days(value, op)}`;
    if (op === 'not_in_last_days') return `${col} < ${this.days(value, op)}`;
    const cmp = op === 'eq' ? undefined : Compiler.CMP[op];
    if (!cmp) fail(`operator ${op} does not apply to a date field`);
    return `${col} ${cmp} ${this.dateValue(value, op)}`;
  }

  private number(col: string, op: VisitorConditionOp, value: unknown): string {
    if (op === 'neq') return `${col} <> ${this.num(value, op)}`;
    const cmp = Compiler.CMP[op];
    if (!cmp) fail(`operator ${op} does not apply to a number field`);
    return `${col} ${cmp} ${this.num(value, op)}`;
  }

  private online(op: VisitorConditionOp, value: unknown): string {
    if ((op !== 'eq' && op !== 'neq') || typeof value !== 'boolean') fail('online takes eq or neq with true or false');
    const wanted = op === 'eq' ? value : !value;
    const ids = this.env.onlineIds();
    if (!ids.length) return wanted ? '1 = 0' : '1 = 1';
    return `v.id ${wanted ? 'IN' : 'NOT IN'} (${this.bind(ids)})`;
  }

  /** Visitors with a page view matching `cond` — one set-based subquery (indexes on page_views), not a lookup per visitor. */
  private pages(op: VisitorConditionOp, value: unknown): string {
    const some = (cond: string) => `v.id IN (SELECT p.visitor_id FROM page_views p WHERE p.account_id = :accountId AND ${cond})`;
    switch (op) {
      case 'eq':
      case 'neq':
        if (typeof value !== 'string') fail(`${op} needs a string value`);
        return op === 'eq' ? some(`p.url = ${this.bind(value)}`) : `NOT ${some(`p.url = ${this.bind(value)}`)}`;
      case 'contains':
      case 'starts_with':
        return some(`LOWER(p.url) LIKE ${this.like(value, op)}`);
      case 'exists':
        return some('1 = 1');
      case 'not_exists':
        return `NOT ${some('1 = 1')}`;
      default:
        return fail(`operator ${op} does not apply to pages.url`);
    }
  }

  /**
   * Event conditions as set-based subqueries over tracked_events (index on account, name,
   * time): "did it" is `IN`, a count compares per visitor with `HAVING`, and a count that
   * zero satisfies (eq 0, lt, lte, neq) is the complement of the visitors whose count fails it.
   */
  private event(name: string, op: VisitorConditionOp, value: unknown): string {
    if (!EVENT_NAME.test(name)) fail('an event name is 1…100 printable characters');
    const from = `FROM tracked_events e WHERE e.account_id = :accountId AND e.name = ${this.bind(name)}`;
    const who = (extra = '') => `v.id IN (SELECT e.visitor_id ${from}${extra})`;
    if (op === 'exists') return who();
    if (op === 'not_exists') return `NOT ${who()}`;
    if (op === 'in_last_days') return who(` AND e.created_at >= ${this.days(value, op)}`);
    if (op === 'not_in_last_days') return `NOT ${who(` AND e.created_at >= ${this.days(value, op)}`)}`;
    const cmp = (op === 'neq' ? '<>' : Compiler.CMP[op]) ?? fail(`operator ${op} does not apply to an event count`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) fail(`${op} on an event count needs a whole number`);
    const n = value as number;
    const zeroMatches = { '=': n === 0, '<>': n !== 0, '>': false, '>=': n === 0, '<': n > 0, '<=': true }[cmp]!;
    // "At least once" needs no count.
    if ((cmp === '>' && n === 0) || (cmp === '>=' && n === 1)) return who();
    const k = this.bind(n);
    const grouped = (having: string) => `v.id IN (SELECT e.visitor_id ${from} GROUP BY e.visitor_id HAVING ${having})`;
    if (!zeroMatches) return grouped(`COUNT(*) ${cmp} ${k}`);
    // Zero matches: everyone except the visitors who did it and whose count fails the comparison.
    return `NOT ${grouped(`NOT (COUNT(*) ${cmp} ${k})`)}`;
  }

  private attribute(key: string, op: VisitorConditionOp, value: unknown): string {
    if (!ATTRIBUTE_KEY.test(key) || ['__proto__', 'constructor', 'prototype'].includes(key)) fail('an attribute name is 1…64 of letters, digits, _ . -');
    const pg = this.env.dialect === 'postgres';
    const k = this.bind(pg ? key : `$."${key}"`);
    const type = pg ? `json_typeof(v.attributes -> ${k})` : `json_type(v.attributes, ${k})`;
    const isString = pg ? `${type} = 'string'` : `${type} = 'text'`;
    const isNumber = pg ? `${type} = 'number'` : `${type} IN ('integer', 'real')`;
    const raw = pg ? `(v.attributes ->> ${k})` : `json_extract(v.attributes, ${k})`;
    const str = `(CASE WHEN ${isString} THEN ${raw} END)`;
    const numeric = `(CASE WHEN ${isNumber} THEN ${pg ? `${raw}::numeric` : raw} END)`;
    const eq = (): string => {
      if (typeof value === 'string') return `${str} = ${this.bind(value)}`;
      if (typeof value === 'number' && Number.isFinite(value)) return `${numeric} = ${this.bind(value)}`;
      if (typeof value === 'boolean') return pg ? `(${type} = 'boolean' AND ${raw} = ${this.bind(String(value))})` : `${type} = ${this.bind(String(value))}`;
      return fail(`${op} on an attribute needs a string, number or boolean`);
    };
    switch (op) {
      case 'eq':
        return eq();
      case 'neq':
        return `(CASE WHEN ${eq()} THEN 1 ELSE 0 END) = 0`;
      case 'contains':
      case 'starts_with':
        return `LOWER(${str}) LIKE ${this.like(value, op)}`;
      case 'exists':
        return `(${type} IS NOT NULL AND ${type} <> 'null')`;
      case 'not_exists':
        return `(${type} IS NULL OR ${type} = 'null')`;
      case 'in_last_days':
        return `${str} >= ${this.bind(new Date(this.env.now.getTime() - this.dayCount(value, op) * DAY_MS).toISOString())}`;
      case 'not_in_last_days':
        return `${str} < ${this.bind(new Date(this.env.now.getTime() - this.dayCount(value, op) * DAY_MS).toISOString())}`;
      default: {
        const cmp = Compiler.CMP[op]!;
        if (typeof value === 'number' && Number.isFinite(value)) return `${numeric} ${cmp} ${this.bind(value)}`;
        if (typeof value === 'string') return `${str} ${cmp} ${this.bind(value)}`;
        return fail(`${op} on an attribute needs a number or a string (ISO dates compare as dates)`);
      }
    }
  }

  private dayCount(value: unknown, op: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 36_500) fail(`${op} needs a whole number of days (0…36500)`);
    return value as number;
  }
}

/** SQL (a boolean expression over `visitors v`) and its replacements; throws TypeError on a malformed condition. */
export function compileVisitorCondition(cond: VisitorCondition | undefined, env: CompileEnv): { sql: string; params: Record<string, unknown> } {
  const c = new Compiler(env);
  return { sql: cond === undefined ? '1 = 1' : c.compile(cond), params: c.params };
}
