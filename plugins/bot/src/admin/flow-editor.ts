import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { BotApi, type Action, type Flow } from './bot-api';

interface ButtonDraft { id: string; label: string; next: string; handoff: boolean; reply: string }
interface NodeDraft { id: string; content: string; buttons: ButtonDraft[] }
interface FlowDraft { id: string | null; name: string; startNodeId: string; nodes: NodeDraft[] }

const newNode = (n: number): NodeDraft => ({ id: `step${n}`, content: '', buttons: [] });

/** The decision-tree editor: nodes (a question) with answer buttons that lead to another node, or end with a reply or a hand-off. */
@Component({
  selector: 'ch-bot-flow-editor',
  imports: [TranslatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card" data-testid="bot-flows">
      <h2>{{ 'bot.flows' | t }}</h2>
      <p class="muted">{{ 'bot.flowsHelp' | t }}</p>
      @if (error()) { <p class="alert alert-error" role="alert">{{ error() }}</p> }
      <ul>
        @for (f of flows(); track f.id) {
          <li class="row" [attr.data-flow]="f.name">{{ f.name }}
            <button type="button" class="btn btn-secondary btn-sm" (click)="edit(f)">{{ 'bot.edit' | t }}</button>
            <button type="button" class="btn btn-danger btn-sm" (click)="remove(f)">{{ 'bot.delete' | t }}</button>
          </li>
        } @empty { <li class="muted">{{ 'bot.noFlows' | t }}</li> }
      </ul>
      <button type="button" class="btn btn-primary" (click)="draft.set({ id: null, name: '', startNodeId: 'start', nodes: [{ id: 'start', content: '', buttons: [] }] })">{{ 'bot.newFlow' | t }}</button>
      @if (draft(); as d) {
        <form class="stack" (submit)="save($event)" data-testid="bot-flow-editor">
          <div class="field"><label for="flow-name">{{ 'bot.flowName' | t }}</label><input id="flow-name" required maxlength="100" [value]="d.name" (input)="d.name = val($event)" /></div>
          <div class="field">
            <label for="flow-start">{{ 'bot.startNode' | t }}</label>
            <select id="flow-start" (change)="d.startNodeId = val($event)">
              @for (n of d.nodes; track $index) { <option [value]="n.id" [selected]="n.id === d.startNodeId">{{ n.id }}</option> }
            </select>
          </div>
          @for (n of d.nodes; track $index; let ni = $index) {
            <fieldset class="card stack" [attr.data-node]="n.id">
              <legend>{{ 'bot.node' | t }} {{ n.id }}</legend>
              <label [for]="'node-id-' + ni">{{ 'bot.nodeId' | t }}</label>
              <input [id]="'node-id-' + ni" required pattern="[A-Za-z0-9_\\-]{1,40}" [value]="n.id" (change)="rename(d, n, val($event))" />
              <label [for]="'node-text-' + ni">{{ 'bot.question' | t }}</label>
              <textarea [id]="'node-text-' + ni" required maxlength="2000" [value]="n.content" (input)="n.content = val($event)"></textarea>
              @for (b of n.buttons; track $index; let bi = $index) {
                <div class="row">
                  <input [attr.aria-label]="('bot.buttonLabel' | t) + ' ' + n.id + ' ' + (bi + 1)" required maxlength="80" [placeholder]="'bot.buttonLabel' | t" [value]="b.label" (input)="b.label = val($event)" />
                  <select [attr.aria-label]="('bot.leadsTo' | t) + ' ' + n.id + ' ' + (bi + 1)" (change)="b.next = val($event)">
                    <option value="" [selected]="!b.next">{{ 'bot.endsFlow' | t }}</option>
                    @for (o of d.nodes; track $index) { <option [value]="o.id" [selected]="b.next === o.id">→ {{ o.id }}</option> }
                  </select>
                  <input [attr.aria-label]="('bot.buttonReply' | t) + ' ' + n.id + ' ' + (bi + 1)" maxlength="2000" [placeholder]="'bot.buttonReply' | t" [value]="b.reply" (input)="b.reply = val($event)" />
                  <label class="row"><input type="checkbox" [checked]="b.handoff" (change)="b.handoff = !b.handoff" /> {{ 'bot.handoffToTeam' | t }}</label>
                  <button type="button" class="btn btn-secondary btn-sm" (click)="n.buttons.splice(bi, 1); touch()">✕</button>
                </div>
              }
              <div class="row">
                @if (n.buttons.length < 5) { <button type="button" class="btn btn-secondary btn-sm" (click)="addButton(n)">{{ 'bot.addButton' | t }}</button> }
                @if (d.nodes.length > 1) { <button type="button" class="btn btn-danger btn-sm" (click)="d.nodes.splice(ni, 1); touch()">{{ 'bot.removeNode' | t }}</button> }
              </div>
            </fieldset>
          }
          <div class="row">
            <button type="button" class="btn btn-secondary" (click)="d.nodes.push(newNode(d.nodes.length)); touch()">{{ 'bot.addNode' | t }}</button>
            <button type="submit" class="btn btn-primary">{{ 'bot.saveFlow' | t }}</button>
            <button type="button" class="btn btn-secondary" (click)="draft.set(null)">{{ 'bot.cancel' | t }}</button>
          </div>
        </form>
      }
    </section>
  `,
})
export class FlowEditor {
  private readonly api = inject(BotApi);
  private readonly i18n = inject(I18nService);
  readonly flows = input.required<Flow[]>();
  readonly changed = output<void>();
  protected readonly draft = signal<FlowDraft | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly newNode = newNode;

  protected val(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  protected touch(): void {
    const d = this.draft();
    if (d) this.draft.set({ ...d });
  }

  protected addButton(n: NodeDraft): void {
    let i = n.buttons.length + 1;
    while (n.buttons.some((b) => b.id === `b${i}`)) i++;
    n.buttons.push({ id: `b${i}`, label: '', next: '', handoff: false, reply: '' });
    this.touch();
  }

  /** Renaming a node keeps the buttons and the start that pointed at it. */
  protected rename(d: FlowDraft, n: NodeDraft, id: string): void {
    const old = n.id;
    n.id = id.trim();
    for (const o of d.nodes) for (const b of o.buttons) if (b.next === old) b.next = n.id;
    if (d.startNodeId === old) d.startNodeId = n.id;
    this.touch();
  }

  protected edit(f: Flow): void {
    this.draft.set({
      id: f.id, name: f.name, startNodeId: f.startNodeId,
      nodes: Object.entries(f.nodes).map(([id, n]) => ({
        id, content: n.content,
        buttons: n.buttons.map((b) => ({
          id: b.id, label: b.label, next: b.next ?? '', handoff: (b.actions ?? []).some((a) => a.type === 'handoff'),
          reply: ((b.actions ?? []).find((a) => a.type === 'reply') as { content?: string } | undefined)?.content ?? '',
        })),
      })),
    });
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    const d = this.draft();
    if (!d) return;
    const nodes = Object.fromEntries(d.nodes.map((n) => [n.id, {
      content: n.content,
      buttons: n.buttons.map((b) => {
        const actions: Action[] = [...(b.reply.trim() ? [{ type: 'reply' as const, content: b.reply }] : []), ...(b.handoff ? [{ type: 'handoff' as const }] : [])];
        return { id: b.id, label: b.label, ...(b.next ? { next: b.next } : {}), ...(actions.length ? { actions } : {}) };
      }),
    }]));
    const body = { name: d.name.trim(), startNodeId: d.startNodeId, nodes };
    await this.run(async () => {
      if (d.id) await this.api.updateFlow(d.id, body);
      else await this.api.createFlow(body);
      this.draft.set(null);
      this.changed.emit();
    });
  }

  protected remove(f: Flow): Promise<void> {
    return this.run(async () => {
      await this.api.removeFlow(f.id);
      this.changed.emit();
    });
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.error.set(null);
    try {
      await fn();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('bot.failed')));
    }
  }
}
