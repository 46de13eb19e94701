// The prisoner-information service's token, from PRISONER_SERVICE_TOKEN to the Authorization header of each
// lookup; the third-party API is faked with msw. (That no process logs it: test/deployment.test.ts.)
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisonerService } from '../activities/prisonerService';
import { loadConfig } from '../config';
import { samplePrisoner } from './fakePrisonerService';

const RECORDS_URL = 'http://prison-records.test/api';
const TOKEN = 'records-token-6f1c2a9e';

/** The Authorization header of each lookup, in order (null when none was sent). */
const sent: (string | null)[] = [];
const records = setupServer(
  http.get(`${RECORDS_URL}/prisoners/:number`, ({ request }) => {
    sent.push(request.headers.get('Authorization'));
    return HttpResponse.json(samplePrisoner);
  }),
);

beforeAll(() => records.listen({ onUnhandledRequest: 'error' }));
afterAll(() => records.close());

/** The client the worker makes, from the configuration as the worker reads it. */
const serviceFrom = (env: NodeJS.ProcessEnv) => createPrisonerService(loadConfig(env).prisonerService);

describe('the prisoner-information service', () => {
  it('is sent the configured token as a bearer token with each lookup', async () => {
    sent.length = 0;
    const service = serviceFrom({ PRISONER_SERVICE_URL: RECORDS_URL, PRISONER_SERVICE_TOKEN: TOKEN });
    expect(await service.find('A1234BC')).toEqual({ status: 'found', record: samplePrisoner });
    expect(await service.find('A1234BC')).toMatchObject({ status: 'found' });
    expect(sent).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('is sent no Authorization header when no token is configured', async () => {
    sent.length = 0;
    expect(await serviceFrom({ PRISONER_SERVICE_URL: RECORDS_URL }).find('A1234BC')).toMatchObject({
      status: 'found',
    });
    expect(sent).toEqual([null]);
  });
});
