import { ChangeDetectionStrategy, Component, input, signal } from '@angular/core';
import { TranslatePipe } from '../i18n.service';

/** Copies `text` to the clipboard and says so (politely, for screen readers too). */
@Component({
  selector: 'ch-copy-button',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <button type="button" class="btn btn-secondary btn-sm" (click)="copy()" [attr.aria-label]="label() | t">
      {{ (copied() ? 'common.copied' : 'common.copy') | t }}
    </button>
    <span class="visually-hidden" aria-live="polite">{{ copied() ? ('common.copied' | t) : '' }}</span>
  `,
})
export class CopyButton {
  readonly text = input.required<string>();
  readonly label = input('common.copy');
  protected readonly copied = signal(false);

  protected async copy(): Promise<void> {
    const text = this.text();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    this.copied.set(true);
    setTimeout(() => this.copied.set(false), 2000);
  }
}
