import { computed, type Signal } from '@angular/core';
import type { SitesService } from '@charla/admin/sdk';

/** The public help center of the account's first site (`<origin>/help/<appId>`), once the sites are loaded. */
export function helpCenterUrl(sites: SitesService): Signal<string | null> {
  void sites.load();
  return computed(() => {
    const site = sites.sites()[0];
    return site ? `${location.origin}/help/${encodeURIComponent(site.appId)}` : null;
  });
}
