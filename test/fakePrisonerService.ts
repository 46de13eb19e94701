// The prisoner-information service, a third-party HTTP API, faked with msw: records are put in by the tests, and
// the service can be taken down (refused connections) or made slow.
import { delay, http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import type { Contact, PrisonerRecord } from '../rules/prisonerRecord';

export const PRISONER_SERVICE_URL = 'http://prisoner-service.test/api';

/** The prisoner of the harness's sample request, at HMP Northgate. */
export const samplePrisoner: PrisonerRecord = {
  number: 'A1234BC',
  firstName: 'Oscar',
  lastName: 'Wilde',
  dateOfBirth: '1980-10-16',
  prisonId: 'NGT',
  category: 'C',
  visitBalance: 2,
  status: 'in_prison',
};

/**
 * The record's entry for one of a request's visitors: an approved contact with no restrictions, unless `overrides`
 * say otherwise. `samplePrisoner` has no contacts list (the service does not say); a test gives it one:
 * `{ ...samplePrisoner, contacts: [contactFor(visitor)] }`.
 */
export function contactFor(
  visitor: { firstName: string; lastName: string; dateOfBirth?: string },
  overrides: Partial<Contact> = {},
): Contact {
  return {
    id: `C-${visitor.firstName}-${visitor.lastName}`.toUpperCase(),
    firstName: visitor.firstName,
    lastName: visitor.lastName,
    ...(visitor.dateOfBirth ? { dateOfBirth: visitor.dateOfBirth } : {}),
    relationship: 'Friend',
    approved: true,
    restrictions: [],
    ...overrides,
  };
}

export const fakePrisonerService = {
  records: new Map<string, PrisonerRecord>([[samplePrisoner.number, samplePrisoner]]),
  state: 'up' as 'up' | 'down' | 'slow',
  /** Numbers asked for, in order. */
  asked: [] as string[],
};

const server = setupServer(
  http.get(`${PRISONER_SERVICE_URL}/prisoners/:number`, async ({ params }) => {
    const number = String(params.number);
    fakePrisonerService.asked.push(number);
    if (fakePrisonerService.state === 'down') return HttpResponse.error();
    if (fakePrisonerService.state === 'slow') await delay(10_000);
    const record = fakePrisonerService.records.get(number);
    return record ? HttpResponse.json(record) : HttpResponse.json({ message: 'not found' }, { status: 404 });
  }),
);

let listening = false;

/** Starts intercepting requests to the fake's URL (others go through untouched). */
export function listenForPrisonerService(): void {
  if (listening) return;
  server.listen({ onUnhandledRequest: 'bypass' });
  listening = true;
}
