import { describe, expect, it } from 'vitest';
import type { Conversation } from '@charla/admin/sdk';
import { DEFAULT_FILTER, filterQuery, matchesFilter, mergeConversation } from './inbox-filter';

const conv = (id: string, patch: Partial<Conversation> = {}): Conversation => ({
  id,
  status: 'open',
  siteId: 's1',
  assigneeId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...patch,
});

describe('inbox filter', () => {
  it('the default view asks for open and pending of everyone', () => {
    expect(filterQuery(DEFAULT_FILTER)).toEqual({ limit: '50' });
    expect(matchesFilter(conv('a', { status: 'pending' }), DEFAULT_FILTER, 'me')).toBe(true);
    expect(matchesFilter(conv('a', { status: 'closed' }), DEFAULT_FILTER, 'me')).toBe(false);
  });

  it('builds the query of a specific filter', () => {
    expect(filterQuery({ status: 'closed', assignee: 'me', siteId: 's2', tag: '' })).toEqual({ limit: '50', status: 'closed', assignee: 'me', siteId: 's2' });
    expect(filterQuery({ ...DEFAULT_FILTER, tag: 'Billing' })).toEqual({ limit: '50', tag: 'Billing' });
  });

  it('a tag filter keeps only conversations with that tag (live updates included)', () => {
    const tagged = conv('a', { tags: ['Billing', 'VIP'] });
    expect(matchesFilter(tagged, { ...DEFAULT_FILTER, tag: 'Billing' }, null)).toBe(true);
    expect(matchesFilter(tagged, { ...DEFAULT_FILTER, tag: 'billing' }, null)).toBe(false);
    expect(matchesFilter(conv('b'), { ...DEFAULT_FILTER, tag: 'Billing' }, null)).toBe(false);
    expect(mergeConversation([tagged], conv('a', { tags: ['VIP'] }), { ...DEFAULT_FILTER, tag: 'Billing' }, null)).toEqual([]);
  });

  it('matches mine / unassigned / a given agent / site', () => {
    const mine = conv('a', { assigneeId: 'u1' });
    expect(matchesFilter(mine, { ...DEFAULT_FILTER, assignee: 'me' }, 'u1')).toBe(true);
    expect(matchesFilter(mine, { ...DEFAULT_FILTER, assignee: 'unassigned' }, 'u1')).toBe(false);
    expect(matchesFilter(mine, { ...DEFAULT_FILTER, assignee: 'u2' }, 'u1')).toBe(false);
    expect(matchesFilter(mine, { ...DEFAULT_FILTER, siteId: 's9' }, 'u1')).toBe(false);
  });

  it('merges live updates: newest activity first, keeps the visitor, drops what leaves the filter', () => {
    const a = conv('a', { updatedAt: '2026-01-01T10:00:00.000Z', visitor: { id: 'v1', name: 'Vera' } });
    const b = conv('b', { updatedAt: '2026-01-01T11:00:00.000Z' });
    let list = mergeConversation([b], a, DEFAULT_FILTER, null);
    expect(list.map((c) => c.id)).toEqual(['b', 'a']);
    list = mergeConversation(list, conv('a', { updatedAt: '2026-01-01T12:00:00.000Z' }), DEFAULT_FILTER, null);
    expect(list.map((c) => c.id)).toEqual(['a', 'b']);
    expect(list[0].visitor?.name).toBe('Vera');
    list = mergeConversation(list, conv('a', { status: 'closed', updatedAt: '2026-01-01T13:00:00.000Z' }), DEFAULT_FILTER, null);
    expect(list.map((c) => c.id)).toEqual(['b']);
  });
});
