// The client of the prisoner-information service (the prison records system), our one view of a prisoner's record.
//   GET {base}/prisoners/{number}  →  200 PrisonerRecord | 404   (docs/prisoner-service.md, .openapi.json)
// Any other answer, a timeout or a refused connection counts as "unavailable": eligibility then goes on without it.
import type { PrisonerCheck } from '../rules/eligibility';
import { prisonerRecord } from '../rules/prisonerRecord';

export interface PrisonerService {
  find(number: string): Promise<PrisonerCheck>;
}

export interface PrisonerServiceOptions {
  /** Unset: no service is configured, and every check says so. */
  baseUrl?: string;
  token?: string;
  timeoutMs: number;
}

export function createPrisonerService({ baseUrl, token, timeoutMs }: PrisonerServiceOptions): PrisonerService {
  return {
    async find(number) {
      if (!baseUrl) return { status: 'not_configured' };
      try {
        const response = await fetch(
          new URL(`prisoners/${encodeURIComponent(number)}`, `${baseUrl.replace(/\/$/, '')}/`),
          {
            headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
            signal: AbortSignal.timeout(timeoutMs),
          },
        );
        if (response.status === 404) return { status: 'not_found' };
        if (!response.ok) return { status: 'unavailable' };
        return recordFrom(await response.json());
      } catch {
        return { status: 'unavailable' };
      }
    },
  };
}

/**
 * The record in an answer's body. A contacts list we cannot read in full is left out, which the record's shape
 * defines as "the service does not say": staff then check the visitors, and the rest of the record still counts.
 * Dropping only the unreadable entries would mislead: a contact left out would look like no contact at all.
 * Anything else unreadable (alerts among it, which must not go missing unseen) makes the answer unavailable.
 */
function recordFrom(body: unknown): PrisonerCheck {
  const parsed = prisonerRecord.safeParse(body);
  if (parsed.success) return { status: 'found', record: parsed.data };
  if (typeof body === 'object' && body !== null && 'contacts' in body) {
    const { contacts: _unreadable, ...rest } = body;
    const withoutContacts = prisonerRecord.safeParse(rest);
    if (withoutContacts.success) return { status: 'found', record: withoutContacts.data };
  }
  return { status: 'unavailable' };
}
