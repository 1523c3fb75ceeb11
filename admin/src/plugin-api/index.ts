/**
 * The contract between the admin shell and a plugin's admin module.
 *
 * This file must stay free of runtime Angular imports: the build-time registry
 * generator (admin/scripts/generate-plugin-registry.mjs) loads plugin entries in
 * Node to validate them before `ng build`. Components are referenced only through
 * lazy `loadComponent` / `loadChildren` functions.
 */
import type { Type } from '@angular/core';
import type { Routes } from '@angular/router';
import type { Conversation, Visitor, Site } from '../sdk/models';

/** The admin's own slots. Plugins add theirs with `declares` (below). */
export const SLOT_NAMES = [
  'conversation.sidebar',
  'conversation.header',
  'settings.sections',
  'dashboard.cards',
] as const;

/**
 * What each slot hands to the components it hosts (as Angular inputs or element
 * properties). Open: a plugin that declares a slot adds its inputs here by declaration
 * merging, so contributions and `<ch-slot>` are typed for it too:
 *
 *     declare module '@charla/admin/plugin-api' {
 *       interface SlotInputs { 'conversations.visitor-profile': { visitor: Visitor; conversation: Conversation } }
 *     }
 */
export interface SlotInputs {
  'conversation.sidebar': { conversation: Conversation; visitor: Visitor | null };
  'conversation.header': { conversation: Conversation };
  'settings.sections': Record<string, never>;
  'dashboard.cards': { sites: readonly Site[] };
}

/** The admin's slots and every slot a plugin declared (and typed in `SlotInputs`). */
export type SlotName = keyof SlotInputs & string;

/**
 * A slot a plugin opens for others inside its own screens (hosted there with
 * `<ch-slot name="…">`). Named `<plugin>.<place>`; contributions to it are checked like
 * those to the admin's slots.
 */
export interface SlotDeclaration {
  readonly name: SlotName;
  /** What the slot is for and where it shows (listed in the build's error for an unknown slot). */
  readonly description: string;
}

/** `<plugin>.<place>`: lower-case words, dots between parts. */
export const DECLARED_SLOT_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

/** `<plugin>/<feature>/v<major>` */
export const CONTRIBUTION_ID_PATTERN = /^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*\/v[0-9]+$/;

export const LOCALES = ['en', 'es'] as const;
export type Locale = (typeof LOCALES)[number];
export type MessageCatalogue = Record<string, string>;

interface ContributionBase<S extends SlotName> {
  /** Namespaced id: `<plugin>/<feature>/v1`. Unique across every enabled plugin. */
  readonly id: string;
  readonly slot: S;
  /** i18n key (or plain text) of a heading shown above the contribution, where the slot shows headings. */
  readonly title?: string;
  /** Lower first; default 100. */
  readonly order?: number;
  /** Shown only to accounts whose plan grants this entitlement (GET /api/v1/account/entitlements). */
  readonly entitlement?: string;
}

/** An Angular standalone component compiled with the admin (build-time registry). */
export interface ComponentContribution<S extends SlotName = SlotName> extends ContributionBase<S> {
  readonly loadComponent: () => Promise<Type<unknown>>;
}

/**
 * Runtime fallback: a custom element served by the plugin itself (not compiled with the
 * admin's Angular). The slot's inputs are set as element properties; the element may
 * dispatch DOM events, which are ignored by the host unless documented per slot.
 */
export interface ElementContribution<S extends SlotName = SlotName> extends ContributionBase<S> {
  readonly element: { readonly tagName: string; readonly src: string };
}

export type SlotContribution = ComponentContribution | ElementContribution;

export interface NavItem {
  readonly id: string;
  /** Route path, relative to the admin root (e.g. `inbox`). */
  readonly path: string;
  /** i18n key */
  readonly label: string;
  /** One of the shell's icon names (`inbox`, `chart`, `bot`, `book`, `bolt`, `link`, `tag`, `users`, `settings`) */
  readonly icon?: string;
  readonly order?: number;
  /** Hidden unless the account's plan grants this entitlement (the server refuses the routes anyway). */
  readonly entitlement?: string;
  /** Shown only to instance operators (OPERATOR_EMAILS; `operator` of GET /api/v1/account/entitlements). */
  readonly operator?: boolean;
}

