import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { describe, expect, it } from 'vitest';
import type { AdminPluginDefinition } from '../plugin-api';
import { ADMIN_PLUGINS, PluginHost } from './plugin-host';

const load = () => Promise.resolve(class {});
const plugins: AdminPluginDefinition[] = [
  {
    name: 'reports',
    nav: [{ id: 'reports/nav/v1', path: 'reports', label: 'reports.nav' }, { id: 'reports/export/v1', path: 'reports/export', label: 'reports.export', entitlement: 'dataExport' }],
    slots: [
      { id: 'reports/card/v1', slot: 'dashboard.cards', loadComponent: load },
      { id: 'reports/forecast/v1', slot: 'dashboard.cards', loadComponent: load, entitlement: 'forecasts' },
    ],
  },
  { name: 'billing', nav: [{ id: 'billing/nav/v1', path: 'billing', label: 'billing.nav' }] },
];

describe('PluginHost and the account entitlements', () => {
  it('hides nav items and slot contributions the plan does not grant, and plugins it does not include', async () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting(), { provide: ADMIN_PLUGINS, useValue: plugins }] });
    const host = TestBed.inject(PluginHost);
    const http = TestBed.inject(HttpTestingController);
    expect(host.nav().map((n) => n.id)).toEqual(['reports/nav/v1', 'reports/export/v1', 'billing/nav/v1']);

    const refresh = host.refreshAccountState();
    http.expectOne('/api/v1/plugins').flush({ plugins: [{ name: 'reports', enabled: true, available: true }, { name: 'billing', enabled: false, available: false }] });
    await Promise.resolve();
    await new Promise((r) => setTimeout(r));
    http.expectOne('/api/v1/account/entitlements').flush({ plan: { id: 'free', name: 'Free' }, plugins: ['reports'], limits: {}, entitlements: { dataExport: 0, forecasts: true } });
    await refresh;

    expect(host.nav().map((n) => n.id)).toEqual(['reports/nav/v1']);
    expect(host.contributions('dashboard.cards').map((c) => c.id)).toEqual(['reports/card/v1', 'reports/forecast/v1']);
    http.verify();
  });
});
