import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { APP_CONFIG, AppConfig } from '@ozvps/core';
import { SmtpNotConfiguredError, SmtpSendError } from './errors';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Makes a stable Message-ID per outbox row, so a rare second send is recognisably the same message. */
  messageKey?: string;
}

/** nodemailer over SMTP_URL; every failure becomes SmtpSendError with the server's answer and no password. */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private transporter: Transporter<SMTPTransport.SentMessageInfo> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.mail.smtp !== undefined;
  }

  /** SMTP_URL without its password, for messages. */
  get display(): string {
    return this.config.mail.smtp?.display ?? 'SMTP_URL (not set)';
  }

  /** Sends one message now; resolves with the server's answer to the message (e.g. "250 OK: queued"). */
  async send(mail: OutgoingMail): Promise<string> {
    const transporter = this.open();
    try {
      const info = await transporter.sendMail({
        from: this.config.mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageKey ? `<${mail.messageKey}@${this.fromDomain()}>` : undefined,
      });
      if (info.rejected.length > 0)
        throw new SmtpSendError(this.scrub(`recipient refused: ${info.response}`));
      return this.scrub(info.response);
    } catch (err) {
      if (err instanceof SmtpSendError) throw err;
      throw new SmtpSendError(this.scrub(describeSmtpError(err)), isUnreachable(err));
    }
  }

  private fromDomain(): string {
    const from = this.config.mail.from;
    const address = /<([^<>]+)>$/.exec(from)?.[1] ?? from;
    return address.slice(address.lastIndexOf('@') + 1).trim() || 'localhost';
  }

  onModuleDestroy(): void {
    this.transporter?.close();
  }

  private open(): Transporter<SMTPTransport.SentMessageInfo> {
    const smtp = this.config.mail.smtp;
    if (!smtp) throw new SmtpNotConfiguredError();
    // Required here, not at import: nodemailer costs every CLI command ~50 ms, and few send mail.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose
    const { createTransport } = require('nodemailer') as typeof import('nodemailer');
    this.transporter ??= createTransport({
      url: smtp.url,
      connectionTimeout: smtp.timeoutMs,
      greetingTimeout: smtp.timeoutMs,
      socketTimeout: smtp.timeoutMs,
      // nodemailer's own logging is off: it would print message bodies.
      logger: false,
      debug: false,
    });
    return this.transporter;
  }

  /** An SMTP answer that echoes the credentials (a chatty server, a proxy) never reaches a log. */
  private scrub(text: string): string {
    const url = this.config.mail.smtp ? new URL(this.config.mail.smtp.url) : undefined;
    let out = text
      .replace(/[\r\n]+/g, ' ')
      .trim()
      .slice(0, 500);
    for (const secret of [url?.password, url?.password && safeDecode(url.password)]) {
      if (secret) out = out.split(secret).join('***');
    }
    return out;
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function describeSmtpError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: string; responseCode?: number; response?: string };
  if (e.response)
    return /^\d{3}\b/.test(e.response) ? e.response : `${e.responseCode ?? e.code} ${e.response}`;
  return `${e.code ? `${e.code}: ` : ''}${e.message}`;
}

/** nodemailer's failures before any SMTP conversation: nothing listening, no such host, no route, no connect. */
function isUnreachable(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number; timeoutType?: string; message?: string };
  if (e.responseCode !== undefined) return false;
  return (
    e.code === 'EDNS' ||
    e.timeoutType === 'CONNECT_TIMEOUT' ||
    /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)\b/.test(e.message ?? '')
  );
}
