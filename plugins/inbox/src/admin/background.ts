import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { AuthService, BrowserNotifications } from '@charla/admin/sdk';
import { InboxApi } from './inbox-api';
import { InboxPriorityAlerts } from './priority-alerts';

/**
 * The inbox plugin's `background` part, alive on every screen while an agent is signed in:
 * the priority alerts, and the policy for conversation browser notifications — a new
 * conversation when it is unassigned or assigned to me and `browser.newConversation` is
 * on; a new message when the conversation is assigned to me and `browser.newMessage` is
 * on. The preferences are read when a notification is about to show (the tab is hidden),
 * so a change in Settings applies at once.
 */
@Component({
  selector: 'ch-inbox-background',
  imports: [InboxPriorityAlerts],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<ch-inbox-priority-alerts />`,
})
export class InboxBackground {
  constructor() {
    const auth = inject(AuthService);
    const api = inject(InboxApi);
    const remove = inject(BrowserNotifications).setPolicy(async ({ kind, conversation }) => {
      const me = auth.user()?.id ?? null;
      const prefs = await api.preferences();
      if (kind === 'newConversation') return prefs.browser.newConversation && (!conversation.assigneeId || conversation.assigneeId === me);
      return prefs.browser.newMessage && conversation.assigneeId === me;
    });
    inject(DestroyRef).onDestroy(remove);
  }
}
