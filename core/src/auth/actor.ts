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

export interface ApiKeyActor {
  kind: 'apiKey';
  accountId: string;
  keyId: string;
}

export type Actor = AgentActor | VisitorActor | ApiKeyActor;
