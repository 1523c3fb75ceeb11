import { TestBed } from '@angular/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { I18nService } from './i18n.service';

describe('I18nService', () => {
  let i18n: I18nService;
  beforeEach(() => {
    localStorage.clear();
    i18n = TestBed.inject(I18nService);
    i18n.register({ en: { 'a.hello': 'Hello {name}', 'a.only': 'English only' }, es: { 'a.hello': 'Hola {name}' } });
  });

  it('translates with placeholders and switches locale at runtime', () => {
    i18n.setLocale('en');
    expect(i18n.t('a.hello', { name: 'Ana' })).toBe('Hello Ana');
    i18n.setLocale('es');
    expect(i18n.t('a.hello', { name: 'Ana' })).toBe('Hola Ana');
    expect(document.documentElement.lang).toBe('es');
  });

  it('falls back to English, then to the key', () => {
    i18n.setLocale('es');
    expect(i18n.t('a.only')).toBe('English only');
    expect(i18n.t('a.missing')).toBe('a.missing');
  });

  it('lets a plugin extend the catalogue later', () => {
    i18n.setLocale('es');
    i18n.register({ es: { 'plugin.x': 'Extensión' } });
    expect(i18n.t('plugin.x')).toBe('Extensión');
  });
});
