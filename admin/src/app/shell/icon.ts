import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

const PATHS: Record<string, string> = {
  inbox: 'M3 13h4l2 3h6l2-3h4M5 5h14l2 8v6H3v-6z',
  settings: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19 12a7 7 0 0 0-.1-1.2l2-1.6-2-3.4-2.4 1a7 7 0 0 0-2-1.2L14 3h-4l-.5 2.6a7 7 0 0 0-2 1.2l-2.4-1-2 3.4 2 1.6a7 7 0 0 0 0 2.4l-2 1.6 2 3.4 2.4-1a7 7 0 0 0 2 1.2L10 21h4l.5-2.6a7 7 0 0 0 2-1.2l2.4 1 2-3.4-2-1.6c.1-.4.1-.8.1-1.2z',
  chart: 'M4 20V10M10 20V4M16 20v-7M22 20H2',
  users: 'M16 11a4 4 0 1 0-8 0M4 21a8 8 0 0 1 16 0',
  bot: 'M5 9h14v10H5zM12 5v4M9 14h.01M15 14h.01',
  book: 'M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2zM4 21V5',
  bolt: 'M13 2 4 14h7l-1 8 9-12h-7z',
  link: 'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  tag: 'M3 12V4h8l10 10-8 8zM7.5 7.5h.01',
  home: 'M3 11 12 3l9 8M5 10v10h14V10',
  logout: 'M15 17l5-5-5-5M20 12H9M12 21H4V3h8',
  contacts: 'M4 3h14a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H4zM12 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM7 17a5 5 0 0 1 10 0M2 7h2M2 12h2M2 17h2',
};

/** A small stroked icon from the shell's set (decorative). */
@Component({
  selector: 'ch-icon',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false"><path [attr.d]="d()" /></svg>`,
  host: { class: 'icon' },
})
export class Icon {
  readonly name = input<string | undefined>('inbox');
  protected readonly d = computed(() => PATHS[this.name() ?? ''] ?? PATHS['bolt']);
}
