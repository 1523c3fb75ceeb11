import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { newId } from '../db/ids.js';

const require = createRequire(import.meta.url);

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/**
 * Sends e-mail with nodemailer: through SMTP_URL when set, otherwise each message is
 * written as an .eml file under DATA_DIR/mail and logged (without its body), so a
 * fresh install still "sends" reset and invitation links an operator can find.
 * nodemailer is loaded, and the transport created, at the first message, not at start.
 */
export class Mailer {
  private transport: Transporter | undefined;
  private readonly dir?: string;

  constructor(private readonly opts: { smtpUrl?: string; from: string; dataDir: string; logger: Logger }) {
    if (!opts.smtpUrl) this.dir = join(opts.dataDir, 'mail');
  }

  private transporter(): Transporter {
    if (!this.transport) {
      const nodemailer = require('nodemailer') as typeof import('nodemailer');
      this.transport = this.opts.smtpUrl
        ? nodemailer.createTransport(this.opts.smtpUrl)
        : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    }
    return this.transport;
  }

  async send(message: MailMessage): Promise<void> {
    const info = (await this.transporter().sendMail({ from: this.opts.from, ...message })) as { message?: Buffer; messageId?: string };
    if (this.dir) {
      mkdirSync(this.dir, { recursive: true });
      const file = join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId().slice(-8)}.eml`);
      writeFileSync(file, info.message ?? '');
      this.opts.logger.info({ to: message.to, subject: message.subject, file }, 'mail written to file (no SMTP_URL set)');
    } else {
      this.opts.logger.info({ to: message.to, subject: message.subject, messageId: info.messageId }, 'mail sent');
    }
  }

  close(): void {
    this.transport?.close();
  }
}
