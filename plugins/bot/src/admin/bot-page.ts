import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { I18nService, TranslatePipe, problemText } from '@charla/admin/sdk';
import { BotApi, type Action, type Flow, type Option, type Rule, type RuleStats, type Template, type TestResult, type Trigger } from './bot-api';
import { FlowEditor } from './flow-editor';

type ActionType = Action['type'];
const ACTION_TYPES: ActionType[] = ['reply', 'buttons', 'suggest_articles', 'start_flow', 'set_status', 'assign', 'handoff'];
const TRIGGERS: Trigger[] = ['message', 'conversation_started', 'outside_hours'];

/** An action as the form edits it: every field present, so inputs bind simply. */
interface ActionDraft { type: ActionType; content: string; articleIds: string[]; flowId: string; assigneeId: string; buttons: Array<{ label: string; reply: string; flowId: string }> }
interface RuleDraft { id: string | null; name: string; enabled: boolean; siteId: string; trigger: Trigger; keywords: string; match: 'any' | 'all'; pattern: string; pageUrlContains: string; locale: string; actions: ActionDraft[] }

const emptyAction = (type: ActionType): ActionDraft => ({ type, content: '', articleIds: [], flowId: '', assigneeId: '', buttons: type === 'buttons' ? [{ label: '', reply: '', flowId: '' }] : [] });
const emptyRule = (): RuleDraft => ({ id: null, name: '', enabled: true, siteId: '', trigger: 'message', keywords: '', match: 'any', pattern: '', pageUrlContains: '', locale: '', actions: [emptyAction('reply')] });

