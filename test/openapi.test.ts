// The OpenAPI document is valid OpenAPI 3.1, covers every route the app has, and the API's answers fit it.
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OperationObject } from 'openapi3-ts/oas31';
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

// Found by test/fuzz.test.ts: the document must say what the API checks, or a client (and schemathesis) cannot
// tell a request that will pass from one that will not.
describe('the document says the rules the API checks', () => {
  const document = async () => (await service.call('GET', '/openapi.json')).body;

  it('a search term: the pattern admits exactly the terms the API searches by, and the error names q', async () => {
    const staff = await service.staffToken('staff', ['NGT']);
    const [q] = (await document()).paths['/api/staff/search'].get.parameters;
    const pattern = new RegExp(q.schema.pattern);
    const accepted = ['A1234BC', 'a1234 bc', ' Z 9876 YX ', 'ABCD2345', 'abcd 2345'];
    const refused = ['', 'x', 'A1234B', 'A1234BCD9', 'A1234BC!', '\tA1234BC', 'ı1234bc'];
    for (const term of [...accepted, ...refused]) {
      const { status, body } = await service.call('GET', `/api/staff/search?q=${encodeURIComponent(term)}`, {
        token: staff,
      });
      const ok = accepted.includes(term);
      expect({ term, documented: pattern.test(term), status }).toEqual({
        term,
        documented: ok,
        status: ok ? 200 : 422,
      });
      if (!ok) expect(body.errors).toEqual([expect.objectContaining({ path: 'q', code: 'invalid_search' })]);
    }
    const missing = await service.call('GET', '/api/staff/search', { token: staff });
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'q', code: 'required' })]);
  });

  it('a policy preview names a prisonId or a ruleFile, and the error names prisonId', async () => {
    expect((await document()).components.schemas.PolicyPreviewRequest.anyOf).toEqual([
      { required: ['prisonId'] },
      { required: ['ruleFile'] },
    ]);
    const policy = await service.staffToken('policy', ['NGT']);
    const { status, body } = await service.call('POST', '/api/policy/preview', { token: policy, body: { case: {} } });
    expect(status).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ path: 'prisonId', code: 'required' })]);
  });

  it('reasons and slot options are each given once', async () => {
    const { schemas } = (await document()).components;
    expect(schemas.StaffCancellation.properties.reasons.uniqueItems).toBe(true);
    expect(schemas.VisitRequest.properties.slotOptions.uniqueItems).toBe(true);
    const staff = await service.staffToken('staff', ['NGT']);
    const created = (await service.call('POST', '/api/visits', { body: visitRequestBody() })).body;
    const { body } = await service.call('POST', `/api/staff/visits/${created.reference}/decision`, {
      token: staff,
      body: { outcome: 'reject', reasons: ['no_allowance', 'no_allowance'] },
    });
    expect(body.errors).toEqual([expect.objectContaining({ path: 'reasons', code: 'duplicate_reason' })]);
  });

  it('413 for every operation that takes a body, 422 for every one that takes an Idempotency-Key', async () => {
    for (const [path, item] of Object.entries(
      (await document()).paths as Record<string, Record<string, OperationObject>>,
    )) {
      for (const [method, operation] of Object.entries(item)) {
        const statuses = Object.keys(operation.responses ?? {});
        if (operation.requestBody) expect(statuses, `${method} ${path}`).toContain('413');
        if (operation.parameters?.some((p) => 'name' in p && p.name === 'Idempotency-Key')) {
          expect(statuses, `${method} ${path}`).toContain('422');
        }
      }
    }
  });
});
