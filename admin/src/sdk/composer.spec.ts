import { TestBed } from '@angular/core/testing';
import { describe, expect, it } from 'vitest';
import { ComposerExtensions } from './composer';

describe('ComposerExtensions', () => {
  it('registers per conversation, replaces by id and unregisters', () => {
    const c = TestBed.inject(ComposerExtensions);
    const offA = c.register({ id: 'x/one', conversationId: 'a' });
    c.register({ id: 'y/all' });
    expect(c.for('a').map((e) => e.id)).toEqual(['x/one', 'y/all']);
    expect(c.for('b').map((e) => e.id)).toEqual(['y/all']);
    const offB = c.register({ id: 'x/one', conversationId: 'b' });
    expect(c.for('a').map((e) => e.id)).toEqual(['y/all']);
    offA(); // stale: the replaced registration is already gone
    expect(c.for('b').map((e) => e.id)).toEqual(['y/all', 'x/one']);
    offB();
    expect(c.for('b').map((e) => e.id)).toEqual(['y/all']);
  });
});
