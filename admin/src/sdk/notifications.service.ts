import { Injectable } from '@angular/core';

const ASKED_KEY = 'charla.notifications.asked';

/** What a conversation notification is about, for the notification policy. */
export interface NotificationContext {
  kind: 'newConversation' | 'newMessage';
  conversation: { id: string; assigneeId: string | null };
}

/** Decides whether a conversation notification is shown (e.g. the inbox plugin applies the agent's preferences). */
export type NotificationPolicy = (context: NotificationContext) => boolean | Promise<boolean>;

/** Browser notifications for new conversations/messages while the tab is hidden (I5). */
@Injectable({ providedIn: 'root' })
export class BrowserNotifications {
  private policy: NotificationPolicy | null = null;

  /**
   * Lets a plugin decide which conversation notifications are shown (the inbox plugin's
   * per-agent preferences and "assigned to me"). Returns the remover. Without a policy
   * every notification given a context is shown.
   */
  setPolicy(policy: NotificationPolicy): () => void {
    this.policy = policy;
    return () => {
      if (this.policy === policy) this.policy = null;
    };
  }
  private get supported(): boolean {
    return typeof window !== 'undefined' && 'Notification' in window;
  }

  /** Ask for permission once per browser (never again after the agent answered). */
  askOnce(): void {
    if (!this.supported || Notification.permission !== 'default') return;
    try {
      if (localStorage.getItem(ASKED_KEY)) return;
      localStorage.setItem(ASKED_KEY, '1');
    } catch {
      return;
    }
    void Notification.requestPermission().catch(() => undefined);
  }

  /**
   * Show a notification when the page is hidden and permission was granted — and, for a
   * conversation notification (`context`), when the policy agrees.
   */
  notify(title: string, body: string, tag: string, onClick?: () => void, context?: NotificationContext): void {
    if (!this.supported || Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
    const policy = context ? this.policy : null;
    if (!policy || !context) {
      this.show(title, body, tag, onClick);
      return;
    }
    void Promise.resolve()
      .then(() => policy(context))
      .then(
        (ok) => ok && this.show(title, body, tag, onClick),
        () => this.show(title, body, tag, onClick),
      );
  }

  private show(title: string, body: string, tag: string, onClick?: () => void): void {
    try {
      const n = new Notification(title, { body: body.slice(0, 180), tag });
      n.onclick = () => {
        window.focus();
        onClick?.();
        n.close();
      };
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  }
}
