// The ways a text message leaves the service: GOV.UK Notify's SMS API, or, in development, a sink that takes every
// text and sends none. Both take the text as rendered, with the stable id the outbox keeps it under.
import type { Provider } from '../emails/outbox';
import { notifyCaller, PermanentMailFailure } from '../emails/providers';

export interface OutgoingText {
  /** A UK mobile number, as the visitor gave it. */
  to: string;
  /** Stable for one visit and event: the `reference` on Notify. */
  id: string;
  text: string;
}

export type TextProvider = Provider<OutgoingText>;

export interface NotifySmsOptions {
  /** A Notify API key (the e-mails' own): `{key name}-{service id}-{secret}`. */
  apiKey: string;
  /** A Notify text message template whose body is `((body))`. */
  templateId: string;
  baseUrl: string;
}

export function createNotifySmsProvider({ apiKey, templateId, baseUrl }: NotifySmsOptions): TextProvider {
  const call = notifyCaller(apiKey, baseUrl);
  return {
    name: 'notify',
    async send(text) {
      const response = await call('/v2/notifications/sms', {
        method: 'POST',
        body: JSON.stringify({
          phone_number: text.to.replace(/[\s()-]/g, ''),
          template_id: templateId,
          reference: text.id,
          personalisation: { body: text.text },
        }),
      });
      // 400 (a number Notify cannot text, a bad template) is final: the outbox marks it failed, and the visitor who
      // chose texts only is e-mailed instead. 403, 429 and 5xx are worth retrying.
      if (response.status === 400) throw new PermanentMailFailure('Notify answered 400');
      if (!response.ok) throw new Error(`Notify answered ${response.status}`);
    },
    async alreadySent(text) {
      const response = await call(`/v2/notifications?reference=${encodeURIComponent(text.id)}&template_type=sms`);
      if (!response.ok) throw new Error(`Notify answered ${response.status}`);
      const { notifications } = (await response.json()) as { notifications?: unknown[] };
      return (notifications?.length ?? 0) > 0;
    },
  };
}

/**
 * For development (`npm start`): takes every text and sends none, so the outbox keeps it as sent, by `sink`, for a
 * developer to read there. It logs nothing: a text carries a phone number and a visit's link.
 */
export function createTextSink(): TextProvider {
  return { name: 'sink', send: async () => undefined };
}

/** The provider the configuration names; none sends no texts (visitors who chose texts are e-mailed instead). */
export function createTextProvider(text: {
  provider: 'notify' | 'sink' | 'none';
  notify: { apiKey?: string; templateId?: string; baseUrl: string };
}): TextProvider | undefined {
  if (text.provider === 'sink') return createTextSink();
  if (text.provider === 'notify' && text.notify.apiKey && text.notify.templateId) {
    return createNotifySmsProvider({
      apiKey: text.notify.apiKey,
      templateId: text.notify.templateId,
      baseUrl: text.notify.baseUrl,
    });
  }
  return undefined;
}
