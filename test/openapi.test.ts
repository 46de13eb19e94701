// The OpenAPI document is valid OpenAPI 3.1, covers every route the app has, and the API's answers fit it.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisonList, publicVisit, queue, slotList, staffVisit, submitted } from '../api/schemas';
import { startTestService, visitRequestBody, type TestService } from './harness';

let service: TestService;
beforeAll(async () => {
  service = await startTestService('openapi');
});
afterAll(() => service.close());

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document by a real validator', async () => {
    const { status, body } = await service.call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes every API route the app serves, and no other', async () => {
    const { body } = await service.call('GET', '/openapi.json');
    const documented = Object.entries(body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = service.app.routes
      .filter((route) => route.method !== 'ALL')
      .filter((route) => /^\/(api\/|health$|openapi\.json$)/.test(route.path)) // the rest are web pages
      .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(served)].sort()).toEqual(documented.sort());
  });

  it('resolves every schema reference to a component', async () => {
    const { body } = await service.call('GET', '/openapi.json');
    const refs = [...JSON.stringify(body).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(body.components.schemas).toHaveProperty(ref);
  });
});

describe('the answers fit the documented schemas', () => {
  it('for prisons, slots, a submission, the visit, the queue and a staff view', async () => {
    const staff = await service.staffToken('staff', ['NGT']);
    slotList.parse((await service.call('GET', '/api/prisons/NGT/slots')).body);
    prisonList.parse((await service.call('GET', '/api/prisons')).body);
    const created = submitted.parse((await service.call('POST', '/api/visits', { body: visitRequestBody() })).body);
    publicVisit.parse((await service.call('GET', created.statusUrl, { token: created.accessToken })).body);
    queue.parse((await service.call('GET', '/api/staff/queue', { token: staff })).body);
    staffVisit.parse((await service.call('GET', `/api/staff/visits/${created.reference}`, { token: staff })).body);
  });
});
