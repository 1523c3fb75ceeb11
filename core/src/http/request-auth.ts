import type { FastifyInstance, FastifyRequest } from 'fastify';
import { asValue, type AwilixContainer } from 'awilix';
import { CoreErrors } from '../errors.js';
import { entitlementRequired, isEntitled } from '../accounts/entitlements.js';
import type { Actor, AgentActor, ApiKeyActor, ApiKeyScope, Role, VisitorActor } from '../auth/actor.js';
import { API_KEY_PREFIX } from '../auth/api-keys.js';
import { isOperator } from '../auth/operator.js';
import { SESSION_COOKIE } from '../auth/auth-service.js';
import type { Cradle } from '../container.js';
import { originMatchesDomain } from '../sites/site-service.js';

/**
 * Who may call a route. Routes under /api default to `agent`: fail closed. An API key
 * is accepted by an `agent` route only when the route opts in with `scopes`. `operator`:
 * an agent listed in OPERATOR_EMAILS (see `operatorOf`, which audits cross-account use).
 */
export type AuthKind = 'public' | 'agent' | 'visitor' | 'apiKey' | 'operator';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthKind;
    /** For agent routes: the roles allowed (default: every role). */
    roles?: Role[];
    /**
     * Cross-origin route: any origin may call it with a Bearer token; no cookies. Every
     * route under `/api/v1/widget/` (core's and every plugin's) is cross-origin anyway.
     */
    cors?: boolean;
    /**
     * API key opt-in: an API key may call this route when it holds every scope listed.
     * Without `scopes` a route refuses every key (403). Agents are not affected.
     */
    scopes?: ApiKeyScope[];
    /** For authenticated routes: the caller's account must be entitled to this (docs/configuration.md "Plans"); otherwise 402. */
    entitlement?: string;
  }
  interface FastifyRequest {
    actor: Actor | null;
    scope: AwilixContainer<Cradle>;
  }
}

/** Every route under this prefix is the widget's (visitor) API: cross-origin, CORS served by core. */
export const WIDGET_API = '/api/v1/widget/';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function readToken(request: { headers: Record<string, string | string[] | undefined>; cookies?: Record<string, string | undefined> }): { token: string; via: 'bearer' | 'cookie' } | null {
  const h = request.headers.authorization;
  if (typeof h === 'string' && /^Bearer\s+/i.test(h)) return { token: h.replace(/^Bearer\s+/i, '').trim(), via: 'bearer' };
  const c = request.cookies?.[SESSION_COOKIE];
  if (c) return { token: c, via: 'cookie' };
  return null;
}

/** Resolves any token (agent, visitor, API key) to an actor; null when invalid. */
export async function resolveActor(container: AwilixContainer<Cradle>, token: string, via: 'bearer' | 'cookie'): Promise<Actor | null> {
  const { auth, tokens, visitorAuthenticator, apiKeys } = container.cradle;
  if (token.startsWith(API_KEY_PREFIX)) return via === 'bearer' ? apiKeys.authenticate(token) : null;
  const agent = await auth.authenticateAgent(token, via);
  if (agent) return agent;
  if (via === 'bearer' && visitorAuthenticator) {
    const claims = tokens.verify(token, 'visitor');
    if (claims) return visitorAuthenticator(claims);
  }
  return null;
}

/**
 * The API key half of the role check: the route must opt in with `scopes` (or be an
 * `apiKey` route), the key must hold every one of them, and each key has its own rate
 * limit (`RATE_LIMIT_API_KEY`).
 */
async function admitApiKey(container: AwilixContainer<Cradle>, actor: ApiKeyActor, kind: AuthKind, scopes: ApiKeyScope[] | undefined): Promise<void> {
  if (kind === 'visitor' || kind === 'operator') throw CoreErrors.forbidden(`This endpoint needs a${kind === 'visitor' ? ' visitor' : 'n operator'} token, not an API key.`);
  if (!scopes?.length && kind !== 'apiKey') throw CoreErrors.forbidden('This endpoint does not accept API keys.');
  const missing = (scopes ?? []).filter((s) => !actor.scopes.includes(s));
  if (missing.length) throw CoreErrors.forbidden(`This API key lacks the scope ${missing.join(', ')}.`);
  const { rateLimiter, config } = container.cradle;
  await rateLimiter.consume(`apikey:${actor.keyId}`, config.rateLimits.apiKeyRequests, 'requests with this API key');
}

/** The calling agent or API key (routes that opt keys in with `scopes`). */
export function agentOrKeyOf(request: FastifyRequest): AgentActor | ApiKeyActor {
  const a = request.actor;
  if (!a || (a.kind !== 'agent' && a.kind !== 'apiKey')) throw CoreErrors.unauthorized('Agent or API key authentication required.');
  return a;
}

