// The visitor's answers between pages, kept in one encrypted cookie (AES-256-GCM): nothing is stored on the server
// until the request is sent. It expires 20 minutes after the last page, and carries the CSRF token of the forms.
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { NotifyBy } from '../rules/shapes';

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
  /** The additional support the visitors need (asked with the visitors). */
  support?: { needs: string[]; details?: string };
  slotOptions?: string[];
  /** At a prison that books at once: the place held for the time chosen, until `expiresAt`. */
  hold?: { id: string; prisonId: string; slot: string; expiresAt: string };
  /** `notifyBy`: how the visitor is told about their visit (e-mail when unsaid, as in journeys begun before it). */
  contact?: { email: string; phone: string; notifyBy?: NotifyBy };
  /** The submitted request, for the confirmation page; `booked`, its time, when it was booked at once. */
  sent?: {
    reference: string;
    confirmBy: string;
    prisonId: string;
    email: string;
    booked?: string;
    /** Sent by a signed-in booker: the visit is in "Your visits". */
    account?: true;
  };
}

/** The key a sealed cookie of one kind is sealed with: the service's secret, with the kind's own label. */
const keyFrom = (secret: string, label: string) => createHash('sha256').update(`${label}:${secret}`).digest();

/** Seals a value for a cookie (AES-256-GCM): neither readable nor changeable on the way. */
export function seal(value: object, secret: string, label = 'journey'): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(secret, label), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** A sealed cookie's value, or undefined if it was not sealed here with this label (or was changed). */
export function unseal<T>(sealed: string, secret: string, label = 'journey'): T | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(secret, label), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
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
  const journey = unseal<Journey>(cookie, secret);
  if (!journey) return 'missing';
  if (Date.now() - journey.updatedAt > JOURNEY_MINUTES * 60_000) return 'expired';
  return journey;
}

/** The visitor's journey, or a new one where there is none (or it timed out): for a form's CSRF token. */
export function currentJourney(c: Context, secret: string): Journey {
  const journey = readJourney(c, secret);
  return typeof journey === 'string' ? newJourney() : journey;
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
