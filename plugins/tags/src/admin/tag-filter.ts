import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { Router } from '@angular/router';
import { TranslatePipe } from '@charla/admin/sdk';
import { TagsApi } from './tags-api';

/** `conversations.inbox-filters` contribution: a tag select that filters the inbox (`?tag=`). */
@Component({
  selector: 'ch-tag-filter',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'field inline' },
  template: `
    @if (known().length) {
      <label for="inbox-tag">{{ 'tags.filter.label' | t }}</label>
      <select id="inbox-tag" [value]="tag()" (change)="choose($any($event.target).value)">
        <option value="">{{ 'tags.filter.any' | t }}</option>
        @for (t of known(); track t.id) {
          <option [value]="t.name" [selected]="t.name === tag()">{{ t.name }}</option>
        }
      </select>
    }
  `,
})
export class TagFilter {
  readonly tag = input('');
  private readonly router = inject(Router);
  private readonly api = inject(TagsApi);
  protected readonly known = this.api.catalogue;

  constructor() {
    void this.api.refresh();
  }

  protected choose(name: string): void {
    void this.router.navigate(['/inbox'], { queryParams: { tag: name || null }, queryParamsHandling: 'merge' });
  }
}
