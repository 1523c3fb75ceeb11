import type { VisitorCondition, VisitorConditionOp, VisitorSortField } from '@charla/plugin-conversations';
import { ContactErrors } from './errors.js';

/**
 * The contacts filter language (API-features.md § Contacts): parsed and checked here, so
 * a bad filter is a 400 naming the place, the field, the operator or the type; then
 * handed, typed, to `ConversationsData.visitors.search`, which compiles it to SQL.
 */
export const OPS = ['eq', 'neq', 'contains', 'starts_with', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists', 'in_last_days', 'not_in_last_days'] as const;

type Kind = 'text' | 'date' | 'number' | 'boolean' | 'attribute' | 'event' | 'page';
const FIELDS: Record<string, Kind> = {
  name: 'text', email: 'text', externalId: 'text', country: 'text', language: 'text', siteId: 'text',
  firstSeenAt: 'date', lastSeenAt: 'date', visitCount: 'number', pageViewCount: 'number', online: 'boolean', 'pages.url': 'page',
};
/** Operators per kind of field, and the value each expects. */
const ALLOWED: Record<Kind, Partial<Record<VisitorConditionOp, 'string' | 'number' | 'days' | 'date' | 'boolean' | 'scalar' | 'numberOrString' | 'none' | 'count'>>> = {
  text: { eq: 'string', neq: 'string', contains: 'string', starts_with: 'string', exists: 'none', not_exists: 'none' },
  date: { gt: 'date', gte: 'date', lt: 'date', lte: 'date', in_last_days: 'days', not_in_last_days: 'days' },
  number: { eq: 'number', neq: 'number', gt: 'number', gte: 'number', lt: 'number', lte: 'number' },
  boolean: { eq: 'boolean', neq: 'boolean' },
  page: { eq: 'string', neq: 'string', contains: 'string', starts_with: 'string', exists: 'none', not_exists: 'none' },
  attribute: {
    eq: 'scalar', neq: 'scalar', contains: 'string', starts_with: 'string', gt: 'numberOrString', gte: 'numberOrString', lt: 'numberOrString', lte: 'numberOrString',
    exists: 'none', not_exists: 'none', in_last_days: 'days', not_in_last_days: 'days',
  },
  event: { eq: 'count', neq: 'count', gt: 'count', gte: 'count', lt: 'count', lte: 'count', exists: 'none', not_exists: 'none', in_last_days: 'days', not_in_last_days: 'days' },
};
const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
// 1…100 characters, none of them a control character.
const EVENT_NAME = { test: (v: string) => v.length >= 1 && v.length <= 100 && ![...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127) };
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 100;
export const SORT_FIELDS: VisitorSortField[] = ['lastSeenAt', 'firstSeenAt', 'createdAt', 'visitCount', 'pageViewCount'];

const bad = (path: string, msg: string) => ContactErrors.badFilter(`${path}: ${msg}`);

function kindOf(field: string, path: string): Kind {
  if (Object.hasOwn(FIELDS, field)) return FIELDS[field];
  if (field.startsWith('attributes.')) {
    const key = field.slice(11);
    if (!ATTRIBUTE_KEY.test(key) || ['__proto__', 'constructor', 'prototype'].includes(key)) throw bad(path, `"${field.slice(0, 80)}" is not an attribute name (letters, digits, _ . -, at most 64).`);
    return 'attribute';
  }
  if (field.startsWith('events.')) {
    if (!EVENT_NAME.test(field.slice(7))) throw bad(path, 'an event name is 1 to 100 printable characters.');
    return 'event';
  }
  throw bad(path, `unknown field "${field.slice(0, 80)}"; fields are ${Object.keys(FIELDS).join(', ')}, attributes.<key>, events.<name>.`);
}

function checkValue(expect: string, value: unknown, path: string, field: string, op: string): void {
  const is = {
    string: typeof value === 'string' && value.length <= 2000,
    number: typeof value === 'number' && Number.isFinite(value),
    count: typeof value === 'number' && Number.isInteger(value) && value >= 0,
    days: typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 36_500,
    date: typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(new Date(value).getTime()),
    boolean: typeof value === 'boolean',
    scalar: (typeof value === 'string' && value.length <= 2000) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)),
    numberOrString: (typeof value === 'string' && value.length <= 2000) || (typeof value === 'number' && Number.isFinite(value)),
    none: value === undefined || value === null,
  }[expect];
  if (is) return;
  const want = {
    string: 'a string (at most 2000 characters)', number: 'a number', count: 'a whole number of events (0 or more)', days: 'a whole number of days (0 to 36500)',
    date: 'an ISO-8601 date such as 2026-12-01 or 2026-12-01T10:00:00Z', boolean: 'true or false', scalar: 'a string, number or boolean', numberOrString: 'a number or a string', none: 'no value',
  }[expect];
  throw bad(path, `${field} ${op} takes ${want}, got ${value === undefined ? 'nothing' : JSON.stringify(value)?.slice(0, 80)}.`);
}

