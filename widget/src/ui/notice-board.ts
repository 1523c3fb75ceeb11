import type { WidgetNotice } from '@charla/core/widget';

/** In the plugin chunk only (loaded when a plugin is on), like everything about notices. */
const CSS = `
.notes{position:fixed;bottom:92px;right:20px;width:300px;max-width:calc(100vw - 40px);display:flex;flex-direction:column;gap:8px}
:host([data-position=left]) .notes{right:auto;left:20px}
:host([data-open]) .notes{display:none}
.note{position:relative;padding:12px 40px 12px 14px;border-radius:12px;background:var(--charla-bg);color:var(--charla-text);box-shadow:0 6px 20px rgba(0,0,0,.2)}
.note p{margin:0;overflow-wrap:anywhere}
.note button{font:600 14px/1.2 system-ui,sans-serif;cursor:pointer;border:0;border-radius:8px}
.note .act{margin-top:8px;padding:7px 12px;background:var(--charla-primary);color:var(--charla-on-primary)}
.note .x{position:absolute;top:6px;right:6px;width:30px;height:30px;padding:0;background:none;color:inherit;font-size:20px}
.note button:focus-visible{outline:2px solid var(--charla-primary);outline-offset:2px}
`;

/**
 * The plugins' notice cards, above the bubble in the launcher's shadow root (hidden while
 * the window is open). One card per plugin; a new one replaces the plugin's previous
 * card. Every string goes in through textContent: text, never HTML. The stack is an
 * aria-live region, so a new card is announced; each card is a `note` with real buttons.
 */
export function noticeBoard(root: ShadowRoot, dismissLabel: string): (id: string, notice: WidgetNotice | null) => void {
  let stack: HTMLElement | undefined;
  const cards = new Map<string, HTMLElement>();
  const el = (tag: string, cls: string, text: string, parent: HTMLElement) => {
    const e = document.createElement(tag);
    e.className = cls;
    e.textContent = text;
    parent.append(e);
    return e;
  };
  const show = (id: string, n: WidgetNotice | null) => {
    cards.get(id)?.remove();
    cards.delete(id);
    if (!n) return;
    if (!stack) {
      const style = document.createElement('style');
      style.textContent = CSS;
      stack = document.createElement('div');
      stack.className = 'notes';
      stack.setAttribute('aria-live', 'polite');
      root.append(style);
      // Before the bubble: the cards come first in the reading and tab order.
      const bubble = root.querySelector('.launcher');
      if (bubble) bubble.before(stack);
      else root.append(stack);
    }
    const card = el('div', 'note', '', stack);
    card.setAttribute('role', 'note');
    el('p', '', String(n.text ?? '').slice(0, 300), card);
    const button = (cls: string, text: string, then?: () => void) => {
      const b = el('button', cls, text, card) as HTMLButtonElement;
      b.type = 'button';
      b.onclick = () => {
        if (cards.get(id) === card) show(id, null);
        then?.();
      };
      return b;
    };
    if (n.actionLabel) button('act', String(n.actionLabel).slice(0, 60), n.onAction);
    button('x', '×', n.onDismiss).setAttribute('aria-label', dismissLabel);
    cards.set(id, card);
  };
  return show;
}
