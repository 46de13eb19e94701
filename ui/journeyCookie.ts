// The visitor's answers between pages, kept in one encrypted cookie (AES-256-GCM): nothing is stored on the server
// until the request is sent. It expires 20 minutes after the last page, and carries the CSRF token of the forms.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const JOURNEY_COOKIE = 'pvb_journey';
export const JOURNEY_MINUTES = 20;

export interface Journey {
  csrf: string;
  updatedAt: number;
  /** Anonymous id for the journey's analytics events: no personal data. */
  id: string;
  /** Begun at the prison step, whose starts are limited per client: only such a journey's steps are counted. */
  counted?: true;
  prisonId?: string;
  prisoner?: { firstName: string; lastName: string; dateOfBirth: string; number: string };
  visitors?: { firstName: string; lastName: string; dateOfBirth: string }[];
  slotOptions?: string[];
  /** At a prison that books at once: the place held for the time chosen, until `expiresAt`. */
  hold?: { id: string; prisonId: string; slot: string; expiresAt: string };
  contact?: { email: string; phone: string };
  /** The submitted request, for the confirmation page; `booked`, its time, when it was booked at once. */
  sent?: { reference: string; confirmBy: string; prisonId: string; email: string; booked?: string };
}

const keyFrom = (secret: string) => createHash('sha256').update(`journey:${secret}`).digest();

function seal(journey: Journey, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(journey), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

function open(sealed: string, secret: string): Journey | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
}

export function newJourney(): Journey {
  return { csrf: randomBytes(24).toString('base64url'), updatedAt: Date.now(), id: randomBytes(12).toString('hex') };
}

/** The visitor's journey: `expired` when there was one and it timed out, `missing` when there was none. */
export function readJourney(c: Context, secret: string): Journey | 'expired' | 'missing' {
  const cookie = getCookie(c, JOURNEY_COOKIE);
  if (!cookie) return 'missing';
  const journey = open(cookie, secret);
  if (!journey) return 'missing';
  if (Date.now() - journey.updatedAt > JOURNEY_MINUTES * 60_000) return 'expired';
  return journey;
}

export function writeJourney(c: Context, journey: Journey, secret: string, secure: boolean): void {
  setCookie(c, JOURNEY_COOKIE, seal({ ...journey, updatedAt: Date.now() }, secret), {
    httpOnly: true,
    secure,
    sameSite: 'Lax',
    path: '/',
  });
}

/** Whether a form's CSRF token is the journey's. */
export function csrfMatches(journey: Journey, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const [a, b] = [Buffer.from(journey.csrf), Buffer.from(token)];
  return a.length === b.length && timingSafeEqual(a, b);
}
