import { describe, expect, it } from 'vitest';
import { LOCK_GRACE_MS, LOCK_TYPING_MS, activeHolders, onAgentMessage, onTyping } from './soft-lock';

describe('soft lock', () => {
  const t0 = 1_000_000;
  it('another agent typing takes the lock; my own typing does not', () => {
    let s = onTyping([], { userId: 'ana', name: 'Ana', typing: true }, 'me', t0);
    s = onTyping(s, { userId: 'me', name: 'Me', typing: true }, 'me', t0);
    expect(activeHolders(s, t0 + 1000).map((h) => h.name)).toEqual(['Ana']);
    expect(activeHolders(s, t0 + LOCK_TYPING_MS + 1)).toEqual([]);
  });
  it('stopping typing keeps the lock for a grace period, keeping the name', () => {
    let s = onTyping([], { userId: 'ana', name: 'Ana', typing: true }, 'me', t0);
    s = onTyping(s, { userId: 'ana', typing: false }, 'me', t0 + 5000);
    expect(activeHolders(s, t0 + 5000 + LOCK_GRACE_MS - 1)).toEqual([{ userId: 'ana', name: 'Ana', until: t0 + 5000 + LOCK_GRACE_MS }]);
    expect(activeHolders(s, t0 + 5000 + LOCK_GRACE_MS)).toEqual([]);
  });
  it("the holder's message releases the lock; others keep theirs", () => {
    let s = onTyping([], { userId: 'ana', name: 'Ana', typing: true }, 'me', t0);
    s = onTyping(s, { userId: 'bo', name: 'Bo', typing: true }, 'me', t0);
    s = onAgentMessage(s, 'ana');
    expect(activeHolders(s, t0).map((h) => h.userId)).toEqual(['bo']);
    expect(onAgentMessage(s, 'zed')).toBe(s);
  });
  it('ignores events without a user id', () => {
    expect(onTyping([], { typing: true }, 'me', t0)).toEqual([]);
  });
});
