import { HttpClient } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';

export interface Note {
  id: string;
  text: string;
  createdAt: string;
}

/** The plugin's REST API, with the account's notes as a signal. */
@Injectable({ providedIn: 'root' })
export class NotesApi {
  private readonly http = inject(HttpClient);
  readonly notes = signal<Note[]>([]);

  async load(): Promise<void> {
    this.notes.set((await firstValueFrom(this.http.get<{ notes: Note[] }>('/api/v1/__NAME__/notes'))).notes);
  }

  async add(text: string): Promise<void> {
    await firstValueFrom(this.http.post('/api/v1/__NAME__/notes', { text }));
    await this.load();
  }
}