/** Checks a visitor's browser Origin against its site's domain. */
export async function visitorOriginAllowed(container: AwilixContainer<Cradle>, actor: VisitorActor, origin: string | undefined): Promise<boolean> {
  if (!origin) return true;
  const site = await container.cradle.sites.byIdForAccount(actor.accountId, actor.siteId);
  return !!site && originMatchesDomain(origin, site.domain);
}

/**
 * Authentication and the request scope, in one place. Every route declares
 * `config.auth`; an /api route that does not is agent-only. The DI request scope gets
 * `tenant` and `actor`.
 */
export function installRequestAuth(app: FastifyInstance, container: AwilixContainer<Cradle>): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('scope', null as never);

  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (request.routeOptions.config?.cors || request.routeOptions.url?.startsWith(WIDGET_API)) {
      // Set before authentication so a 401/403 still reaches the page as a readable problem.
      reply.header('access-control-allow-origin', '*');
      reply.header('access-control-allow-headers', 'authorization, content-type');
      reply.header('access-control-allow-methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS');
      reply.header('access-control-max-age', '600');
    }
    request.scope = container.createScope();
    request.scope.register({ tenant: asValue(null), actor: asValue(null) });
    const url = request.routeOptions.url;
    if (!url) return; // 404s
    const kind: AuthKind = request.routeOptions.config.auth ?? (url.startsWith('/api/') ? 'agent' : 'public');
    if (kind === 'public') {
      // Public routes still see who is calling when a valid token is present.
      const t = readToken(request);
      if (t) request.actor = await resolveActor(container, t.token, t.via);
    } else {
      const t = readToken(request);
      if (!t) throw CoreErrors.unauthorized('Authentication required: send Authorization: Bearer <token>.');
      const actor = await resolveActor(container, t.token, t.via);
      if (!actor) throw CoreErrors.unauthorized('The token is invalid, expired or revoked. Log in again.');
      if (actor.kind === 'apiKey') await admitApiKey(container, actor, kind, request.routeOptions.config.scopes);
      else if (kind === 'operator') {
        if (actor.kind !== 'agent' || !isOperator(container.cradle.config, actor)) throw CoreErrors.forbidden('Only instance operators (OPERATOR_EMAILS) may do this.');
      } else if (actor.kind !== kind) throw CoreErrors.forbidden(`This endpoint needs a${kind === 'agent' ? 'n agent' : kind === 'visitor' ? ' visitor' : 'n API key'} token, not a${actor.kind === 'agent' ? 'n agent' : ' visitor'} token.`);
      if (actor.kind === 'agent') {
        const roles = request.routeOptions.config.roles;
        if (roles && !roles.includes(actor.role)) throw CoreErrors.forbidden(`Only ${roles.join(' or ')} may do this.`);
        if (actor.via === 'cookie' && UNSAFE.has(request.method)) {
          const header = request.headers['x-csrf-token'];
          if (typeof header !== 'string' || header !== container.cradle.auth.csrfFor(actor.sessionId)) {
            throw CoreErrors.csrf('Cookie-authenticated writes need the x-csrf-token header (the csrfToken from login or /auth/me).');
          }
        }
      }
      if (actor.kind === 'visitor' && !(await visitorOriginAllowed(container, actor, request.headers.origin))) {
        throw CoreErrors.forbidden('This site does not allow the widget on this origin.');
      }
      // A suspended account's agents, keys and visitors are refused; an operator still reaches operator routes.
      if (kind !== 'operator' && (await container.cradle.entitlements.suspended(actor.accountId))) {
        throw CoreErrors.accountSuspended('This account is suspended by the instance operator; nothing was deleted. Contact the operator to resume it.');
      }
      request.actor = actor;
    }
    if (request.actor) request.scope.register({ tenant: asValue(request.actor.accountId), actor: asValue(request.actor) });
    const entitlement = request.routeOptions.config.entitlement;
    if (entitlement && request.actor) {
      const e = await container.cradle.entitlements.for(request.actor.accountId);
      if (!isEntitled(e, entitlement)) throw entitlementRequired(entitlement, e);
    }
  });

  app.addHook('onResponse', async (request) => {
    await request.scope?.dispose();
  });
}

export function agentOf(request: FastifyRequest): AgentActor {
  const a = request.actor;
  if (!a || a.kind !== 'agent') throw CoreErrors.unauthorized('Agent authentication required.');
  return a;
}

export function visitorOf(request: FastifyRequest): VisitorActor {
  const a = request.actor;
  if (!a || a.kind !== 'visitor') throw CoreErrors.unauthorized('Visitor authentication required.');
  return a;
}

export function clientIp(request: FastifyRequest): string {
  return request.ip;
}
