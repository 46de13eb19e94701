// The OpenAPI document is valid OpenAPI 3.1, covers every route the app has, and the API's answers fit it.
import { Validator } from '@seriousme/openapi-schema-validator';
import type { OperationObject } from 'openapi3-ts/oas31';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { health, prisonList, publicVisit, queue, searchResults, session, slotList, staffVisit } from '../api/schemas';
import { submitted } from '../rules/shapes';
import { saveStaffAccount } from '../api/staffAccounts';
import { PASSWORD, startTestService, visitRequestBody, type TestService } from './harness';

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

/**
 * The schema with every object in it strict, so that an answer holding a field the document does not name fails to
 * parse (a plain object schema would drop the field and pass).
 */
function strictly(schema: z.ZodType): z.ZodType {
  const { def } = schema._zod;
  switch (def.type) {
    case 'object':
      return z.strictObject(
        Object.fromEntries(Object.entries((schema as z.ZodObject).shape).map(([key, field]) => [key, strictly(field)])),
      );
    case 'array':
      return z.array(strictly((schema as z.ZodArray<z.ZodType>).element));
    case 'optional':
      return strictly((schema as z.ZodOptional<z.ZodType>).unwrap()).optional();
    case 'nullable':
      return strictly((schema as z.ZodNullable<z.ZodType>).unwrap()).nullable();
    case 'union':
      return z.union((schema as z.ZodUnion<z.ZodType[]>).options.map(strictly));
    case 'string':
    case 'number':
    case 'boolean':
    case 'enum':
    case 'literal':
    case 'null':
      return schema;
    default:
      throw new Error(`strictly: no rule yet for a ${def.type} schema`);
  }
}

/** The answer, if it fits the schema exactly: every check of the schema, and no field it does not name. */
function fits<S extends z.ZodType>(schema: S, answer: { status: number; body: unknown }, status = 200): z.output<S> {
  expect(answer.status).toBe(status);
  strictly(schema).parse(answer.body);
  return schema.parse(answer.body);
}

describe('the answers fit the documented schemas, with no field they do not name', () => {
  it('for health, prisons, slots, a submission, the visit, a sign-in, the queue, a search and a staff view', async () => {
    fits(health, await service.call('GET', '/health'));
    fits(slotList, await service.call('GET', '/api/prisons/NGT/slots'));
    fits(prisonList, await service.call('GET', '/api/prisons'));
    const created = fits(submitted, await service.call('POST', '/api/visits', { body: visitRequestBody() }), 201);
    const visit = fits(publicVisit, await service.call('GET', created.statusUrl, { token: created.accessToken }));
    // The same answer with one field more, deep inside, which a plain parse would drop without a word.
    const [visitor] = visit.visitors;
    const widened = { status: 200, body: { ...visit, visitors: [{ ...visitor, dateOfBirth: '1985-01-01' }] } };
    expect(() => fits(publicVisit, widened)).toThrow(/unrecognized_key[^]*dateOfBirth/);
    await saveStaffAccount(service.db, {
      email: 'openapi@test.example',
      role: 'staff',
      prisons: ['NGT'],
      password: PASSWORD,
    });
    const signedIn = await service.call('POST', '/api/staff/session', {
      body: { email: 'openapi@test.example', password: PASSWORD },
    });
    const { token } = fits(session, signedIn);
    fits(queue, await service.call('GET', '/api/staff/queue', { token }));
    const found = fits(searchResults, await service.call('GET', '/api/staff/search?q=A1234BC', { token }));
    expect(found.visits.map((visit) => visit.reference)).toContain(created.reference);
    fits(staffVisit, await service.call('GET', `/api/staff/visits/${created.reference}`, { token }));
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
