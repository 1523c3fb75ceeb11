import { randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import type { Logger } from 'pino';
import type { CharlaConfig } from '../config.js';
import type { PluginDatabase } from '../db/database.js';
import type { CoreModels, UserAttrs, AccountAttrs } from '../db/core-models.js';
import { newId } from '../db/ids.js';
import { CoreErrors, defineError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { RateLimiter } from '../http/rate-limiter.js';
import { tooMany } from '../http/rate-limiter.js';
import type { Clock } from '../clock.js';
import type { AgentActor, Role } from './actor.js';
import { DUMMY_PASSWORD_HASH, hashPassword, hashToken, verifyPassword } from './passwords.js';
import { passwordWeakness } from './password-strength.js';
import type { TokenService } from './tokens.js';

export const AuthErrors = {
  emailTaken: defineError('CHARLA_CORE_EMAIL_TAKEN', 409),
  badCredentials: defineError('CHARLA_CORE_BAD_CREDENTIALS', 401),
  signupClosed: defineError('CHARLA_CORE_SIGNUP_CLOSED', 403),
  badResetToken: defineError('CHARLA_CORE_RESET_TOKEN_INVALID', 400),
  badInvitation: defineError('CHARLA_CORE_INVITATION_INVALID', 400),
  wrongPassword: defineError('CHARLA_CORE_WRONG_PASSWORD', 403),
  weakPassword: defineError('CHARLA_CORE_WEAK_PASSWORD', 400),
};

/** Refuses (400) a password that a guessing attack would find; `userInputs`: the user's e-mail, names. */
async function assertStrongPassword(password: string, userInputs: string[]): Promise<void> {
  const weakness = await passwordWeakness(password, userInputs);
  if (weakness) throw AuthErrors.weakPassword(weakness);
}

export interface PublicUser { id: string; name: string; email: string; role: Role }
export interface PublicAccount { id: string; name: string; plan: string }
export interface SessionResult { token: string; csrfToken: string; sessionId: string; user: PublicUser; account: PublicAccount }

export const SESSION_COOKIE = 'charla_session';
const RESET_TTL_MS = 60 * 60 * 1000;
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export function publicUser(u: UserAttrs): PublicUser {
  return { id: u.id, name: u.name, email: u.email, role: u.role };
}
export function publicAccount(a: AccountAttrs): PublicAccount {
  return { id: a.id, name: a.name, plan: a.plan };
}
/** May a member with role `granter` invite (or promote) someone to `role`? Managers invite; only owners make owners. */
export function mayGrant(granter: Role, role: Role): boolean {
  return granter === 'owner' || (granter === 'admin' && role !== 'owner');
}
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class AuthService {
  private readonly config: CharlaConfig;
  private readonly db: PluginDatabase;
  private readonly models: CoreModels;
  private readonly tokens: TokenService;
  private readonly events: EventBus;
  private readonly hooks: HookRunner;
  private readonly jobs: JobQueue;
  private readonly rateLimiter: RateLimiter;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(deps: { config: CharlaConfig; db: PluginDatabase; models: CoreModels; tokens: TokenService; events: EventBus; hooks: HookRunner; jobs: JobQueue; rateLimiter: RateLimiter; clock: Clock; logger: Logger }) {
    this.config = deps.config;
    this.db = deps.db;
    this.models = deps.models;
    this.tokens = deps.tokens;
    this.events = deps.events;
    this.hooks = deps.hooks;
    this.jobs = deps.jobs;
    this.rateLimiter = deps.rateLimiter;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  csrfFor(sessionId: string): string {
    return this.tokens.mac(`csrf:${sessionId}`);
  }

  private async findUserByEmail(email: string) {
    return this.db.withoutTenant('auth: look up user by e-mail', () => this.models.User.findOne({ where: { email: normalizeEmail(email) }, transaction: this.db.currentTransaction() }));
  }

  /** Creates a session row and its JWT. Call inside a transaction or not. */
  async openSession(user: UserAttrs, account: AccountAttrs, userAgent?: string): Promise<SessionResult> {
    const id = newId();
    const ttl = this.config.sessionTtlSeconds;
    await this.db.scope(user.accountId).create(this.models.Session, { id, userId: user.id, expiresAt: new Date(this.clock.now().getTime() + ttl * 1000), revokedAt: null, userAgent: userAgent?.slice(0, 300) ?? null });
    const token = this.tokens.sign({ typ: 'agent', sub: user.id, acc: user.accountId, sid: id }, ttl);
    return { token, csrfToken: this.csrfFor(id), sessionId: id, user: publicUser(user), account: publicAccount(account) };
  }

  async signup(input: { accountName: string; name: string; email: string; password: string }, userAgent?: string): Promise<SessionResult> {
    if (this.config.signup !== 'open') throw AuthErrors.signupClosed('Public sign-up is turned off on this instance. Ask an administrator for an invitation.');
    const email = normalizeEmail(input.email);
    const checked = await this.hooks.run('account:beforeCreate', { name: input.accountName.trim(), email });
    const accountName = typeof checked.name === 'string' && checked.name.trim() ? checked.name.trim().slice(0, 200) : input.accountName.trim();
    await assertStrongPassword(input.password, [email, input.name, accountName]);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.db.transaction(async () => {
        if (await this.findUserByEmail(email)) throw AuthErrors.emailTaken('An account with this e-mail already exists. Log in, or reset your password.');
        const account = await this.models.Account.create({ id: newId(), name: accountName, plan: this.config.defaultPlan }, { transaction: this.db.currentTransaction() });
        const user = await this.db.scope(account.id).create(this.models.User, { id: newId(), name: input.name.trim(), email, role: 'owner', passwordHash });
        this.events.emit('account.created', { accountId: account.id, userId: user.id });
        this.events.emit('user.created', { accountId: account.id, userId: user.id, role: 'owner' });
        return this.openSession(user.get({ plain: true }), account.get({ plain: true }), userAgent);
      });
    } catch (err) {
      if ((err as { name?: string }).name === 'SequelizeUniqueConstraintError') throw AuthErrors.emailTaken('An account with this e-mail already exists. Log in, or reset your password.');
      throw err;
    }
  }

  async login(input: { email: string; password: string }, ip: string, userAgent?: string): Promise<SessionResult> {
    const email = normalizeEmail(input.email);
    const failKey = `login-fail:${email}`;
    const limit = this.config.rateLimits.loginFailuresPerEmail;
    const state = await this.rateLimiter.peek(failKey, limit);
    if (!state.allowed) throw tooMany('failed log-ins for this e-mail', state.retryAfterSeconds);
    const user = await this.findUserByEmail(email);
    // Always run the hash check, so timing does not tell whether the e-mail exists.
    const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok) {
      await this.rateLimiter.hit(failKey, limit);
      this.logger.info({ ip }, 'failed login');
      throw AuthErrors.badCredentials('E-mail or password is wrong.');
    }
    await this.rateLimiter.reset(failKey);
    const account = await this.models.Account.findByPk(user.accountId);
    if (!account) throw AuthErrors.badCredentials('E-mail or password is wrong.');
    return this.openSession(user.get({ plain: true }), account.get({ plain: true }), userAgent);
  }

  /**
   * Resolves an agent token to its actor, checking on every call that the session is
   * live and reading the role from the user row (a lowered role applies at once).
   */
  async authenticateAgent(token: string, via: AgentActor['via']): Promise<AgentActor | null> {
    const claims = this.tokens.verify(token, 'agent');
    if (!claims || typeof claims.sid !== 'string') return null;
    const scope = this.db.scope(claims.acc);
    const session = await scope.findById(this.models.Session, claims.sid);
    if (!session || session.revokedAt || session.userId !== claims.sub || new Date(session.expiresAt).getTime() <= this.clock.now().getTime()) return null;
    const user = await scope.findById(this.models.User, claims.sub);
    if (!user) return null;
    return { kind: 'agent', accountId: user.accountId, userId: user.id, sessionId: session.id, role: user.role, name: user.name, email: user.email, via };
  }

  /** Ends sessions and tells every instance to close their sockets. */
  async revokeSessions(accountId: string, userId: string, which: { only?: string; except?: string } = {}): Promise<void> {
    const where: Record<string | symbol, unknown> = { userId, revokedAt: null };
    if (which.only) where.id = which.only;
    if (which.except) where.id = { [Op.ne]: which.except };
    await this.db.scope(accountId).update(this.models.Session, { revokedAt: this.clock.now() }, where as never);
    this.events.emit('sessions.revoked', { accountId, userId, sessionIds: which.only ? [which.only] : 'all', exceptSessionId: which.except });
    this.events.system('revoke', { accountId, userId, sessionIds: which.only ? [which.only] : 'all', exceptSessionId: which.except ?? null });
  }

  async logout(actor: AgentActor): Promise<void> {
    await this.db.transaction(() => this.revokeSessions(actor.accountId, actor.userId, { only: actor.sessionId }));
  }

  async me(actor: AgentActor): Promise<{ user: PublicUser; account: PublicAccount; csrfToken: string }> {
    const scope = this.db.scope(actor.accountId);
    const user = await scope.findById(this.models.User, actor.userId);
    const account = await this.models.Account.findByPk(actor.accountId);
    if (!user || !account) throw CoreErrors.unauthorized('Your session has ended. Log in again.');
    return { user: publicUser(user), account: publicAccount(account), csrfToken: this.csrfFor(actor.sessionId) };
  }

  async changePassword(actor: AgentActor, currentPassword: string, newPassword: string): Promise<void> {
    const scope = this.db.scope(actor.accountId);
    const user = await scope.findById(this.models.User, actor.userId);
    if (!user || !(await verifyPassword(currentPassword, user.passwordHash))) throw AuthErrors.wrongPassword('The current password is wrong.');
    await assertStrongPassword(newPassword, [user.email, user.name]);
    const passwordHash = await hashPassword(newPassword);
    await this.db.transaction(async () => {
      await scope.update(this.models.User, { passwordHash }, { id: user.id });
      await this.retireResetLinks(actor.accountId, user.id);
      await this.revokeSessions(actor.accountId, actor.userId, { except: actor.sessionId });
    });
  }

  /** A new password retires every reset link still out: one of them may be in someone else's hands. */
  private async retireResetLinks(accountId: string, userId: string): Promise<void> {
    await this.db.scope(accountId).update(this.models.PasswordReset, { usedAt: this.clock.now() }, { userId, usedAt: null });
  }

  /**
   * Starts a password reset. Known and unknown e-mails take the same path: a token is
   * always made and hashed; only a known user gets a row and an e-mail (through the
   * jobs table), and the caller always gets 202.
   */
  async forgotPassword(email: string): Promise<void> {
    const token = randomBytes(32).toString('base64url');
    const tokenHash = hashToken(token);
    const user = await this.findUserByEmail(email);
    await this.db.transaction(async () => {
      if (!user) return;
      await this.db.scope(user.accountId).create(this.models.PasswordReset, { id: newId(), userId: user.id, tokenHash, expiresAt: new Date(this.clock.now().getTime() + RESET_TTL_MS), usedAt: null });
      const link = `${this.config.publicUrl}/admin/reset-password?token=${encodeURIComponent(token)}`;
      await this.jobs.enqueue('core.mail', {
        to: user.email,
        subject: 'Reset your Charla password',
        text: `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset the password of your Charla account.\nOpen this link within one hour to choose a new password:\n\n${link}\n\nIf it wasn't you, ignore this e-mail; your password stays the same.\n`,
      }, { accountId: user.accountId });
    });
  }

  async resetPassword(token: string, password: string): Promise<{ email: string }> {
    await assertStrongPassword(password, []);
    const tokenHash = hashToken(token);
    const passwordHash = await hashPassword(password);
    return this.db.transaction(async () => {
      const reset = await this.db.withoutTenant('auth: reset token lookup', () => this.models.PasswordReset.findOne({ where: { tokenHash }, transaction: this.db.currentTransaction() }));
      if (!reset || reset.usedAt || new Date(reset.expiresAt).getTime() <= this.clock.now().getTime()) {
        throw AuthErrors.badResetToken('This reset link is invalid, used or expired. Ask for a new one.');
      }
      const scope = this.db.scope(reset.accountId);
      const used = await scope.update(this.models.PasswordReset, { usedAt: this.clock.now() }, { id: reset.id, usedAt: null });
      if (used !== 1) throw AuthErrors.badResetToken('This reset link is invalid, used or expired. Ask for a new one.');
      const user = await scope.findById(this.models.User, reset.userId);
      if (!user) throw AuthErrors.badResetToken('This reset link is invalid, used or expired. Ask for a new one.');
      await scope.update(this.models.User, { passwordHash }, { id: user.id });
      await this.retireResetLinks(reset.accountId, user.id);
      await this.revokeSessions(reset.accountId, user.id);
      return { email: user.email };
    });
  }

  async acceptInvitation(input: { token: string; name: string; password: string }, userAgent?: string): Promise<SessionResult> {
    await assertStrongPassword(input.password, [input.name]);
    const tokenHash = hashToken(input.token);
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.db.transaction(async () => {
        const inv = await this.db.withoutTenant('auth: invitation lookup', () => this.models.Invitation.findOne({ where: { tokenHash }, transaction: this.db.currentTransaction() }));
        if (!inv || inv.acceptedAt || new Date(inv.expiresAt).getTime() <= this.clock.now().getTime()) {
          throw AuthErrors.badInvitation('This invitation is invalid, used or expired. Ask for a new one.');
        }
        const scope = this.db.scope(inv.accountId);
        // The invitation is worth what its sender could grant today: a removed or demoted
        // admin's invitations no longer let anyone in with their role.
        const inviter = inv.invitedBy ? await scope.findById(this.models.User, inv.invitedBy) : null;
        if (inv.invitedBy && !(inviter && mayGrant(inviter.role, inv.role))) {
          throw AuthErrors.badInvitation('This invitation is no longer valid: the person who sent it can no longer invite with this role. Ask an admin for a new one.');
        }
        const taken = await scope.update(this.models.Invitation, { acceptedAt: this.clock.now() }, { id: inv.id, acceptedAt: null });
        if (taken !== 1) throw AuthErrors.badInvitation('This invitation is invalid, used or expired. Ask for a new one.');
        if (await this.findUserByEmail(inv.email)) throw AuthErrors.emailTaken('A user with this e-mail already exists. Log in instead.');
        const user = await scope.create(this.models.User, { id: newId(), name: input.name.trim(), email: inv.email, role: inv.role, passwordHash });
        const account = await this.models.Account.findByPk(inv.accountId, { transaction: this.db.currentTransaction() });
        if (!account) throw AuthErrors.badInvitation('This invitation is invalid, used or expired. Ask for a new one.');
        this.events.emit('user.created', { accountId: inv.accountId, userId: user.id, role: inv.role });
        return this.openSession(user.get({ plain: true }), account.get({ plain: true }), userAgent);
      });
    } catch (err) {
      if ((err as { name?: string }).name === 'SequelizeUniqueConstraintError') throw AuthErrors.emailTaken('A user with this e-mail already exists. Log in instead.');
      throw err;
    }
  }
}
