import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { DatePipe, I18nService, TranslatePipe, problemText, visitorDisplayName } from '@charla/admin/sdk';
import { ContactsApi, DAY_OPS, DATE_FIELDS, FIELD_OPS, NO_VALUE, NUMERIC_FIELDS, type Condition, type Contact, type Filter, type Op, type Segment } from './contacts-api';

interface Row { field: string; key: string; op: Op; value: string }

const FIELDS = Object.keys(FIELD_OPS);

/** A builder row → the filter language's condition (values typed by field). */
export function conditionOf(r: Row): Condition {
  const field = r.field === 'attributes' || r.field === 'events' ? `${r.field}.${r.key.trim()}` : r.field;
  if (NO_VALUE.has(r.op)) return { field, op: r.op };
  const raw = r.value.trim();
  if (DAY_OPS.has(r.op) || NUMERIC_FIELDS.has(r.field)) return { field, op: r.op, value: Number(raw) };
  if (r.field === 'online') return { field, op: r.op, value: raw !== 'false' };
  if (r.field === 'attributes') {
    if (raw === 'true' || raw === 'false') return { field, op: r.op, value: raw === 'true' };
    if (raw !== '' && /^-?\d+(\.\d+)?$/.test(raw)) return { field, op: r.op, value: Number(raw) };
  }
  return { field, op: r.op, value: raw };
}

/** A saved filter back into builder rows (one level of and/or, as the builder makes). */
function rowsOf(filter: Filter): { match: 'and' | 'or'; rows: Row[] } {
  const list = 'and' in filter ? filter.and : 'or' in filter ? filter.or : [filter];
  const match = 'or' in filter ? 'or' : 'and';
  const rows = (list as Condition[]).filter((c) => 'field' in c).map((c) => {
    const [base, ...rest] = c.field.split('.');
    const grouped = base === 'attributes' || base === 'events';
    return { field: grouped ? base : c.field, key: grouped ? rest.join('.') : '', op: c.op, value: c.value === undefined ? '' : String(c.value) };
  });
  return { match, rows };
}