/** /admin/bot: rules (order, toggles, editor, templates), decision trees, the test console and per-rule stats. */
@Component({
  selector: 'ch-bot-page',
  imports: [TranslatePipe, FlowEditor],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <div class="stack">
      <h1 class="page-title">{{ 'bot.title' | t }}</h1>
      <p class="muted">{{ 'bot.intro' | t }}</p>
      @if (error()) { <p class="alert alert-error" role="alert">{{ error() }}</p> }

      <section class="card" data-testid="bot-rules">
        <h2>{{ 'bot.rules' | t }}</h2>
        @if (rules().length) {
          <table class="table">
            <thead><tr><th scope="col">#</th><th scope="col">{{ 'bot.name' | t }}</th><th scope="col">{{ 'bot.trigger' | t }}</th><th scope="col">{{ 'bot.enabled' | t }}</th><th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th></tr></thead>
            <tbody>
              @for (r of rules(); track r.id; let i = $index, last = $last) {
                <tr [attr.data-rule]="r.name">
                  <td>{{ i + 1 }}</td>
                  <td>{{ r.name }}</td>
                  <td>{{ 'bot.trigger.' + r.trigger | t }}</td>
                  <td><label class="row"><input type="checkbox" role="switch" [checked]="r.enabled" (change)="toggle(r)" [attr.aria-label]="('bot.enabled' | t) + ': ' + r.name" /></label></td>
                  <td class="row">
                    <button type="button" class="btn btn-secondary btn-sm" [disabled]="i === 0" (click)="move(i, -1)" [attr.aria-label]="('bot.up' | t) + ': ' + r.name">↑</button>
                    <button type="button" class="btn btn-secondary btn-sm" [disabled]="last" (click)="move(i, 1)" [attr.aria-label]="('bot.down' | t) + ': ' + r.name">↓</button>
                    <button type="button" class="btn btn-secondary btn-sm" (click)="edit(r)">{{ 'bot.edit' | t }}</button>
                    <button type="button" class="btn btn-danger btn-sm" (click)="removeRule(r)">{{ 'bot.delete' | t }}</button>
                  </td>
                </tr>
              }
            </tbody>
          </table>
        } @else { <p class="muted">{{ 'bot.noRules' | t }}</p> }
        <div class="row">
          <button type="button" class="btn btn-primary" (click)="draft.set(newRule())">{{ 'bot.newRule' | t }}</button>
          @for (tpl of templates(); track tpl.id) {
            <button type="button" class="btn btn-secondary btn-sm" [title]="tpl.description" (click)="addTemplate(tpl)">{{ 'bot.addTemplate' | t: { name: tpl.name } }}</button>
          }
        </div>
      </section>

      @if (draft(); as d) {
        <section class="card" data-testid="bot-rule-editor">
          <h2>{{ (d.id ? 'bot.editRule' : 'bot.newRule') | t }}</h2>
          <form class="stack" (submit)="save($event)">
            <div class="field"><label for="bot-name">{{ 'bot.name' | t }}</label><input id="bot-name" required maxlength="100" [value]="d.name" (input)="d.name = val($event)" /></div>
            <div class="field">
              <label for="bot-trigger">{{ 'bot.when' | t }}</label>
              <select id="bot-trigger" (change)="d.trigger = $any(val($event))">
                @for (tr of triggers; track tr) { <option [value]="tr" [selected]="d.trigger === tr">{{ 'bot.trigger.' + tr | t }}</option> }
              </select>
            </div>
            <div class="field">
              <label for="bot-site">{{ 'bot.site' | t }}</label>
              <select id="bot-site" (change)="d.siteId = val($event)">
                <option value="" [selected]="!d.siteId">{{ 'bot.allSites' | t }}</option>
                @for (s of sites(); track s.id) { <option [value]="s.id" [selected]="d.siteId === s.id">{{ s.name }}</option> }
              </select>
            </div>
            <fieldset class="field">
              <legend>{{ 'bot.conditions' | t }}</legend>
              <label for="bot-keywords">{{ 'bot.keywords' | t }}</label>
              <input id="bot-keywords" [value]="d.keywords" (input)="d.keywords = val($event)" placeholder="devolución, reembolso" />
              <p class="muted">{{ 'bot.keywordsHelp' | t }}</p>
              <label for="bot-match">{{ 'bot.match' | t }}</label>
              <select id="bot-match" (change)="d.match = $any(val($event))">
                <option value="any" [selected]="d.match === 'any'">{{ 'bot.match.any' | t }}</option>
                <option value="all" [selected]="d.match === 'all'">{{ 'bot.match.all' | t }}</option>
              </select>
              <label for="bot-pattern">{{ 'bot.pattern' | t }}</label>
              <input id="bot-pattern" maxlength="200" [value]="d.pattern" (input)="d.pattern = val($event)" placeholder="pedido\\s*#?\\d+" />
              <label for="bot-page">{{ 'bot.pageUrl' | t }}</label>
              <input id="bot-page" maxlength="500" [value]="d.pageUrlContains" (input)="d.pageUrlContains = val($event)" placeholder="/checkout" />
              <label for="bot-locale">{{ 'bot.locale' | t }}</label>
              <input id="bot-locale" maxlength="10" [value]="d.locale" (input)="d.locale = val($event)" placeholder="es" />
            </fieldset>
            <fieldset class="field">
              <legend>{{ 'bot.actions' | t }}</legend>
              @for (a of d.actions; track $index; let ai = $index) {
                <div class="card stack" [attr.data-action]="a.type">
                  <div class="row">
                    <strong>{{ ai + 1 }}. {{ 'bot.action.' + a.type | t }}</strong>
                    <button type="button" class="btn btn-secondary btn-sm" (click)="removeAction(d, ai)" [attr.aria-label]="('bot.removeAction' | t) + ' ' + (ai + 1)">✕</button>
                  </div>
                  @switch (a.type) {
                    @case ('reply') { <label [for]="'bot-a-' + ai">{{ 'bot.message' | t }}</label><textarea [id]="'bot-a-' + ai" required maxlength="2000" [value]="a.content" (input)="a.content = val($event)"></textarea> }
                    @case ('handoff') { <label [for]="'bot-a-' + ai">{{ 'bot.handoffMessage' | t }}</label><textarea [id]="'bot-a-' + ai" maxlength="2000" [value]="a.content" (input)="a.content = val($event)"></textarea> }
                    @case ('buttons') {
                      <label [for]="'bot-a-' + ai">{{ 'bot.question' | t }}</label><textarea [id]="'bot-a-' + ai" required maxlength="2000" [value]="a.content" (input)="a.content = val($event)"></textarea>
                      @for (b of a.buttons; track $index; let bi = $index) {
                        <div class="row">
                          <input [attr.aria-label]="('bot.buttonLabel' | t) + ' ' + (bi + 1)" required maxlength="80" [placeholder]="'bot.buttonLabel' | t" [value]="b.label" (input)="b.label = val($event)" />
                          <input [attr.aria-label]="('bot.buttonReply' | t) + ' ' + (bi + 1)" maxlength="2000" [placeholder]="'bot.buttonReply' | t" [value]="b.reply" (input)="b.reply = val($event)" />
                          <select [attr.aria-label]="('bot.buttonFlow' | t) + ' ' + (bi + 1)" (change)="b.flowId = val($event)">
                            <option value="" [selected]="!b.flowId">{{ 'bot.noFlow' | t }}</option>
                            @for (f of flows(); track f.id) { <option [value]="f.id" [selected]="b.flowId === f.id">{{ f.name }}</option> }
                          </select>
                          <button type="button" class="btn btn-secondary btn-sm" (click)="a.buttons.splice(bi, 1); touch()">✕</button>
                        </div>
                      }
                      @if (a.buttons.length < 5) { <button type="button" class="btn btn-secondary btn-sm" (click)="a.buttons.push({ label: '', reply: '', flowId: '' }); touch()">{{ 'bot.addButton' | t }}</button> }
                    }
                    @case ('suggest_articles') {
                      <p class="muted">{{ 'bot.articlesHelp' | t }}</p>
                      @for (art of articles(); track art.id) {
                        <label class="row"><input type="checkbox" [checked]="a.articleIds.includes(art.id)" (change)="pick(a, art.id)" /> {{ art.name }}</label>
                      }
                    }
                    @case ('start_flow') {
                      <label [for]="'bot-a-' + ai">{{ 'bot.flow' | t }}</label>
                      <select [id]="'bot-a-' + ai" required (change)="a.flowId = val($event)">
                        <option value="">—</option>
                        @for (f of flows(); track f.id) { <option [value]="f.id" [selected]="a.flowId === f.id">{{ f.name }}</option> }
                      </select>
                    }
                    @case ('assign') {
                      <label [for]="'bot-a-' + ai">{{ 'bot.assignee' | t }}</label>
                      <select [id]="'bot-a-' + ai" (change)="a.assigneeId = val($event)">
                        <option value="" [selected]="!a.assigneeId">{{ 'bot.routingDecides' | t }}</option>
                        @for (m of members(); track m.id) { <option [value]="m.id" [selected]="a.assigneeId === m.id">{{ m.name }}</option> }
                      </select>
                    }
                    @case ('set_status') { <p class="muted">{{ 'bot.pendingHelp' | t }}</p> }
                  }
                </div>
              }
              <div class="row">
                <label for="bot-new-action" class="visually-hidden">{{ 'bot.addAction' | t }}</label>
                <select id="bot-new-action" #kind>
                  @for (k of actionTypes; track k) { <option [value]="k">{{ 'bot.action.' + k | t }}</option> }
                </select>
                <button type="button" class="btn btn-secondary btn-sm" (click)="d.actions.push(emptyAction($any(kind.value))); touch()">{{ 'bot.addAction' | t }}</button>
              </div>
            </fieldset>
            <label class="row"><input type="checkbox" [checked]="d.enabled" (change)="d.enabled = !d.enabled" /> {{ 'bot.enabled' | t }}</label>
            <div class="row">
              <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ 'bot.saveRule' | t }}</button>
              <button class="btn btn-secondary" type="button" (click)="draft.set(null)">{{ 'bot.cancel' | t }}</button>
            </div>
          </form>
        </section>
      }

      <ch-bot-flow-editor [flows]="flows()" (changed)="reload()" />

      <section class="card" data-testid="bot-test">
        <h2>{{ 'bot.testConsole' | t }}</h2>
        <p class="muted">{{ 'bot.testHelp' | t }}</p>
        <form class="stack" (submit)="runTest($event)">
          <div class="field"><label for="bot-test-text">{{ 'bot.visitorSays' | t }}</label><input id="bot-test-text" required maxlength="5000" [value]="testText()" (input)="testText.set(val($event))" /></div>
          <div class="field">
            <label for="bot-test-site">{{ 'bot.site' | t }}</label>
            <select id="bot-test-site" (change)="testSite.set(val($event))">
              <option value="">{{ 'bot.allSites' | t }}</option>
              @for (s of sites(); track s.id) { <option [value]="s.id">{{ s.name }}</option> }
            </select>
          </div>
          <div class="field"><label for="bot-test-at">{{ 'bot.testAt' | t }}</label><input id="bot-test-at" type="datetime-local" [value]="testAt()" (input)="testAt.set(val($event))" /></div>
          <div class="row"><button class="btn btn-primary" type="submit">{{ 'bot.test' | t }}</button></div>
        </form>
        @if (result(); as r) {
          <div role="status" data-testid="bot-test-result" class="stack">
            <p>{{ r.ruleName ? ('bot.matched' | t: { name: r.ruleName }) : ('bot.noMatch' | t) }}</p>
            @for (m of r.messages; track $index) {
              <div class="card"><p>🤖 {{ m.content }}</p>
                @if (m.metadata.buttons?.length) { <p class="row">@for (b of m.metadata.buttons; track $index) { <span class="badge">{{ b.label }}</span> }</p> }
                @if (m.metadata.articles?.length) { <ul>@for (art of m.metadata.articles; track $index) { <li>{{ art.title }}</li> }</ul> }
              </div>
            }
            @for (e of r.effects; track $index) { <p class="muted">→ {{ 'bot.action.' + e.type | t }}</p> }
          </div>
        }
      </section>

      <section class="card" data-testid="bot-stats">
        <h2>{{ 'bot.stats' | t }}</h2>
        <button type="button" class="btn btn-secondary btn-sm" (click)="loadStats()">{{ 'bot.refresh' | t }}</button>
        <table class="table">
          <thead><tr><th scope="col">{{ 'bot.name' | t }}</th><th scope="col">{{ 'bot.fired' | t }}</th><th scope="col">{{ 'bot.handedOff' | t }}</th><th scope="col">{{ 'bot.resolved' | t }}</th></tr></thead>
          <tbody>@for (s of stats(); track s.ruleId) { <tr [attr.data-stats]="s.name"><td>{{ s.name }}</td><td>{{ s.fired }}</td><td>{{ s.handedOff }}</td><td>{{ s.resolvedWithoutAgent }}</td></tr> }</tbody>
        </table>
        <p class="muted">{{ 'bot.statsHelp' | t }}</p>
      </section>
    </div>
  `,
})
export class BotPage {
  private readonly api = inject(BotApi);
  private readonly i18n = inject(I18nService);
  protected readonly triggers = TRIGGERS;
  protected readonly actionTypes = ACTION_TYPES;
  protected readonly emptyAction = emptyAction;
  protected readonly newRule = emptyRule;
  protected readonly rules = signal<Rule[]>([]);
  protected readonly flows = signal<Flow[]>([]);
  protected readonly sites = signal<Option[]>([]);
  protected readonly articles = signal<Option[]>([]);
  protected readonly members = signal<Option[]>([]);
  protected readonly templates = signal<Template[]>([]);
  protected readonly stats = signal<RuleStats[]>([]);
  protected readonly draft = signal<RuleDraft | null>(null);
  protected readonly testText = signal('');
  protected readonly testSite = signal('');
  protected readonly testAt = signal('');
  protected readonly result = signal<TestResult | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.run(async () => {
      const [sites, articles, members, templates] = await Promise.all([this.api.sites(), this.api.articles(), this.api.members(), this.api.templates(this.i18n.locale())]);
      this.sites.set(sites);
      this.articles.set(articles);
      this.members.set(members);
      this.templates.set(templates);
      await this.reload();
      await this.loadStats();
    });
  }

  protected val(event: Event): string {
    return (event.target as HTMLInputElement).value;
  }

  /** The draft is edited in place: a new object tells OnPush to render it again. */
  protected touch(): void {
    const d = this.draft();
    if (d) this.draft.set({ ...d });
  }

  protected pick(a: ActionDraft, id: string): void {
    a.articleIds = a.articleIds.includes(id) ? a.articleIds.filter((x) => x !== id) : [...a.articleIds, id];
    this.touch();
  }

  protected removeAction(d: RuleDraft, index: number): void {
    d.actions.splice(index, 1);
    this.touch();
  }

  protected edit(r: Rule): void {
    this.draft.set({
      id: r.id, name: r.name, enabled: r.enabled, siteId: r.siteId ?? '', trigger: r.trigger,
      keywords: (r.conditions.keywords ?? []).join(', '), match: r.conditions.match ?? 'any', pattern: r.conditions.pattern ?? '',
      pageUrlContains: r.conditions.pageUrlContains ?? '', locale: r.conditions.locale ?? '',
      actions: r.actions.map((a) => ({
        ...emptyAction(a.type), ...('content' in a && a.content ? { content: a.content } : {}),
        ...(a.type === 'suggest_articles' ? { articleIds: a.articleIds ?? [] } : {}), ...(a.type === 'start_flow' ? { flowId: a.flowId } : {}),
        ...(a.type === 'assign' ? { assigneeId: a.assigneeId ?? '' } : {}),
        ...(a.type === 'buttons' ? { buttons: a.buttons.map((b) => ({ label: b.label, reply: b.reply ?? '', flowId: b.flowId ?? '' })) } : {}),
      })),
    });
  }

  protected async save(event: Event): Promise<void> {
    event.preventDefault();
    const d = this.draft();
    if (!d) return;
    const keywords = d.keywords.split(',').map((k) => k.trim()).filter(Boolean);
    const conditions = {
      ...(keywords.length ? { keywords, match: d.match } : {}), ...(d.pattern.trim() ? { pattern: d.pattern.trim() } : {}),
      ...(d.pageUrlContains.trim() ? { pageUrlContains: d.pageUrlContains.trim() } : {}), ...(d.locale.trim() ? { locale: d.locale.trim() } : {}),
    };
    const actions = d.actions.map((a): Action => {
      switch (a.type) {
        case 'reply': return { type: 'reply', content: a.content };
        case 'handoff': return a.content.trim() ? { type: 'handoff', content: a.content } : { type: 'handoff' };
        case 'buttons': return { type: 'buttons', content: a.content, buttons: a.buttons.map((b) => ({ label: b.label, ...(b.reply.trim() ? { reply: b.reply } : {}), ...(b.flowId ? { flowId: b.flowId } : {}) })) };
        case 'suggest_articles': return a.articleIds.length ? { type: 'suggest_articles', articleIds: a.articleIds } : { type: 'suggest_articles' };
        case 'start_flow': return { type: 'start_flow', flowId: a.flowId };
        case 'assign': return a.assigneeId ? { type: 'assign', assigneeId: a.assigneeId } : { type: 'assign' };
        case 'set_status': return { type: 'set_status', status: 'pending' };
      }
    });
    const body = { name: d.name.trim(), enabled: d.enabled, siteId: d.siteId || null, trigger: d.trigger, conditions, actions };
    this.busy.set(true);
    await this.run(async () => {
      if (d.id) await this.api.updateRule(d.id, body);
      else await this.api.createRule(body);
      this.draft.set(null);
      await this.reload();
    });
    this.busy.set(false);
  }

  protected toggle(r: Rule): Promise<void> {
    return this.run(async () => {
      await this.api.updateRule(r.id, { enabled: !r.enabled });
      await this.reload();
    });
  }

  protected move(index: number, by: -1 | 1): Promise<void> {
    const ids = this.rules().map((r) => r.id);
    [ids[index], ids[index + by]] = [ids[index + by], ids[index]];
    return this.run(async () => this.rules.set(await this.api.reorder(ids)));
  }

  protected removeRule(r: Rule): Promise<void> {
    return this.run(async () => {
      await this.api.removeRule(r.id);
      await this.reload();
    });
  }

  protected addTemplate(tpl: Template): Promise<void> {
    return this.run(async () => {
      await this.api.addTemplate(tpl.id, this.i18n.locale());
      await this.reload();
    });
  }

  protected async runTest(event: Event): Promise<void> {
    event.preventDefault();
    await this.run(async () => {
      this.result.set(await this.api.test({
        content: this.testText(), ...(this.testSite() ? { siteId: this.testSite() } : {}), ...(this.testAt() ? { at: new Date(this.testAt()).toISOString() } : {}),
      }));
    });
  }

  protected loadStats(): Promise<void> {
    return this.run(async () => this.stats.set(await this.api.stats()));
  }

  protected async reload(): Promise<void> {
    const [rules, flows] = await Promise.all([this.api.rules(), this.api.flows()]);
    this.rules.set(rules);
    this.flows.set(flows);
  }

  /** Runs an action, showing the server's problem detail when it fails. */
  private async run(fn: () => Promise<void>): Promise<void> {
    this.error.set(null);
    try {
      await fn();
    } catch (err) {
      this.error.set(problemText(err, this.i18n.t('bot.failed')));
    }
  }
}
