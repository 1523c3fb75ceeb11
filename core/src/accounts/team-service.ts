import { randomBytes } from 'node:crypto';
import { Op } from 'sequelize';
import type { CharlaConfig } from '../config.js';
import type { PluginDatabase } from '../db/database.js';
import type { CoreModels, InvitationAttrs } from '../db/core-models.js';
import { newId } from '../db/ids.js';
import { CoreErrors, defineError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { JobQueue } from '../jobs/job-queue.js';
import type { Clock } from '../clock.js';
import { ROLES, type AgentActor, type Role } from '../auth/actor.js';
import { hashToken } from '../auth/passwords.js';
import { INVITATION_TTL_MS, mayGrant, normalizeEmail, publicAccount, publicUser, type AuthService, type PublicAccount, type PublicUser } from '../auth/auth-service.js';

export const TeamErrors = {
  memberNotFound: defineError('CHARLA_CORE_MEMBER_NOT_FOUND', 404),
  invitationNotFound: defineError('CHARLA_CORE_INVITATION_NOT_FOUND', 404),
  lastOwner: defineError('CHARLA_CORE_LAST_OWNER', 409),
  alreadyMember: defineError('CHARLA_CORE_ALREADY_MEMBER', 409),
  notAllowed: defineError('CHARLA_CORE_ROLE_FORBIDDEN', 403),
};

export interface PublicInvitation { id: string; email: string; role: Role; expiresAt: string; createdAt: string }

function publicInvitation(i: InvitationAttrs): PublicInvitation {
  return { id: i.id, email: i.email, role: i.role, expiresAt: new Date(i.expiresAt).toISOString(), createdAt: new Date(i.createdAt ?? Date.now()).toISOString() };
}

/** Account settings and team membership. Only owners and admins manage the team; only owners touch owners. */
export class TeamService {
  private readonly d: { config: CharlaConfig; db: PluginDatabase; models: CoreModels; events: EventBus; hooks: HookRunner; jobs: JobQueue; clock: Clock; auth: AuthService };
  constructor(deps: TeamService['d']) {
    this.d = deps;
  }

  async getAccount(accountId: string): Promise<PublicAccount> {
    const a = await this.d.models.Account.findByPk(accountId);
    if (!a) throw CoreErrors.notFound('Account not found.');
    return publicAccount(a);
  }

  async updateAccount(actor: AgentActor, changes: { name?: string }): Promise<PublicAccount> {
    const a = await this.d.models.Account.findByPk(actor.accountId);
    if (!a) throw CoreErrors.notFound('Account not found.');
    await this.d.db.transaction(async (transaction) => {
      if (changes.name !== undefined) await a.update({ name: changes.name.trim() }, { transaction });
      this.d.events.emit('account.updated', { accountId: a.id, changes });
    });
    return publicAccount(a);
  }

  async members(accountId: string): Promise<Array<PublicUser & { createdAt: string }>> {
    const rows = await this.d.db.scope(accountId).findAll(this.d.models.User, { order: [['createdAt', 'ASC']] });
    return rows.map((u) => ({ ...publicUser(u), createdAt: new Date(u.createdAt ?? Date.now()).toISOString() }));
  }

  private assertMayGrant(actor: AgentActor, role: Role): void {
    if (!mayGrant(actor.role, role)) throw TeamErrors.notAllowed('Only an owner can make someone an owner.');
  }

  async invite(actor: AgentActor, emailRaw: string, requestedRole: Role): Promise<PublicInvitation> {
    const email = normalizeEmail(emailRaw);
    this.assertMayGrant(actor, requestedRole);
    const checked = await this.d.hooks.run('team:beforeInvite', { accountId: actor.accountId, email, role: requestedRole, actor });
    // A hook may change the role; the result is held to the same rules as the request.
    const role = ROLES.includes(checked.role as Role) ? (checked.role as Role) : requestedRole;
    this.assertMayGrant(actor, role);
    const token = randomBytes(32).toString('base64url');
    return this.d.db.transaction(async () => {
      const existing = await this.d.db.withoutTenant('team: is the e-mail a user anywhere', () => this.d.models.User.findOne({ where: { email }, transaction: this.d.db.currentTransaction() }));
      if (existing) throw TeamErrors.alreadyMember(existing.accountId === actor.accountId ? 'This person is already a member of the team.' : 'This e-mail already belongs to a Charla user.');
      const scope = this.d.db.scope(actor.accountId);
      // A new invitation to the same e-mail replaces the pending one.
      await scope.destroy(this.d.models.Invitation, { email, acceptedAt: null });
      const inv = await scope.create(this.d.models.Invitation, { id: newId(), email, role, tokenHash: hashToken(token), invitedBy: actor.userId, expiresAt: new Date(this.d.clock.now().getTime() + INVITATION_TTL_MS), acceptedAt: null });
      const account = await this.d.models.Account.findByPk(actor.accountId, { transaction: this.d.db.currentTransaction() });
      const link = `${this.d.config.publicUrl}/admin/accept-invitation?token=${encodeURIComponent(token)}`;
      await this.d.jobs.enqueue('core.mail', {
        to: email,
        subject: `${actor.name} invited you to ${account?.name ?? 'their team'} on Charla`,
        text: `Hello,\n\n${actor.name} invited you to join ${account?.name ?? 'their team'} on Charla as ${role}.\nAccept the invitation (valid for 7 days):\n\n${link}\n`,
      }, { accountId: actor.accountId });
      return publicInvitation(inv);
    });
  }

  async invitations(accountId: string): Promise<PublicInvitation[]> {
    const rows = await this.d.db.scope(accountId).findAll(this.d.models.Invitation, { where: { acceptedAt: null, expiresAt: { [Op.gt]: this.d.clock.now() } }, order: [['createdAt', 'DESC']] });
    return rows.map(publicInvitation);
  }

  async revokeInvitation(actor: AgentActor, id: string): Promise<void> {
    const n = await this.d.db.scope(actor.accountId).destroy(this.d.models.Invitation, { id, acceptedAt: null });
    if (!n) throw TeamErrors.invitationNotFound('No pending invitation with this id.');
  }

  /**
   * Counts the owners and locks their rows until the transaction ends (FOR UPDATE on
   * PostgreSQL; SQLite runs one writer at a time), so two owners demoting or removing
   * each other at the same moment cannot both see "another owner is left".
   */
  private async countOwners(accountId: string): Promise<number> {
    const owners = await this.d.db.scope(accountId).findAll(this.d.models.User, { where: { role: 'owner' }, attributes: ['id'], order: [['id', 'ASC']], lock: true });
    return owners.length;
  }

  async changeRole(actor: AgentActor, userId: string, role: Role): Promise<PublicUser> {
    return this.d.db.transaction(async () => {
      const scope = this.d.db.scope(actor.accountId);
      const user = await scope.findById(this.d.models.User, userId);
      if (!user) throw TeamErrors.memberNotFound('No team member with this id.');
      if (user.role === role) return publicUser(user);
      if (user.role === 'owner' && actor.role !== 'owner') throw TeamErrors.notAllowed('Only an owner can change an owner.');
      this.assertMayGrant(actor, role);
      if (user.role === 'owner' && (await this.countOwners(actor.accountId)) <= 1) throw TeamErrors.lastOwner('The account needs at least one owner. Make someone else owner first.');
      await scope.update(this.d.models.User, { role }, { id: user.id });
      // A changed role ends the member's sessions: their next request logs in again with the new role.
      await this.d.auth.revokeSessions(actor.accountId, user.id);
      this.d.events.emit('user.updated', { accountId: actor.accountId, userId: user.id, changes: { role } });
      return { ...publicUser(user), role };
    });
  }

  async remove(actor: AgentActor, userId: string): Promise<void> {
    await this.d.db.transaction(async () => {
      const scope = this.d.db.scope(actor.accountId);
      const user = await scope.findById(this.d.models.User, userId);
      if (!user) throw TeamErrors.memberNotFound('No team member with this id.');
      if (user.role === 'owner' && actor.role !== 'owner') throw TeamErrors.notAllowed('Only an owner can remove an owner.');
      if (user.role === 'owner' && (await this.countOwners(actor.accountId)) <= 1) throw TeamErrors.lastOwner('The account needs at least one owner. Make someone else owner first.');
      await this.d.auth.revokeSessions(actor.accountId, user.id);
      await scope.destroy(this.d.models.Session, { userId: user.id });
      await scope.destroy(this.d.models.PasswordReset, { userId: user.id });
      // Their pending invitations go with them (acceptance also checks the inviter's role today).
      await scope.destroy(this.d.models.Invitation, { invitedBy: user.id, acceptedAt: null });
      await scope.destroy(this.d.models.User, { id: user.id });
      this.d.events.emit('user.removed', { accountId: actor.accountId, userId: user.id });
    });
  }
}