/** A page of the plugin's under Settings (`/admin/settings/<path>`), listed in the settings menu. */
export interface SettingsPage {
  readonly id: string;
  /** One path segment, unique among the settings pages (not `account`, `team`, `sites`, `plugins`, `api-keys`). */
  readonly path: string;
  /** i18n key of the menu entry. */
  readonly label: string;
  readonly loadComponent: () => Promise<Type<unknown>>;
  /** Shown to owners and admins only (the route is guarded too). */
  readonly managersOnly?: boolean;
  readonly order?: number;
}

export interface AdminPluginDefinition {
  /** Same as the server plugin's name. */
  readonly name: string;
  /** Mounted under the authenticated shell. First path segments must be unique. */
  readonly routes?: Routes;
  readonly nav?: readonly NavItem[];
  /** Pages under Settings, after the built-in ones. */
  readonly settings?: readonly SettingsPage[];
  readonly slots?: readonly SlotContribution[];
  /** Slots this plugin hosts for other plugins to contribute to (`<plugin>.<place>`). */
  readonly declares?: readonly SlotDeclaration[];
  /** The plugin's own strings, merged into the runtime catalogue. Keys should start with `<plugin>.`. */
  readonly messages?: Partial<Record<Locale, MessageCatalogue>>;
  /** Route to open after log in when this plugin is enabled (the first plugin that sets it wins). */
  readonly home?: string;
  /**
   * An invisible standalone component the shell keeps alive while an agent is signed in and
   * the plugin is on for the account, whatever screen is open: for app-wide reactions to
   * realtime events (an alert, a browser notification). It may inject the SDK services
   * (RealtimeService, BrowserNotifications, I18nService, Router, HttpClient) and render a
   * small overlay of its own. Lazy-loaded after log in.
   */
  readonly background?: () => Promise<Type<unknown>>;
}

export function defineAdminPlugin(definition: AdminPluginDefinition): AdminPluginDefinition {
  return definition;
}

export function isElementContribution(c: SlotContribution): c is ElementContribution {
  return 'element' in c;
}

/**
 * Checks a set of plugin definitions. Returns one human-readable line per problem;
 * an empty list means valid. Used by the build (fails on any problem) and in dev mode.
 */
