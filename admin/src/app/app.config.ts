import { provideHttpClient, withInterceptors } from '@angular/common/http';
import {
  ApplicationConfig,
  inject,
  isDevMode,
  provideAppInitializer,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { ADMIN_PLUGINS as PLUGIN_TOKEN } from '../sdk/plugin-host';
import { AuthService } from '../sdk/auth.service';
import { csrfInterceptor, unauthorizedInterceptor } from '../sdk/http';
import { I18nService } from '../sdk/i18n.service';
import { validatePlugins } from '../plugin-api';
import { ADMIN_PLUGINS } from './plugins/generated/plugin-registry';
import { routes } from './app.routes';
import { EN } from './i18n/en';
import { ES } from './i18n/es';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideHttpClient(withInterceptors([csrfInterceptor, unauthorizedInterceptor])),
    provideRouter(routes(ADMIN_PLUGINS), withComponentInputBinding(), withInMemoryScrolling({ scrollPositionRestoration: 'top' })),
    { provide: PLUGIN_TOKEN, useValue: ADMIN_PLUGINS },
    provideAppInitializer(() => {
      const i18n = inject(I18nService);
      i18n.register({ en: EN, es: ES });
      for (const plugin of ADMIN_PLUGINS) if (plugin.messages) i18n.register(plugin.messages);
      if (isDevMode()) {
        const problems = validatePlugins(ADMIN_PLUGINS);
        if (problems.length) throw new Error(`Invalid plugin registry:\n${problems.join('\n')}`);
      }
      return inject(AuthService).restore();
    }),
  ],
};
