import { describe, expect, it } from 'vitest';
import { anonymousVisitorName, visitorDisplayName } from './visitor-name';

describe('visitorDisplayName', () => {
  it('keeps a name, then an e-mail', () => {
    expect(visitorDisplayName({ id: 'v1', name: 'Vera', email: 'v@x.io' }, 'en')).toBe('Vera');
    expect(visitorDisplayName({ id: 'v1', email: 'v@x.io' }, 'en')).toBe('v@x.io');
  });
  it('gives an anonymous visitor one stable, friendly name per language', () => {
    const id = '01a23b2b-fe66-7586-975d-e02e7568cde0';
    const en = visitorDisplayName({ id }, 'en');
    expect(en).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(visitorDisplayName({ id, name: null }, 'en-US')).toBe(en);
    expect(visitorDisplayName({ id }, 'es')).toMatch(/^\S+ \S+$/);
    expect(visitorDisplayName({ id }, 'es')).not.toBe(en);
    expect(anonymousVisitorName('another-id', 'en')).not.toBe(anonymousVisitorName('yet-another', 'en'));
  });
  it('uses the fallback without an id', () => {
    expect(visitorDisplayName(undefined, 'en', 'Visitor')).toBe('Visitor');
  });
});
