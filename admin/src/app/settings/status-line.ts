import { signal } from '@angular/core';
import type { I18nService } from '../../sdk/i18n.service';
import { problemText } from '../../sdk/problem';

/** The one-line outcome a settings screen shows in its `role="status"` alert. */
export class StatusLine {
  readonly text = signal('');
  readonly isError = signal(false);

  constructor(private readonly i18n: I18nService) {}

  say(text: string, error = false): void {
    this.text.set(text);
    this.isError.set(error);
  }

  /** A failed request: the problem's detail, or the generic error. */
  fail(err: unknown): void {
    this.say(problemText(err, this.i18n.t('errors.generic')), true);
  }
}
