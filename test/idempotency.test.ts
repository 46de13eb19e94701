// An Idempotency-Key on a submission through its whole life: the key names the request's reference, so a retry
// reaches the same request while its story runs; once the story has ended the key has expired, and a key whose
// reference another request already holds moves on to the next reference derived from it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { visitsCollection } from '../activities/readModel/visits';
import { referenceFor, workflowId } from '../workflows/client';
import { startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;

beforeAll(async () => {
  service = await startTestService('idempotency');
});
afterAll(() => service?.close());

/** A request of a prisoner of its own, so that the read model's visits of that prisoner are this test's alone. */
const requestOf = (number: string) =>
  visitRequestBody({
    prisoner: { firstName: 'Oscar', lastName: 'Wilde', dateOfBirth: '1980-10-16', number },
  });

const post = (body: unknown, key: string) =>
  service.call('POST', '/api/visits', { body, headers: { 'Idempotency-Key': key } });

async function submit(body: unknown, key: string) {
  const response = await post(body, key);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as { reference: string; accessToken: string; statusUrl: string };
}

const visitsOf = (prisonerNumber: string) => visitsCollection(service.db).countDocuments({ prisonerNumber });

describe('an Idempotency-Key', () => {
  it('has expired once its request’s story has ended: only the same request is answered, as the first time', async () => {
    const body = requestOf('E1234XP');
    const key = `expiring-${Math.random()}`;
    const submitted = await submit(body, key);
    // While the story runs, another request with the key is refused as a reuse of it.
    expect((await post(requestOf('E1234XQ'), key)).body.errors).toEqual([
      expect.objectContaining({ path: 'Idempotency-Key', code: 'idempotency_key_reused' }),
    ]);
    const withdrawn = await service.call('DELETE', submitted.statusUrl, { token: submitted.accessToken });
    expect(withdrawn.body.status).toBe('withdrawn');
    await service.client.workflow.getHandle(workflowId(submitted.reference)).result(); // the story has ended

    // Temporal still answers the same submission from the ended story: the first answer, nothing new made.
    expect(await submit(body, key)).toEqual(submitted);
    // Anything else sent with the key is refused as too late: no request can take the key's reference any more.
    const late = await post(requestOf('E1234XQ'), key);
    expect(late.status, JSON.stringify(late.body)).toBe(409);
    expect(late.headers.get('Content-Type')).toBe('application/problem+json');
    expect(late.body).toMatchObject({ status: 409, code: 'idempotency_key_expired' });
    expect(late.body).not.toHaveProperty('accessToken');

    const seen = await service.call('GET', submitted.statusUrl, { token: submitted.accessToken });
    expect(seen.body).toMatchObject({ reference: submitted.reference, status: 'withdrawn' });
    expect([await visitsOf('E1234XP'), await visitsOf('E1234XQ')]).toEqual([1, 0]);
  });

  it('whose reference another request holds gets the next reference derived from it, the same on every retry', async () => {
    // Two keys whose first references are the same (the first 40 bits of SHA-256 of `<key>:0`), found by a
    // birthday search: the second key's request finds the first one's running under that reference.
    const [holder, latecomer] = ['visit-key-703105', 'visit-key-1280006'];
    expect(referenceFor(latecomer, 0)).toBe(referenceFor(holder, 0));

    const held = await submit(requestOf('H1234LD'), holder);
    const moved = await submit(requestOf('L1234TC'), latecomer);
    expect(held.reference).toBe(referenceFor(holder, 0));
    expect(moved.reference).toBe(referenceFor(latecomer, 1));
    expect(await submit(requestOf('L1234TC'), latecomer)).toEqual(moved);

    // Two visits, each reached by its own token only; the holder's is untouched.
    const heldSeen = await service.call('GET', held.statusUrl, { token: held.accessToken });
    expect(heldSeen.body).toMatchObject({ reference: held.reference, status: 'requested' });
    const movedSeen = await service.call('GET', moved.statusUrl, { token: moved.accessToken });
    expect(movedSeen.body).toMatchObject({ reference: moved.reference, status: 'requested' });
    expect((await service.call('GET', held.statusUrl, { token: moved.accessToken })).status).toBe(404);
    expect([await visitsOf('H1234LD'), await visitsOf('L1234TC')]).toEqual([1, 1]);
  });
});
