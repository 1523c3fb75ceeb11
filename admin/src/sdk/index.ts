/** What the admin shell offers to plugin UIs (`import … from '@charla/admin/sdk'`). */
export * from './models';
export * from './auth.service';
export * from './realtime.service';
export * from './i18n.service';
export * from './format';
export * from './visitor-name';
export * from './problem';
export * from './plugin-host';
export * from './slot-outlet';
export * from './team-directory.service';
export * from './sites.service';
export * from './notifications.service';
export * from './composer';
/** Message blocks (buttons, cards) as text: the same safe fallback as the widget's. */
export { blockViews, type BlockView } from '@charla/client';
export * from './ui/list-nav';
export * from './ui/copy-button';
export * from './ui/avatar';
export * from '../plugin-api';