/** /admin/contacts: the filter builder, quick filters, saved segments with live counts, the results and a CSV of them. */
@Component({
  selector: 'ch-contacts-page',
  imports: [TranslatePipe, DatePipe, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <h1 class="page-title">{{ 'contacts.title' | t }}</h1>
      <div class="contacts-layout">
        <aside class="card stack" data-testid="segments">
          <h2>{{ 'contacts.segments' | t }}</h2>
          @for (s of segments(); track s.id) {
            <div class="row segment" [attr.data-segment]="s.name">
              <button type="button" class="btn btn-secondary btn-sm" (click)="apply(s)">{{ s.name }} <span class="badge" data-testid="segment-count">{{ s.count }}</span></button>
              <button type="button" class="btn btn-danger btn-sm" [attr.aria-label]="('contacts.deleteSegment' | t) + ' ' + s.name" (click)="removeSegment(s)">×</button>
            </div>
          } @empty {
            <p class="muted">{{ 'contacts.noSegments' | t }}</p>
          }
        </aside>
        <section class="stack">
          <section class="card stack" data-testid="filter-builder">
            <div class="row">
              <span>{{ 'contacts.quick' | t }}</span>
              <button type="button" class="btn btn-secondary btn-sm" (click)="quick('today')">{{ 'contacts.quick.today' | t }}</button>
              <button type="button" class="btn btn-secondary btn-sm" (click)="quick('visits')">{{ 'contacts.quick.visits' | t }}</button>
              <button type="button" class="btn btn-secondary btn-sm" (click)="quick('away')">{{ 'contacts.quick.away' | t }}</button>
            </div>
            <label class="row">{{ 'contacts.match' | t }}
              <select [value]="match()" (change)="match.set(sel($event) === 'or' ? 'or' : 'and')" [attr.aria-label]="'contacts.match' | t">
                <option value="and">{{ 'contacts.match.all' | t }}</option>
                <option value="or">{{ 'contacts.match.any' | t }}</option>
              </select>
            </label>
            @for (r of rows(); track $index; let i = $index) {
              <div class="row filter-row" [attr.data-row]="i">
                <select [attr.aria-label]="'contacts.field' | t" [value]="r.field" (change)="setField(i, sel($event))">
                  @for (f of fields; track f) { <option [value]="f">{{ 'contacts.field.' + f | t }}</option> }
                </select>
                @if (r.field === 'attributes' || r.field === 'events') {
                  <input [attr.aria-label]="(r.field === 'events' ? 'contacts.eventName' : 'contacts.attributeName') | t" [value]="r.key" (input)="patch(i, { key: val($event) })" maxlength="100" />
                }
                <select [attr.aria-label]="'contacts.op' | t" [value]="r.op" (change)="patch(i, { op: $any(sel($event)) })">
                  @for (o of opsOf(r.field); track o) { <option [value]="o">{{ 'contacts.op.' + o | t }}</option> }
                </select>
                @if (!noValue(r.op)) {
                  @if (r.field === 'online') {
                    <select [attr.aria-label]="'contacts.value' | t" [value]="r.value || 'true'" (change)="patch(i, { value: sel($event) })">
                      <option value="true">{{ 'contacts.yes' | t }}</option><option value="false">{{ 'contacts.no' | t }}</option>
                    </select>
                  } @else {
                    <input [attr.aria-label]="'contacts.value' | t" [type]="inputType(r)" [value]="r.value" (input)="patch(i, { value: val($event) })" maxlength="2000" />
                  }
                }
                <button type="button" class="btn btn-secondary btn-sm" [attr.aria-label]="'contacts.removeCondition' | t" (click)="removeRow(i)">×</button>
              </div>
            }
            <div class="row">
              <button type="button" class="btn btn-secondary btn-sm" (click)="addRow()">{{ 'contacts.addCondition' | t }}</button>
              <button type="button" class="btn btn-primary" (click)="run()">{{ 'contacts.apply' | t }}</button>
              <button type="button" class="btn btn-secondary" (click)="download()">{{ 'contacts.csv' | t }}</button>
            </div>
            <form class="row" (submit)="save($event)">
              <input [attr.aria-label]="'contacts.segmentName' | t" [placeholder]="'contacts.segmentName' | t" [value]="segmentName()" (input)="segmentName.set(val($event))" maxlength="200" />
              <button type="submit" class="btn btn-secondary" [disabled]="!segmentName().trim()">{{ 'contacts.saveSegment' | t }}</button>
            </form>
            @if (error()) { <p class="alert alert-error" role="alert">{{ error() }}</p> }
          </section>
          <section class="card">
            <p data-testid="total">{{ 'contacts.total' | t: { n: total() } }}</p>
            <table class="table" data-testid="contacts">
              <thead>
                <tr>
                  <th scope="col">{{ 'contacts.col.name' | t }}</th>
                  <th scope="col">{{ 'contacts.col.country' | t }}</th>
                  <th scope="col">{{ 'contacts.col.lastSeen' | t }}</th>
                  <th scope="col">{{ 'contacts.col.visits' | t }}</th>
                  <th scope="col">{{ 'contacts.col.page' | t }}</th>
                </tr>
              </thead>
              <tbody>
                @for (c of contacts(); track c.id) {
                  <tr [attr.data-contact]="c.id">
                    <td>
                      <a [routerLink]="['/contacts', c.id]">{{ display(c) }}</a>
                      @if (c.online) { <span class="dot online" [attr.title]="'contacts.online' | t"></span> }
                    </td>
                    <td>{{ c.country || '—' }}</td>
                    <td>{{ c.lastSeenAt | chDate: 'relative' }}</td>
                    <td>{{ c.visitCount }}</td>
                    <td class="muted">{{ c.currentTitle || c.currentUrl || '—' }}</td>
                  </tr>
                }
              </tbody>
            </table>
            @if (next()) { <button type="button" class="btn btn-secondary" (click)="more()">{{ 'contacts.more' | t }}</button> }
          </section>
        </section>
      </div>
    </div>
  `,
  styles: [`
    .contacts-layout { display: grid; grid-template-columns: minmax(12rem, 16rem) 1fr; gap: var(--space-4, 1rem); align-items: start; }
    .filter-row { flex-wrap: wrap; }
    .segment { justify-content: space-between; }
    .badge { margin-left: .4rem; font-weight: 600; }
    @media (max-width: 800px) { .contacts-layout { grid-template-columns: 1fr; } }
  `],
})
export class ContactsPage {
  private readonly api = inject(ContactsApi);
  private readonly i18n = inject(I18nService);
  protected readonly fields = FIELDS;
  protected readonly rows = signal<Row[]>([]);
  protected readonly match = signal<'and' | 'or'>('and');
  protected readonly contacts = signal<Contact[]>([]);
  protected readonly total = signal(0);
  protected readonly next = signal<string | null>(null);
  protected readonly segments = signal<Segment[]>([]);
  protected readonly segmentName = signal('');
  protected readonly error = signal<string | null>(null);
  private readonly filter = computed<Filter | undefined>(() => {
    const conds = this.rows().map(conditionOf);
    if (!conds.length) return undefined;
    return this.match() === 'or' ? { or: conds } : { and: conds };
  });

  constructor() {
    void this.run();
    void this.loadSegments();
  }

  protected sel(e: Event): string { return (e.target as HTMLSelectElement).value; }
  protected val(e: Event): string { return (e.target as HTMLInputElement).value; }
  protected opsOf(field: string): Op[] { return FIELD_OPS[field] ?? []; }
  protected noValue(op: Op): boolean { return NO_VALUE.has(op); }
  protected inputType(r: Row): string { return DAY_OPS.has(r.op) || NUMERIC_FIELDS.has(r.field) ? 'number' : DATE_FIELDS.has(r.field) ? 'date' : 'text'; }
  protected display(c: Contact): string { return c.name || c.email || c.externalId || visitorDisplayName(c, this.i18n.locale()); }

  protected addRow(row: Row = { field: 'name', key: '', op: 'contains', value: '' }): void { this.rows.update((r) => [...r, row]); }
  protected removeRow(i: number): void { this.rows.update((r) => r.filter((_, j) => j !== i)); }
  protected patch(i: number, p: Partial<Row>): void { this.rows.update((r) => r.map((x, j) => (j === i ? { ...x, ...p } : x))); }
  protected setField(i: number, field: string): void { this.patch(i, { field, op: FIELD_OPS[field][0], value: '', key: '' }); }

  protected quick(kind: 'today' | 'visits' | 'away'): void {
    const row: Row = kind === 'today' ? { field: 'lastSeenAt', key: '', op: 'in_last_days', value: '1' }
      : kind === 'visits' ? { field: 'visitCount', key: '', op: 'gt', value: '3' }
      : { field: 'lastSeenAt', key: '', op: 'not_in_last_days', value: '30' };
    this.addRow(row);
    void this.run();
  }

  protected apply(s: Segment): void {
    const { match, rows } = rowsOf(s.filter);
    this.match.set(match);
    this.rows.set(rows);
    void this.run();
  }

  protected async run(): Promise<void> {
    this.error.set(null);
    try {
      const r = await this.api.search({ filter: this.filter(), limit: 50 });
      this.contacts.set(r.contacts);
      this.total.set(r.total);
      this.next.set(r.nextCursor);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('contacts.error')));
    }
  }

  protected async more(): Promise<void> {
    const cursor = this.next();
    if (!cursor) return;
    try {
      const r = await this.api.search({ filter: this.filter(), limit: 50, cursor });
      this.contacts.update((c) => [...c, ...r.contacts]);
      this.next.set(r.nextCursor);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('contacts.error')));
    }
  }

  protected async save(e: Event): Promise<void> {
    e.preventDefault();
    const filter = this.filter();
    this.error.set(null);
    if (!filter) {
      this.error.set(this.i18n.t('contacts.needCondition'));
      return;
    }
    try {
      await this.api.saveSegment(this.segmentName().trim(), filter);
      this.segmentName.set('');
      await this.loadSegments();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('contacts.error')));
    }
  }

  protected async removeSegment(s: Segment): Promise<void> {
    await this.api.deleteSegment(s.id);
    await this.loadSegments();
  }

  protected async download(): Promise<void> {
    try {
      const blob = await this.api.csv(this.filter());
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = 'contacts.csv';
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('contacts.error')));
    }
  }

  private async loadSegments(): Promise<void> {
    this.segments.set(await this.api.segments());
  }
}
