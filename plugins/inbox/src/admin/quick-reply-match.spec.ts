import { describe, expect, it } from 'vitest';
import type { QuickReply } from './inbox-api';
import { matchQuickReplies, quickReplyQuery } from './quick-reply-match';

const qr = (shortcut: string): QuickReply => ({ id: shortcut, shortcut, title: '', content: '', variables: [], createdBy: null });

describe('quick reply picker', () => {
  it('recognises a shortcut being typed', () => {
    expect(quickReplyQuery('/ref')).toBe('ref');
    expect(quickReplyQuery('/')).toBe('');
    expect(quickReplyQuery('/Refund ')).toBe('refund');
    expect(quickReplyQuery('hello /ref')).toBeNull();
    expect(quickReplyQuery('/ref and more')).toBeNull();
    expect(quickReplyQuery('')).toBeNull();
  });
  it('matches by prefix, exact match first', () => {
    const list = [qr('/refund-late'), qr('/hello'), qr('/refund'), qr('/ref')];
    expect(matchQuickReplies(list, 'refund').map((r) => r.shortcut)).toEqual(['/refund', '/refund-late']);
    expect(matchQuickReplies(list, 'ref').map((r) => r.shortcut)).toEqual(['/ref', '/refund', '/refund-late']);
    expect(matchQuickReplies(list, '', 2)).toHaveLength(2);
  });
});