export function validatePlugins(plugins: readonly AdminPluginDefinition[]): string[] {
  const problems: string[] = [];
  const ids = new Map<string, string>();
  const paths = new Map<string, string>();
  const names = new Set<string>();
  const claim = (id: string, owner: string, what: string) => {
    if (!CONTRIBUTION_ID_PATTERN.test(id)) {
      problems.push(`plugin "${owner}": ${what} id "${id}" is not of the form <plugin>/<feature>/v<N>`);
    } else if (id.split('/')[0] !== owner) {
      problems.push(`plugin "${owner}": ${what} id "${id}" must start with "${owner}/"`);
    }
    const previous = ids.get(id);
    if (previous !== undefined) {
      problems.push(`plugin "${owner}": duplicate contribution id "${id}" (already used by plugin "${previous}")`);
    } else {
      ids.set(id, owner);
    }
  };
  const slots = new Map<string, string>(SLOT_NAMES.map((s) => [s, 'the admin']));
  for (const plugin of plugins) {
    for (const d of plugin?.declares ?? []) {
      const name = String(d?.name);
      if (!DECLARED_SLOT_PATTERN.test(name) || !name.startsWith(`${plugin.name}.`)) {
        problems.push(`plugin "${plugin.name}": declared slot "${name}" must be named "${plugin.name}.<place>" (lower-case, dots between parts)`);
      } else if (slots.has(name)) {
        problems.push(`plugin "${plugin.name}": slot "${name}" is already declared by ${slots.get(name) === 'the admin' ? 'the admin' : `plugin "${slots.get(name)}"`}`);
      } else {
        slots.set(name, plugin.name);
      }
      if (typeof d?.description !== 'string' || !d.description.trim()) problems.push(`plugin "${plugin.name}": declared slot "${name}" needs a description`);
    }
  }
  for (const plugin of plugins) {
    if (!plugin || typeof plugin.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(plugin.name)) {
      problems.push(`a plugin admin entry has no valid "name" (lower-case letters, digits, dashes)`);
      continue;
    }
    if (names.has(plugin.name)) problems.push(`plugin "${plugin.name}" is enabled twice`);
    names.add(plugin.name);
    for (const item of plugin.nav ?? []) claim(item.id, plugin.name, 'nav item');
    if (plugin.background !== undefined && typeof plugin.background !== 'function') {
      problems.push(`plugin "${plugin.name}": "background" must be a function returning import('./x').then((m) => m.Component)`);
    }
    for (const slot of plugin.slots ?? []) {
      claim(slot.id, plugin.name, 'slot contribution');
      if (!slots.has(slot.slot)) {
        problems.push(
          `plugin "${plugin.name}": contribution "${slot.id}" targets unknown slot "${String(slot.slot)}" (known slots: ${[...slots.keys()].join(', ')})`,
        );
      }
      const isElement = 'element' in slot;
      const isComponent = typeof (slot as ComponentContribution).loadComponent === 'function';
      if (isElement === isComponent) {
        problems.push(`plugin "${plugin.name}": contribution "${slot.id}" needs exactly one of loadComponent or element`);
      }
      if (isElement) {
        const el = (slot as ElementContribution).element;
        if (!el || !/^[a-z][a-z0-9]*-[a-z0-9-]+$/.test(el.tagName ?? '')) {
          problems.push(`plugin "${plugin.name}": contribution "${slot.id}" has an invalid custom element tag name`);
        }
        if (!el || typeof el.src !== 'string' || !el.src.startsWith('/')) {
          problems.push(`plugin "${plugin.name}": contribution "${slot.id}" element src must be a same-origin absolute path`);
        }
      }
    }
    for (const route of plugin.routes ?? []) {
      const first = (route.path ?? '').split('/')[0];
      if (!first) {
        problems.push(`plugin "${plugin.name}": top-level routes need a non-empty path`);
        continue;
      }
      const owner = paths.get(first);
      if (owner !== undefined && owner !== plugin.name) {
        problems.push(`plugin "${plugin.name}": route "${first}" is already used by plugin "${owner}"`);
      }
      paths.set(first, plugin.name);
    }
  }
  const settingsPaths = new Map<string, string>(['account', 'team', 'sites', 'plugins', 'api-keys'].map((p) => [p, 'the admin']));
  for (const plugin of plugins) {
    for (const page of plugin?.settings ?? []) {
      claim(page.id, plugin.name, 'settings page');
      if (!/^[a-z][a-z0-9-]*$/.test(page.path ?? '')) problems.push(`plugin "${plugin.name}": settings page "${page.id}" needs a one-segment path (lower-case letters, digits, dashes)`);
      else if (settingsPaths.has(page.path)) problems.push(`plugin "${plugin.name}": settings page "${page.path}" is already used by ${settingsPaths.get(page.path) === 'the admin' ? 'the admin' : `plugin "${settingsPaths.get(page.path)}"`}`);
      else settingsPaths.set(page.path, plugin.name);
      if (typeof page.loadComponent !== 'function') problems.push(`plugin "${plugin.name}": settings page "${page.id}" needs loadComponent`);
    }
  }
  for (const reserved of ['login', 'signup', 'forgot-password', 'reset-password', 'accept-invitation', 'settings', 'dashboard']) {
    const owner = paths.get(reserved);
    if (owner) problems.push(`plugin "${owner}": route "${reserved}" is reserved by the admin shell`);
  }
  return problems;
}
