import { describe, expect, it } from 'vitest';
import { lastStoredId, lastVisitorMessage, markReadUpTo, mergeMessages, type PendingMessage } from './message-list-state';

const msg = (id: string, seq: number, patch: Partial<PendingMessage> = {}): PendingMessage => ({
  id,
  conversationId: 'c',
  seq,
  senderType: 'visitor',
  content: id,
  private: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...patch,
});

describe('message list state', () => {
  it('orders by seq and never duplicates (catch-up overlapping live events)', () => {
    const list = mergeMessages([msg('m2', 2), msg('m1', 1)], [msg('m2', 2), msg('m3', 3)]);
    expect(list.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
  });

  it('replaces an optimistic message by the stored one with the same clientId', () => {
    const pending = msg('pending-x', Number.MAX_SAFE_INTEGER, { clientId: 'x', senderType: 'agent', pending: true });
    let list = mergeMessages([msg('m1', 1)], [pending]);
    expect(list.at(-1)?.pending).toBe(true);
    list = mergeMessages(list, [msg('m5', 5, { clientId: 'x', senderType: 'agent' })]);
    expect(list.map((m) => m.id)).toEqual(['m1', 'm5']);
    expect(list[1].pending).toBe(false);
  });

  it('keeps pending messages after stored ones', () => {
    const list = mergeMessages([msg('p', 0, { pending: true, clientId: 'p' })], [msg('m1', 1)]);
    expect(list.map((m) => m.id)).toEqual(['m1', 'p']);
  });

  it('marks agent messages read up to the visitor read receipt', () => {
    const list = [msg('a1', 1, { senderType: 'agent' }), msg('a2', 2, { senderType: 'agent' }), msg('a3', 3, { senderType: 'agent' })];
    const read = markReadUpTo(list, 'a2', 'now');
    expect(read.map((m) => !!m.readAt)).toEqual([true, true, false]);
  });

  it('finds the catch-up cursor and the last visitor message', () => {
    const list = [msg('m1', 1), msg('a2', 2, { senderType: 'agent' }), msg('p', 0, { pending: true })];
    expect(lastStoredId(list)).toBe('a2');
    expect(lastVisitorMessage(list)?.id).toBe('m1');
  });
});
