import { describe, expect, it } from 'vitest';
import { defineAdminPlugin, validatePlugins } from './index';

const load = () => Promise.resolve(class {});

describe('validatePlugins', () => {
  it('accepts namespaced contributions to known slots', () => {
    const p = defineAdminPlugin({
      name: 'tags',
      nav: [{ id: 'tags/nav/v1', path: 'tags', label: 'tags.nav' }],
      routes: [{ path: 'tags' }],
      slots: [{ id: 'tags/panel/v1', slot: 'conversation.sidebar', loadComponent: load }],
    });
    expect(validatePlugins([p])).toEqual([]);
  });

  it('names an unknown slot and lists the known ones', () => {
    const p = { name: 'tags', slots: [{ id: 'tags/panel/v1', slot: 'conversation.footer', loadComponent: load }] };
    const problems = validatePlugins([p as never]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('unknown slot "conversation.footer"');
    expect(problems[0]).toContain('conversation.sidebar');
  });

  it('accepts contributions to a slot another plugin declares, and lists declared slots as known', () => {
    const host = { name: 'conversations', declares: [{ name: 'conversations.visitor-profile', description: 'Under the visitor panel' }] };
    const guest = { name: 'inbox', slots: [{ id: 'inbox/why/v1', slot: 'conversations.visitor-profile', loadComponent: load }] };
    expect(validatePlugins([host, guest] as never)).toEqual([]);
    const lost = { name: 'inbox', slots: [{ id: 'inbox/x/v1', slot: 'conversations.footer', loadComponent: load }] };
    const problems = validatePlugins([host, lost] as never);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('unknown slot "conversations.footer"');
    expect(problems[0]).toContain('conversations.visitor-profile');
    expect(validatePlugins([guest] as never)[0]).toContain('unknown slot "conversations.visitor-profile"');
  });

  it('refuses declared slots outside the plugin\'s namespace, declared twice, or without a description', () => {
    const a = { name: 'a', declares: [{ name: 'b.panel', description: 'x' }, { name: 'dashboard.cards', description: 'x' }, { name: 'a.panel', description: '' }] };
    const b = { name: 'b', declares: [{ name: 'b.panel', description: 'x' }, { name: 'b.panel', description: 'y' }] };
    const problems = validatePlugins([a, b] as never);
    expect(problems).toContain('plugin "a": declared slot "b.panel" must be named "a.<place>" (lower-case, dots between parts)');
    expect(problems).toContain('plugin "a": declared slot "dashboard.cards" must be named "a.<place>" (lower-case, dots between parts)');
    expect(problems).toContain('plugin "a": declared slot "a.panel" needs a description');
    expect(problems).toContain('plugin "b": slot "b.panel" is already declared by plugin "b"');
    expect(problems).toHaveLength(4);
  });

  it('refuses a duplicate id across plugins, naming both', () => {
    const a = { name: 'a', slots: [{ id: 'a/x/v1', slot: 'dashboard.cards', loadComponent: load }] };
    const b = { name: 'b', nav: [{ id: 'a/x/v1', path: 'b', label: 'b' }] };
    const problems = validatePlugins([a, b] as never);
    expect(problems.some((p) => p.includes('duplicate contribution id "a/x/v1"') && p.includes('plugin "a"'))).toBe(true);
  });

  it('requires ids of the form <plugin>/<feature>/v<N> owned by the plugin', () => {
    const p = { name: 'a', slots: [{ id: 'panel', slot: 'dashboard.cards', loadComponent: load }, { id: 'b/panel/v1', slot: 'dashboard.cards', loadComponent: load }] };
    const problems = validatePlugins([p] as never);
    expect(problems).toHaveLength(2);
  });

  it('accepts settings pages and refuses built-in or taken paths, bad paths and missing components', () => {
    const load = () => Promise.resolve(class {});
    const ok = defineAdminPlugin({ name: 'hooks', settings: [{ id: 'hooks/settings/v1', path: 'hooks', label: 'hooks.nav', loadComponent: load }] });
    expect(validatePlugins([ok])).toEqual([]);
    const clash = { name: 'other', settings: [{ id: 'other/settings/v1', path: 'hooks', label: 'x', loadComponent: load }, { id: 'other/keys/v1', path: 'api-keys', label: 'x', loadComponent: load }] };
    const bad = { name: 'bad', settings: [{ id: 'bad/settings/v1', path: 'a/b', label: 'x', loadComponent: load }, { id: 'bad/none/v1', path: 'none', label: 'x' }] };
    const problems = validatePlugins([ok, clash, bad] as never);
    expect(problems).toContain('plugin "other": settings page "hooks" is already used by plugin "hooks"');
    expect(problems).toContain('plugin "other": settings page "api-keys" is already used by the admin');
    expect(problems.some((p) => p.includes('"bad/settings/v1" needs a one-segment path'))).toBe(true);
    expect(problems).toContain('plugin "bad": settings page "bad/none/v1" needs loadComponent');
  });

  it('refuses route clashes and the shell reserved paths', () => {
    const a = { name: 'a', routes: [{ path: 'inbox' }] };
    const b = { name: 'b', routes: [{ path: 'inbox/:id' }, { path: 'settings' }] };
    const problems = validatePlugins([a, b] as never);
    expect(problems.some((p) => p.includes('route "inbox" is already used by plugin "a"'))).toBe(true);
    expect(problems.some((p) => p.includes('"settings" is reserved'))).toBe(true);
  });

  it('checks element contributions (runtime fallback)', () => {
    const ok = { name: 'x', slots: [{ id: 'x/el/v1', slot: 'dashboard.cards', element: { tagName: 'x-card', src: '/plugins/x/card.js' } }] };
    expect(validatePlugins([ok] as never)).toEqual([]);
    const bad = { name: 'x', slots: [{ id: 'x/el/v1', slot: 'dashboard.cards', element: { tagName: 'card', src: 'https://evil.example/card.js' } }] };
    expect(validatePlugins([bad] as never)).toHaveLength(2);
  });

  it('accepts a background part given as a lazy loader, refuses anything else', () => {
    expect(validatePlugins([defineAdminPlugin({ name: 'alerts', background: load })])).toEqual([]);
    const problems = validatePlugins([{ name: 'alerts', background: 'priority-alerts' } as never]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('plugin "alerts": "background" must be a function');
  });
});
