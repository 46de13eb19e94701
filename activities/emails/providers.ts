// The ways an e-mail leaves the service: SMTP (nodemailer) or the GOV.UK Notify HTTP API. Both take the e-mail
// as we rendered it, with a stable id, so that a receiving system can tell a repeat from a new e-mail.
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { RenderedEmail } from './render';

export interface OutgoingEmail extends RenderedEmail {
  to: string;
  /** Stable for one visit and event: `<reference.event@domain>` on SMTP, the `reference` on Notify. */
  id: string;
}

/** The provider refused the e-mail for good (a bad address, say): trying again would not help. */
export class PermanentMailFailure extends Error {
  override name = 'PermanentMailFailure';
}

export interface MailProvider {
  name: string;
  /** Resolves once the provider has accepted the e-mail; throws if it did not (the caller retries). */
  send(email: OutgoingEmail): Promise<void>;
  /** Whether the provider already has this e-mail, for providers that can tell (Notify can, SMTP cannot). */
  alreadySent?(email: OutgoingEmail): Promise<boolean>;
}

export function createSmtpProvider(url: string, from: string): MailProvider {
  // A send gives up within seconds rather than nodemailer's minutes, so that the outbox can tell when an attempt
  // that ran out of time has surely finished with an e-mail.
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  const domain = from.split('@')[1]?.replace(/>$/, '') ?? 'localhost';
  return {
    name: 'smtp',
    async send(email) {
      try {
        await transport.sendMail({
          from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: `<${email.id}@${domain}>`,
        });
      } catch (error) {
        // SMTP 5xx on the recipient is final (550 no such mailbox); 4xx and lost connections are worth retrying.
        const code = (error as { responseCode?: number; command?: string }).responseCode ?? 0;
        if (code >= 500 && (error as { command?: string }).command === 'RCPT TO')
          throw new PermanentMailFailure(`SMTP ${code}`);
        throw error;
      }
    },
  };
}

export interface NotifyOptions {
  /** A Notify API key: `{key name}-{service id, 36 characters}-{secret, 36 characters}`. */
  apiKey: string;
  /** A Notify e-mail template whose subject is `((subject))` and whose body is `((body))`. */
  templateId: string;
  baseUrl: string;
}

/** A Notify JWT, for e-mails and texts: HS256, `iss` the service id, `iat` now, signed with the key's secret. */
function notifyToken(apiKey: string, now = Date.now()): string {
  const serviceId = apiKey.slice(-73, -37);
  const secret = apiKey.slice(-36);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ typ: 'JWT', alg: 'HS256' })}.${part({ iss: serviceId, iat: Math.floor(now / 1000) })}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** A call to Notify's API, signed with a fresh token: its e-mails' and its text messages' (activities/texts). */
export const notifyCaller =
  (apiKey: string, baseUrl: string) =>
  (path: string, init: RequestInit = {}) =>
    fetch(`${baseUrl.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${notifyToken(apiKey)}`, 'Content-Type': 'application/json', ...init.headers },
      signal: AbortSignal.timeout(10_000),
    });

export function createNotifyProvider({ apiKey, templateId, baseUrl }: NotifyOptions): MailProvider {
  const call = notifyCaller(apiKey, baseUrl);
  return {
    name: 'notify',
    async send(email) {
      const response = await call('/v2/notifications/email', {
        method: 'POST',
        body: JSON.stringify({
          email_address: email.to,
          template_id: templateId,
          reference: email.id,
          personalisation: { subject: email.subject, body: email.text },
        }),
      });
      // 400 (a bad address or template) is final; 403, 429 and 5xx are worth retrying.
      if (response.status === 400) throw new PermanentMailFailure('Notify answered 400');
      if (!response.ok) throw new Error(`Notify answered ${response.status}`);
    },
    async alreadySent(email) {
      const response = await call(`/v2/notifications?reference=${encodeURIComponent(email.id)}&template_type=email`);
      if (!response.ok) throw new Error(`Notify answered ${response.status}`);
      const { notifications } = (await response.json()) as { notifications?: unknown[] };
      return (notifications?.length ?? 0) > 0;
    },
  };
}

/**
 * Development's mailbox: each e-mail written to a file of its own in a folder (`<id>.txt`: To, Subject, the text),
 * so that `npm start` can be used end to end (a booker's sign-in link, a visit's link) with no mail server. A retry
 * writes the same file again.
 */
export function createFolderProvider(folder: string): MailProvider {
  return {
    name: 'folder',
    async send(email) {
      await mkdir(folder, { recursive: true });
      const file = join(folder, `${email.id.replace(/[^\w.-]/g, '_')}.txt`);
      await writeFile(file, `To: ${email.to}\nSubject: ${email.subject}\n\n${email.text}`, { mode: 0o600 });
    },
  };
}

/** The provider the configuration names; none keeps e-mails in the outbox unsent. */
export function createMailProvider(mail: {
  provider: 'smtp' | 'notify' | 'folder' | 'none';
  folder?: string;
  smtpUrl?: string;
  from: string;
  notify: { apiKey?: string; templateId?: string; baseUrl: string };
}): MailProvider | undefined {
  if (mail.provider === 'smtp' && mail.smtpUrl) return createSmtpProvider(mail.smtpUrl, mail.from);
  if (mail.provider === 'folder' && mail.folder) return createFolderProvider(mail.folder);
  if (mail.provider === 'notify' && mail.notify.apiKey && mail.notify.templateId) {
    return createNotifyProvider({
      apiKey: mail.notify.apiKey,
      templateId: mail.notify.templateId,
      baseUrl: mail.notify.baseUrl,
    });
  }
  return undefined;
}
