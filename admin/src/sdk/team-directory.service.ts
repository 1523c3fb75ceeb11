import { HttpClient } from '@angular/common/http';
import { Injectable, computed, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import type { User } from './models';

/** The account's members, for names (assignees, "Ana is replying") and pickers. */
@Injectable({ providedIn: 'root' })
export class TeamDirectory {
  private readonly http = inject(HttpClient);
  private readonly list = signal<readonly User[]>([]);
  private pending: Promise<void> | null = null;

  readonly members = this.list.asReadonly();
  readonly byId = computed(() => new Map(this.list().map((m) => [m.id, m])));

  load(force = false): Promise<void> {
    if (!this.pending || force) {
      this.pending = firstValueFrom(this.http.get<{ members: User[] } | User[]>('/api/v1/team/members'))
        .then((res) => this.list.set(Array.isArray(res) ? res : (res.members ?? [])))
        .catch(() => {
          this.pending = null;
        });
    }
    return this.pending;
  }

  set(members: readonly User[]): void {
    this.list.set(members);
  }

  name(id: string | null | undefined): string | null {
    if (!id) return null;
    return this.byId().get(id)?.name ?? null;
  }
}
