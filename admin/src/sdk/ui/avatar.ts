import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

/** Initials in a coloured circle (colour derived from the id, stable). */
@Component({
  selector: 'ch-avatar',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'avatar', '[style.background]': 'color()', 'aria-hidden': 'true' },
  template: `{{ initials() }}`,
})
export class Avatar {
  readonly name = input<string | null | undefined>('');
  readonly id = input<string>('');

  protected readonly initials = computed(() => {
    const n = (this.name() || '?').trim();
    const parts = n.split(/[\s@.]+/).filter(Boolean);
    return ((parts[0]?.[0] ?? '?') + (parts[1]?.[0] ?? '')).toUpperCase();
  });

  protected readonly color = computed(() => {
    let h = 0;
    for (const ch of this.id() || this.name() || '') h = (h * 31 + ch.charCodeAt(0)) % 360;
    return `hsl(${h} 55% 45%)`;
  });
}
