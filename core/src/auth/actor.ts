export type Role = 'owner' | 'admin' | 'agent';
export const ROLES: readonly Role[] = ['owner', 'admin', 'agent'];

export interface AgentActor {
  kind: 'agent';
  accountId: string;
  userId: string;
  sessionId: string;
  role: Role;
  name: string;
  email: string;
  /** How the request authenticated: cookie writes need the CSRF header. */
  via: 'bearer' | 'cookie';
}

export interface VisitorActor {
  kind: 'visitor';
  accountId: string;
  siteId: string;
  visitorId: string;
  tokenVersion: number;
}

/** The scopes an API key may hold (API-features.md "Webhooks and API keys"). */
export const API_KEY_SCOPES = ['contacts:read', 'contacts:write', 'events:write', 'conversations:read', 'conversations:write', 'webhooks:write'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyActor {
  kind: 'apiKey';
  accountId: string;
  keyId: string;
  /** The key's name: what the team sees as the author of what the integration does. */
  name: string;
  scopes: ApiKeyScope[];
}

export type Actor = AgentActor | VisitorActor | ApiKeyActor;
