import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export type Trigger = 'message' | 'conversation_started' | 'outside_hours';
export interface RuleButton { label: string; reply?: string; flowId?: string; flowNodeId?: string }
export type Action =
  | { type: 'reply'; content: string }
  | { type: 'suggest_articles'; articleIds?: string[] }
  | { type: 'buttons'; content: string; buttons: RuleButton[] }
  | { type: 'start_flow'; flowId: string }
  | { type: 'set_status'; status: 'pending' }
  | { type: 'assign'; assigneeId?: string }
  | { type: 'handoff'; content?: string };
export interface Conditions { keywords?: string[]; match?: 'any' | 'all'; pattern?: string; pageUrlContains?: string; locale?: string }
export interface Rule { id: string; name: string; enabled: boolean; siteId: string | null; position: number; trigger: Trigger; conditions: Conditions; actions: Action[] }
export interface FlowButton { id: string; label: string; next?: string; actions?: Action[] }
export interface Flow { id: string; name: string; startNodeId: string; nodes: Record<string, { content: string; buttons: FlowButton[] }> }
export interface TestResult { ruleId: string | null; ruleName: string | null; messages: Array<{ content: string; metadata: { buttons?: Array<{ label: string }>; articles?: Array<{ title: string }> } }>; effects: Array<{ type: string; detail?: Record<string, unknown> }> }
export interface RuleStats { ruleId: string; name: string; fired: number; handedOff: number; resolvedWithoutAgent: number }
export interface Template { id: string; name: string; description: string }
export interface Option { id: string; name: string }

/** The bot plugin's HTTP API (API-features.md § Bot). */
@Injectable({ providedIn: 'root' })
export class BotApi {
  private readonly http = inject(HttpClient);
  private get<T>(url: string): Promise<T> { return firstValueFrom(this.http.get<T>(url)); }

  async rules(): Promise<Rule[]> { return (await this.get<{ rules: Rule[] }>('/api/v1/bot/rules')).rules; }
  createRule(body: Omit<Rule, 'id' | 'position'>): Promise<Rule> { return firstValueFrom(this.http.post<Rule>('/api/v1/bot/rules', body)); }
  updateRule(id: string, body: Partial<Omit<Rule, 'id' | 'position'>>): Promise<Rule> { return firstValueFrom(this.http.patch<Rule>(`/api/v1/bot/rules/${id}`, body)); }
  removeRule(id: string): Promise<unknown> { return firstValueFrom(this.http.delete(`/api/v1/bot/rules/${id}`)); }
  async reorder(ids: string[]): Promise<Rule[]> { return (await firstValueFrom(this.http.post<{ rules: Rule[] }>('/api/v1/bot/rules/reorder', { ids }))).rules; }
  async flows(): Promise<Flow[]> { return (await this.get<{ flows: Flow[] }>('/api/v1/bot/flows')).flows; }
  createFlow(body: Omit<Flow, 'id'>): Promise<Flow> { return firstValueFrom(this.http.post<Flow>('/api/v1/bot/flows', body)); }
  updateFlow(id: string, body: Omit<Flow, 'id'>): Promise<Flow> { return firstValueFrom(this.http.patch<Flow>(`/api/v1/bot/flows/${id}`, body)); }
  removeFlow(id: string): Promise<unknown> { return firstValueFrom(this.http.delete(`/api/v1/bot/flows/${id}`)); }
  test(body: { siteId?: string; content: string; at?: string; firstMessage?: boolean }): Promise<TestResult> { return firstValueFrom(this.http.post<TestResult>('/api/v1/bot/test', body)); }
  async stats(): Promise<RuleStats[]> { return (await this.get<{ rules: RuleStats[] }>('/api/v1/bot/stats')).rules; }
  async templates(locale: string): Promise<Template[]> { return (await this.get<{ templates: Template[] }>(`/api/v1/bot/templates?locale=${locale === 'en' ? 'en' : 'es'}`)).templates; }
  addTemplate(id: string, locale: string): Promise<Rule> { return firstValueFrom(this.http.post<Rule>(`/api/v1/bot/templates/${id}?locale=${locale === 'en' ? 'en' : 'es'}`, {})); }
  async sites(): Promise<Option[]> { return (await this.get<{ sites: Option[] }>('/api/v1/sites')).sites; }
  async articles(): Promise<Option[]> {
    const r = await this.get<{ articles: Array<{ id: string; title: string }> }>('/api/v1/kb/articles?status=published&limit=100').catch(() => ({ articles: [] }));
    return r.articles.map((a) => ({ id: a.id, name: a.title }));
  }
  async members(): Promise<Option[]> {
    const r = await this.get<{ members: Array<{ id: string; name: string }> }>('/api/v1/team/members').catch(() => ({ members: [] }));
    return r.members.map((m) => ({ id: m.id, name: m.name }));
  }
}