/** A request's filter → the typed condition, or a 400 problem naming what is wrong. */
export function parseFilter(input: unknown, path = 'filter'): VisitorCondition {
  let count = 0;
  const walk = (node: unknown, p: string, depth: number): VisitorCondition => {
    if (depth > MAX_DEPTH) throw bad(p, `filters nest at most ${MAX_DEPTH} levels deep.`);
    if (!node || typeof node !== 'object' || Array.isArray(node)) throw bad(p, 'a filter is {and:[…]}, {or:[…]} or {field, op, value}.');
    const o = node as Record<string, unknown>;
    const keys = Object.keys(o);
    for (const group of ['and', 'or'] as const) {
      if (!(group in o)) continue;
      if (keys.length !== 1) throw bad(p, `"${group}" stands alone: {${group}:[…]}.`);
      const list = o[group];
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CONDITIONS) throw bad(`${p}.${group}`, `a non-empty list of at most ${MAX_CONDITIONS} filters.`);
      const parts = list.map((x, i) => walk(x, `${p}.${group}[${i}]`, depth + 1));
      return group === 'and' ? { and: parts } : { or: parts };
    }
    const extra = keys.filter((k) => !['field', 'op', 'value'].includes(k));
    if (extra.length) throw bad(p, `unknown key "${extra[0].slice(0, 40)}"; a condition is {field, op, value}.`);
    if (++count > MAX_CONDITIONS) throw bad(p, `a filter has at most ${MAX_CONDITIONS} conditions.`);
    if (typeof o.field !== 'string' || !o.field) throw bad(p, 'field must be a non-empty string.');
    const kind = kindOf(o.field, `${p}.field`);
    if (typeof o.op !== 'string' || !(OPS as readonly string[]).includes(o.op)) throw bad(`${p}.op`, `unknown operator ${JSON.stringify(o.op)?.slice(0, 40)}; operators are ${OPS.join(', ')}.`);
    const op = o.op as VisitorConditionOp;
    const expect = ALLOWED[kind][op];
    if (!expect) throw bad(`${p}.op`, `${o.field} does not take ${op}; it takes ${Object.keys(ALLOWED[kind]).join(', ')}.`);
    checkValue(expect, o.value, `${p}.value`, o.field, op);
    return expect === 'none' ? { field: o.field, op } : { field: o.field, op, value: o.value as string | number | boolean };
  };
  return walk(input, path, 0);
}

export function parseSort(input: unknown): { field: VisitorSortField; order: 'asc' | 'desc' } | undefined {
  if (input === undefined) return undefined;
  const o = input as { field?: unknown; order?: unknown };
  if (!o || typeof o !== 'object' || !SORT_FIELDS.includes(o.field as VisitorSortField)) throw ContactErrors.badFilter(`sort.field: one of ${SORT_FIELDS.join(', ')}.`);
  if (o.order !== undefined && o.order !== 'asc' && o.order !== 'desc') throw ContactErrors.badFilter('sort.order: asc or desc.');
  return { field: o.field as VisitorSortField, order: (o.order as 'asc' | 'desc' | undefined) ?? 'desc' };
}
