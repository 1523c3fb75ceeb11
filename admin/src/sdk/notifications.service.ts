import { Injectable } from '@angular/core';

const ASKED_KEY = 'charla.notifications.asked';

/** Browser notifications for new conversations/messages while the tab is hidden (I5). */
@Injectable({ providedIn: 'root' })
export class BrowserNotifications {
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

  /** Show a notification when the page is hidden and permission was granted. */
  notify(title: string, body: string, tag: string, onClick?: () => void): void {
    if (!this.supported || Notification.permission !== 'granted' || document.visibilityState !== 'hidden') return;
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
