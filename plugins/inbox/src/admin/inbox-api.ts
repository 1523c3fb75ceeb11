import { HttpClient } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { DashboardFigures } from './wire.generated';

export type Presence = 'online' | 'away' | 'offline';
export type AgentStatus = 'available' | 'away';
export type SlaState = 'none' | 'ok' | 'warning' | 'breached' | 'met';

export interface Agent {
  userId: string;
  name: string;
  email: string;
  role: string;
  presence: Presence;
  status: AgentStatus;
  online: boolean;
  openCount: number;
  capacity: number;
}

export interface PresenceBoard {
  agents: Agent[];
  sites: { id: string; name: string; visitorsOnline: number; visitors: { id: string; name: string | null; email: string | null; currentUrl: string | null; currentTitle: string | null; lastSeenAt: string | null }[] }[];
}

// Generated from the server's DashboardSchema (scripts/wire-types.mjs).
export type { DashboardFigures } from './wire.generated';

export interface Sla {
  conversationId: string;
  priority?: string | null;
  assigneeId?: string | null;
  status?: string;
  state: SlaState;
  dueAt: string | null;
  warnedAt: string | null;
  breachedAt: string | null;
  firstResponseAt: string | null;
}

export interface ConversationState {
  conversationId: string;
  priority: string | null;
  priorityRule: string | null;
  queuePosition: number | null;
  queueLength: number | null;
  sla: Sla | null;
}

export interface QuickReply {
  id: string;
  shortcut: string;
  title: string;
  content: string;
  variables: string[];
  createdBy: string | null;
}

export interface NotificationPreferences {
  email: { newConversation: boolean; newMessage: boolean; slaAlerts: boolean };
  browser: { newConversation: boolean; newMessage: boolean; priority: boolean };
}

const enc = encodeURIComponent;

/** The inbox plugin's REST API (docs/api.md "Inbox operations"). */
@Injectable({ providedIn: 'root' })
export class InboxApi {
  private readonly http = inject(HttpClient);

  me(): Promise<Agent> {
    return firstValueFrom(this.http.get<Agent>('/api/v1/inbox/agents/me'));
  }
  setMyStatus(status: AgentStatus): Promise<Agent> {
    return firstValueFrom(this.http.patch<Agent>('/api/v1/inbox/agents/me', { status }));
  }
  presence(): Promise<PresenceBoard> {
    return firstValueFrom(this.http.get<PresenceBoard>('/api/v1/inbox/presence'));
  }
  dashboard(): Promise<DashboardFigures> {
    return firstValueFrom(this.http.get<DashboardFigures>('/api/v1/inbox/dashboard'));
  }
  state(conversationId: string): Promise<ConversationState> {
    return firstValueFrom(this.http.get<ConversationState>(`/api/v1/inbox/conversations/${enc(conversationId)}/state`));
  }
  preferences(): Promise<NotificationPreferences> {
    return firstValueFrom(this.http.get<NotificationPreferences>('/api/v1/inbox/notifications/preferences'));
  }
  savePreferences(patch: Partial<{ email: Partial<NotificationPreferences['email']>; browser: Partial<NotificationPreferences['browser']> }>): Promise<NotificationPreferences> {
    return firstValueFrom(this.http.patch<NotificationPreferences>('/api/v1/inbox/notifications/preferences', patch));
  }
  async quickReplies(q?: string): Promise<QuickReply[]> {
    const params: Record<string, string> = q ? { q } : {};
    return (await firstValueFrom(this.http.get<{ quickReplies: QuickReply[] }>('/api/v1/inbox/quick-replies', { params }))).quickReplies;
  }
  createQuickReply(body: { shortcut: string; title?: string; content: string }): Promise<QuickReply> {
    return firstValueFrom(this.http.post<QuickReply>('/api/v1/inbox/quick-replies', body));
  }
  updateQuickReply(id: string, body: { shortcut?: string; title?: string; content?: string }): Promise<QuickReply> {
    return firstValueFrom(this.http.patch<QuickReply>(`/api/v1/inbox/quick-replies/${enc(id)}`, body));
  }
  async deleteQuickReply(id: string): Promise<void> {
    await firstValueFrom(this.http.delete(`/api/v1/inbox/quick-replies/${enc(id)}`));
  }
  render(conversationId: string, id: string): Promise<{ quickReplyId: string; content: string; missing: string[] }> {
    return firstValueFrom(this.http.post<{ quickReplyId: string; content: string; missing: string[] }>('/api/v1/inbox/quick-replies/render', { conversationId, id }));
  }
}
