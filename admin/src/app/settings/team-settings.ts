import { HttpClient } from '@angular/common/http';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthService } from '../../sdk/auth.service';
import { DatePipe } from '../../sdk/format';
import { I18nService, TranslatePipe } from '../../sdk/i18n.service';
import type { Invitation, Role, User } from '../../sdk/models';
import { TeamDirectory } from '../../sdk/team-directory.service';
import { formValues } from '../auth/auth-card';
import { StatusLine } from './status-line';

const ROLES: Role[] = ['owner', 'admin', 'agent'];

@Component({
  selector: 'ch-team-settings',
  imports: [TranslatePipe, DatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="card">
      <h2>{{ 'settings.team.title' | t }}</h2>
      @if (status.text()) {
        <p role="status" class="alert" [class.alert-error]="status.isError()">{{ status.text() }}</p>
      }
      <table class="table">
        <caption class="visually-hidden">{{ 'settings.team.members' | t }}</caption>
        <thead>
          <tr>
            <th scope="col">{{ 'auth.name' | t }}</th>
            <th scope="col">{{ 'auth.email' | t }}</th>
            <th scope="col">{{ 'settings.team.role' | t }}</th>
            <th scope="col"><span class="visually-hidden">{{ 'common.actions' | t }}</span></th>
          </tr>
        </thead>
        <tbody>
          @for (m of team.members(); track m.id) {
            <tr [attr.data-member]="m.email">
              <td>{{ m.name }} @if (m.id === me()) { <span class="badge">{{ 'settings.team.you' | t }}</span> }</td>
              <td>{{ m.email }}</td>
              <td>
                @if (auth.canManage() && m.id !== me()) {
                  <label class="visually-hidden" [for]="'role-' + m.id">{{ 'settings.team.roleOf' | t: { name: m.name } }}</label>
                  <select [id]="'role-' + m.id" [value]="m.role" (change)="changeRole(m, $event)">
                    @for (r of roles; track r) {
                      <option [value]="r">{{ 'roles.' + r | t }}</option>
                    }
                  </select>
                } @else {
                  {{ 'roles.' + m.role | t }}
                }
              </td>
              <td class="actions">
                @if (auth.canManage() && m.id !== me()) {
                  <button type="button" class="btn btn-danger btn-sm" (click)="remove(m)">
                    {{ 'common.remove' | t }}<span class="visually-hidden"> {{ m.name }}</span>
                  </button>
                }
              </td>
            </tr>
          }
        </tbody>
      </table>
    </section>

    @if (auth.canManage()) {
      <section class="card">
        <h2>{{ 'settings.team.invite' | t }}</h2>
        <form class="row wrap align-end" (submit)="invite($event)">
          <div class="field grow">
            <label for="invite-email">{{ 'auth.email' | t }}</label>
            <input id="invite-email" name="email" type="email" required autocomplete="off" />
          </div>
          <div class="field">
            <label for="invite-role">{{ 'settings.team.role' | t }}</label>
            <select id="invite-role" name="role">
              <option value="agent">{{ 'roles.agent' | t }}</option>
              <option value="admin">{{ 'roles.admin' | t }}</option>
            </select>
          </div>
          <button class="btn btn-primary" type="submit" [disabled]="busy()">{{ 'settings.team.sendInvite' | t }}</button>
        </form>

        <h3>{{ 'settings.team.pending' | t }}</h3>
        @if (invitations().length === 0) {
          <p class="muted">{{ 'settings.team.noPending' | t }}</p>
        } @else {
          <ul class="plain-list">
            @for (inv of invitations(); track inv.id) {
              <li class="row between" [attr.data-invitation]="inv.email">
                <span>{{ inv.email }} · {{ 'roles.' + inv.role | t }} @if (inv.expiresAt) { · <span class="muted">{{ 'settings.team.expires' | t }} {{ inv.expiresAt | chDate }}</span> }</span>
                <button type="button" class="btn btn-secondary btn-sm" (click)="revoke(inv)">
                  {{ 'settings.team.revoke' | t }}<span class="visually-hidden"> {{ inv.email }}</span>
                </button>
              </li>
            }
          </ul>
        }
      </section>
    }
  `,
})
export class TeamSettings {
  protected readonly auth = inject(AuthService);
  protected readonly team = inject(TeamDirectory);
  private readonly http = inject(HttpClient);
  private readonly i18n = inject(I18nService);
  protected readonly roles = ROLES;
  protected readonly invitations = signal<Invitation[]>([]);
  protected readonly busy = signal(false);
  protected readonly status = new StatusLine(this.i18n);
  protected readonly me = computed(() => this.auth.user()?.id);

  constructor() {
    void this.team.load(true);
    if (this.auth.canManage()) void this.loadInvitations();
  }

  private async loadInvitations(): Promise<void> {
    try {
      const res = await firstValueFrom(this.http.get<{ invitations: Invitation[] }>('/api/v1/team/invitations'));
      this.invitations.set(res.invitations ?? []);
    } catch {
      /* not fatal */
    }
  }

  protected async invite(event: Event): Promise<void> {
    const form = event.target as HTMLFormElement;
    const { email, role } = formValues(event);
    this.busy.set(true);
    try {
      await firstValueFrom(this.http.post<Invitation>('/api/v1/team/invitations', { email: email.trim(), role }));
      form.reset();
      this.status.say(this.i18n.t('settings.team.invited', { email: email.trim() }));
      await this.loadInvitations();
    } catch (err) {
      this.status.fail(err);
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(inv: Invitation): Promise<void> {
    try {
      await firstValueFrom(this.http.delete(`/api/v1/team/invitations/${encodeURIComponent(inv.id)}`));
      this.invitations.update((l) => l.filter((i) => i.id !== inv.id));
      this.status.say(this.i18n.t('settings.team.revoked', { email: inv.email }));
    } catch (err) {
      this.status.fail(err);
    }
  }

  protected async changeRole(member: User, event: Event): Promise<void> {
    const select = event.target as HTMLSelectElement;
    const role = select.value as Role;
    try {
      await firstValueFrom(this.http.patch<User>(`/api/v1/team/members/${encodeURIComponent(member.id)}`, { role }));
      this.status.say(this.i18n.t('settings.team.roleChanged', { name: member.name }));
      await this.team.load(true);
    } catch (err) {
      select.value = member.role;
      this.status.fail(err);
    }
  }

  protected async remove(member: User): Promise<void> {
    if (!confirm(this.i18n.t('settings.team.confirmRemove', { name: member.name }))) return;
    try {
      await firstValueFrom(this.http.delete(`/api/v1/team/members/${encodeURIComponent(member.id)}`));
      this.status.say(this.i18n.t('settings.team.removed', { name: member.name }));
      await this.team.load(true);
    } catch (err) {
      this.status.fail(err);
    }
  }
}
