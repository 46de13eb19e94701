// The client of the prisoner-information service (the prison records system), our one view of a prisoner's record.
//   GET {base}/prisoners/{number}  →  200 PrisonerRecord | 404
// Any other answer, a timeout or a refused connection counts as "unavailable": eligibility then goes on without it.
import { z } from 'zod';
import type { PrisonerCheck } from '../rules/eligibility';

const record = z.object({
  number: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  dateOfBirth: z.string(),
  prisonId: z.string(),
  category: z.string().optional(),
  status: z.enum(['in_prison', 'released', 'out_of_prison']).optional(),
  visitBalance: z.number().int().optional(),
});

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
        const parsed = record.safeParse(await response.json());
        return parsed.success ? { status: 'found', record: parsed.data } : { status: 'unavailable' };
      } catch {
        return { status: 'unavailable' };
      }
    },
  };
}
