import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { TranslatePipe } from '../../sdk/i18n.service';
import type { WidgetLook } from '../../sdk/models';

export const DEFAULT_LOOK: Required<Pick<WidgetLook, 'primaryColor' | 'backgroundColor' | 'textColor' | 'greeting' | 'position'>> = {
  primaryColor: '#4f46e5',
  backgroundColor: '#ffffff',
  textColor: '#111827',
  greeting: '',
  position: 'right',
};

/** Readable text colour (black/white) on a background colour. */
export function contrastOn(hex: string): string {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return '#ffffff';
  const n = parseInt(m[1], 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return (r * 299 + g * 587 + b * 114) / 1000 > 150 ? '#111827' : '#ffffff';
}

/**
 * A faithful static rendering of the widget (launcher + open messenger) with the site's
 * look, updated live while the form changes. See admin/README.md on why this is not the
 * real <charla-*> element yet.
 */
@Component({
  selector: 'ch-widget-preview',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: {
    class: 'widget-preview',
    '[attr.data-primary-color]': 'primary()',
    '[class.left]': 'look().position === "left"',
  },
  template: `
    <div class="wp-window" [style.background]="background()" [style.color]="text()" role="img" [attr.aria-label]="'settings.widget.previewLabel' | t">
      <div class="wp-header" data-testid="widget-preview-header" [style.background]="primary()" [style.color]="onPrimary()">
        @if (look().logoUrl) {
          <img class="wp-logo" [src]="look().logoUrl" alt="" />
        } @else {
          <span class="wp-logo wp-logo-empty" [style.color]="primary()" [style.background]="onPrimary()">{{ initial() }}</span>
        }
        <div>
          <div class="wp-title">{{ siteName() }}</div>
          <div class="wp-sub">{{ 'settings.widget.previewOnline' | t }}</div>
        </div>
      </div>
      <div class="wp-body">
        <div class="wp-bubble wp-agent">{{ look().greeting || ('settings.widget.defaultGreeting' | t) }}</div>
        <div class="wp-bubble wp-visitor" [style.background]="primary()" [style.color]="onPrimary()">{{ 'settings.widget.previewVisitor' | t }}</div>
      </div>
      <div class="wp-input"><span>{{ 'settings.widget.previewInput' | t }}</span></div>
    </div>
    <div class="wp-launcher" [style.background]="primary()" [style.color]="onPrimary()" aria-hidden="true">
      <svg viewBox="0 0 24 24" width="26" height="26" fill="currentColor"><path d="M4 5a3 3 0 0 1 3-3h10a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3h-6l-5 4v-4a3 3 0 0 1-2-3z" /></svg>
    </div>
  `,
})
export class WidgetPreview {
  readonly look = input.required<WidgetLook>();
  readonly siteName = input('');
  protected readonly primary = computed(() => this.look().primaryColor || DEFAULT_LOOK.primaryColor);
  protected readonly background = computed(() => this.look().backgroundColor || DEFAULT_LOOK.backgroundColor);
  protected readonly text = computed(() => this.look().textColor || DEFAULT_LOOK.textColor);
  protected readonly onPrimary = computed(() => contrastOn(this.primary()));
  protected readonly initial = computed(() => (this.siteName() || 'C').trim().charAt(0).toUpperCase());
}
