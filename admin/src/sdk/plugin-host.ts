import { HttpClient } from '@angular/common/http';
import { Injectable, InjectionToken, Type, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { AdminPluginDefinition, NavItem, SettingsPage, SlotContribution, SlotName } from '../plugin-api';
import { isElementContribution } from '../plugin-api';

/** The enabled plugins' admin modules (from the generated build-time registry). */
export const ADMIN_PLUGINS = new InjectionToken<readonly AdminPluginDefinition[]>('charla.adminPlugins', {
  factory: () => [],
});

/** Reads the registry: nav entries, slot contributions, and loads their components once. */
@Injectable({ providedIn: 'root' })
export class PluginHost {
  private readonly all = inject(ADMIN_PLUGINS);
  private readonly http = inject(HttpClient);
  private readonly loading = new Map<string, Promise<Type<unknown>>>();
  /** Plugins turned off for this account (or not in its plan), from GET /api/v1/plugins. */
  private readonly off = signal<ReadonlySet<string>>(new Set());

  /** The entitlements the account's plan grants (`true` or a number above 0), from GET /api/v1/account/entitlements. */
  private readonly granted = signal<ReadonlySet<string> | null>(null);

  /** Whether the signed-in agent is an instance operator (nav items with `operator: true`). */
  private readonly operator = signal(false);

  /** Whether an item that names an entitlement is shown (all are while the answer is unknown). */
  private entitled(item: { entitlement?: string }): boolean {
    const granted = this.granted();
    return !item.entitlement || !granted || granted.has(item.entitlement);
  }

  /** The compiled-in plugins that are on for the signed-in account. */
  private readonly plugins = computed(() => this.all.filter((p) => !this.off().has(p.name)));

  readonly nav = computed<readonly NavItem[]>(() =>
    this.plugins().flatMap((p) => p.nav ?? []).filter((n) => this.entitled(n) && (!n.operator || this.operator())).sort((a, b) => (a.order ?? 100) - (b.order ?? 100)),
  );

  /** The settings pages of the plugins that are on, in menu order. */
  readonly settingsPages = computed<readonly SettingsPage[]>(() =>
    this.plugins().flatMap((p) => p.settings ?? []).sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.id.localeCompare(b.id)),
  );

  private readonly loadedBackground = signal<ReadonlyMap<string, Type<unknown>>>(new Map());
  /** The background components of the plugins that are on (rendered by the shell while signed in). */
  readonly background = computed<readonly Type<unknown>[]>(() => {
    const loaded = this.loadedBackground();
    return this.plugins().flatMap((p) => (loaded.has(p.name) ? [loaded.get(p.name)!] : []));
  });

  /** Re-reads which plugins are on for the account (after login and after a change in Settings → Plugins). */
  async refreshAccountState(): Promise<void> {
    try {
      const res = await firstValueFrom(this.http.get<{ plugins: { name: string; enabled: boolean; available: boolean }[] }>('/api/v1/plugins'));
      // Compiled in but not installed on the server, or off for this account: hidden.
      const on = new Set(res.plugins.filter((p) => p.enabled && p.available).map((p) => p.name));
      this.off.set(new Set(this.all.map((p) => p.name).filter((name) => !on.has(name))));
    } catch {
      /* keep everything visible; the server enforces access anyway */
    }
    try {
      const e = await firstValueFrom(this.http.get<{ entitlements: Record<string, boolean | number>; operator?: boolean }>('/api/v1/account/entitlements'));
      this.operator.set(e.operator === true);
      this.granted.set(new Set(Object.entries(e.entitlements).filter(([, v]) => v === true || (typeof v === 'number' && v > 0)).map(([k]) => k)));
    } catch {
      /* as above */
    }
    await this.loadBackground();
  }

  private async loadBackground(): Promise<void> {
    for (const p of this.plugins()) {
      if (!p.background || this.loadedBackground().has(p.name)) continue;
      try {
        const component = await p.background();
        this.loadedBackground.update((m) => new Map(m).set(p.name, component));
      } catch (err) {
        console.warn(`charla: the background part of plugin "${p.name}" failed to load`, err);
      }
    }
  }

  readonly home = computed(() => this.plugins().find((p) => p.home)?.home ?? this.nav()[0]?.path ?? 'settings');

  contributions(slot: SlotName): readonly SlotContribution[] {
    return this.plugins()
      .flatMap((p) => p.slots ?? [])
      .filter((c) => c.slot === slot && this.entitled(c))
      .sort((a, b) => (a.order ?? 100) - (b.order ?? 100) || a.id.localeCompare(b.id));
  }

  load(contribution: SlotContribution): Promise<Type<unknown>> | null {
    if (isElementContribution(contribution)) return null;
    let p = this.loading.get(contribution.id);
    if (!p) {
      p = contribution.loadComponent();
      this.loading.set(contribution.id, p);
    }
    return p;
  }
}
