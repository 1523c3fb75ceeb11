import { Directive, ElementRef, inject } from '@angular/core';

/**
 * Keyboard navigation for a list of links or buttons (roving focus): ArrowUp/ArrowDown
 * (or j/k), Home and End move the focus between items matching `[data-nav-item]`.
 */
@Directive({
  selector: '[chListNav]',
  host: { '(keydown)': 'onKeydown($event)' },
})
export class ListNav {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected onKeydown(event: KeyboardEvent): void {
    const target = event.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) return;
    const items = Array.from(this.host.nativeElement.querySelectorAll<HTMLElement>('[data-nav-item]'));
    if (!items.length) return;
    const current = items.findIndex((el) => el === document.activeElement || el.contains(document.activeElement));
    let next = -1;
    switch (event.key) {
      case 'ArrowDown':
      case 'j':
        next = current < 0 ? 0 : Math.min(items.length - 1, current + 1);
        break;
      case 'ArrowUp':
      case 'k':
        next = current < 0 ? 0 : Math.max(0, current - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = items.length - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    items[next]?.focus();
  }
}
