// The OpenAPI 3.1 document, built from the same zod schemas that validate requests.
import { OpenApiBuilder, type OperationObject, type ParameterObject, type SchemaObject } from 'openapi3-ts/oas31';
import { z } from 'zod';
import { PRISON_NUMBER } from '../rules/shapes';
import {
  idempotencyKeyHeader,
  performanceQuery,
  queueQuery,
  requests,
  responses,
  searchQuery,
  unblockQuery,
} from './schemas';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string) => ({ 'application/json': { schema: ref(id) } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

const errors = {
  400: problem('Malformed JSON'),
  401: problem('Not signed in, or no access token'),
  403: problem('Not allowed for this user'),
  404: problem('Not found, or not yours'),
  409: problem('The visit is in the wrong state'),
  413: problem('Body too large'),
  415: problem('Body is not JSON'),
  422: problem('Invalid: `errors` names each field'),
  429: problem('Too many attempts: retry after `Retry-After` seconds'),
  503: problem('Temporal or MongoDB is unavailable: retry after `Retry-After` seconds'),
};

type ErrorStatus = keyof typeof errors;

interface Route {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  tag: string;
  body?: string;
  ok: [status: number, schema: string];
  fails: ErrorStatus[];
  auth?: 'visitor' | 'staff' | 'booker' | 'prisonerEvents';
  parameters?: ParameterObject[];
  /** The query string, as the schema that validates it. */
  query?: z.ZodObject;
}

/** A schema on its own, as it sits inside the document. */
function jsonSchema(schema: z.ZodType): SchemaObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest as SchemaObject;
}

const reference: ParameterObject = { name: 'reference', in: 'path', required: true, schema: { type: 'string' } };
const prisonIdParameter: ParameterObject = {
  name: 'prisonId',
  in: 'path',
  required: true,
  schema: { type: 'string', example: 'NGT' },
};
const dateParameter: ParameterObject = {
  name: 'date',
  in: 'path',
  required: true,
  schema: { type: 'string', format: 'date', example: '2027-01-08' },
};
const prisonerNumberParameter: ParameterObject = {
  name: 'number',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: PRISON_NUMBER.source, example: 'A1234BC' },
};
const idempotencyKey: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'Retrying with the same key and body gives the same answer and makes no second change',
  schema: jsonSchema(idempotencyKeyHeader),
};

/** Every route of the API. A test checks this list against the routes the app really has. */
export const routes: Route[] = [
  {
    method: 'get',
    path: '/health',
    summary: 'Whether Temporal and MongoDB are reachable',
    tag: 'operations',
    ok: [200, 'Health'],
    fails: [503],
  },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'operations', ok: [200, ''], fails: [] },
  {
    method: 'get',
    path: '/api/prisons',
    summary: 'The prisons and their limits',
    tag: 'public',
    ok: [200, 'PrisonList'],
    fails: [],
  },
  {
    method: 'get',
    path: '/api/prisons/{prisonId}/slots',
    summary: 'The slots bookable at a prison today with a place free, in order, and those that are full',
    tag: 'public',
    ok: [200, 'SlotList'],
    fails: [404],
    parameters: [{ name: 'prisonId', in: 'path', required: true, schema: { type: 'string' } }],
  },
  {
    method: 'post',
    path: '/api/visits',
    summary: 'Ask for a visit',
    tag: 'public',
    body: 'VisitRequest',
    ok: [201, 'Submitted'],
    // 409: idempotency_key_expired, a key whose request has ended. 401: a booker's token that signs nobody in.
    fails: [400, 401, 409, 413, 415, 422, 429, 503],
    parameters: [idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/holds',
    summary: 'Hold a free place in a slot for 10 minutes while the visitor finishes asking (409 slot_full if none)',
    tag: 'public',
    body: 'HoldRequest',
    ok: [201, 'PlaceHeld'],
    fails: [400, 409, 415, 422, 429, 503],
  },
  {
    method: 'delete',
    path: '/api/holds/{holdId}',
    summary: 'Let a held place go at once (404 not_held when it has expired or was let go)',
    tag: 'public',
    ok: [204, ''],
    fails: [404, 503],
    parameters: [{ name: 'holdId', in: 'path', required: true, schema: { type: 'string' } }],
  },
  {
    method: 'post',
    path: '/api/booker/sign-in',
    summary:
      'E-mail a one-time sign-in link to a booker (their account is made on first use); the same answer either way',
    tag: 'booker',
    body: 'BookerSignInRequest',
    ok: [202, ''],
    fails: [400, 415, 422, 429, 503],
  },
  {
    method: 'post',
    path: '/api/booker/session',
    summary: 'Sign in with the code of an e-mailed link: it works once, for 20 minutes (401 link_not_valid after)',
    tag: 'booker',
    body: 'BookerSessionRequest',
    ok: [201, 'BookerSession'],
    fails: [400, 401, 415, 422, 503],
  },
  {
    method: 'delete',
    path: '/api/booker/session',
    summary: 'Sign out: the token is refused from now on',
    tag: 'booker',
    ok: [204, ''],
    fails: [401, 503],
    auth: 'booker',
  },
  {
    method: 'get',
    path: '/api/booker/account',
    summary:
      'The booker’s account: their address, the prisoners linked to it and the visitors kept from their requests',
    tag: 'booker',
    ok: [200, 'BookerAccount'],
    fails: [401, 503],
    auth: 'booker',
  },
  {
    method: 'get',
    path: '/api/booker/visits',
    summary: 'The booker’s visits (those requested with their token): upcoming, past and cancelled',
    tag: 'booker',
    ok: [200, 'BookerVisits'],
    fails: [401, 503],
    auth: 'booker',
  },
  {
    method: 'post',
    path: '/api/booker/prisoners',
    summary: 'Link a prisoner, once the prisoner service knows the number with this date of birth (422 otherwise)',
    tag: 'booker',
    body: 'LinkPrisonerRequest',
    ok: [201, 'BookerAccount'],
    fails: [400, 401, 415, 422, 503],
    auth: 'booker',
  },
  {
    method: 'get',
    path: '/api/visits/{reference}',
    summary: 'A visit, for the visitor who holds its access token',
    tag: 'public',
    ok: [200, 'Visit'],
    fails: [401, 404],
    auth: 'visitor',
    parameters: [reference],
  },
  {
    method: 'delete',
    path: '/api/visits/{reference}',
    summary: 'Withdraw a requested visit, or cancel a booked one before it starts',
    tag: 'public',
    ok: [200, 'Visit'],
    fails: [401, 404, 409, 503],
    auth: 'visitor',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/staff/session',
    summary: 'Sign in as staff',
    tag: 'staff',
    body: 'SignIn',
    ok: [200, 'StaffSession'],
    // 503: too many passwords being checked at once, with Retry-After.
    fails: [400, 401, 415, 422, 429, 503],
  },
  {
    method: 'delete',
    path: '/api/staff/session',
    summary: 'Sign out: the session ends at once, and its token is refused from then on',
    tag: 'staff',
    ok: [204, ''],
    fails: [401],
    auth: 'staff',
  },
  {
    method: 'get',
    path: '/api/staff/queue',
    summary: 'Requests to decide, oldest first, and visitor cancellations to confirm',
    tag: 'staff',
    ok: [200, 'Queue'],
    fails: [401, 403, 422],
    auth: 'staff',
    query: queueQuery,
  },
  {
    method: 'get',
    path: '/api/staff/visits/{reference}',
    summary: 'A visit in full',
    tag: 'staff',
    ok: [200, 'StaffVisit'],
    fails: [401, 404],
    auth: 'staff',
    parameters: [reference],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/decision',
    summary: 'Accept or reject a requested visit',
    tag: 'staff',
    body: 'Decision',
    ok: [200, 'StaffVisit'],
    fails: [400, 401, 403, 404, 409, 415, 422, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/cancel',
    summary: 'Cancel a booked visit, with reasons',
    tag: 'staff',
    body: 'StaffCancellation',
    ok: [200, 'StaffVisit'],
    fails: [400, 401, 403, 404, 409, 415, 422, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/cancellation-confirmed',
    summary: 'Confirm a visitor’s cancellation is done in the prison’s records; it leaves the queue',
    tag: 'staff',
    ok: [200, 'StaffVisit'],
    fails: [401, 403, 404, 409, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/change',
    summary:
      'Move a booked visit to another time: its new place is held before the old is let go, and the visitor is told (409 slot_full, not_changeable)',
    tag: 'staff',
    body: 'TimeChange',
    ok: [200, 'StaffVisit'],
    fails: [400, 401, 403, 404, 409, 415, 422, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/visitors',
    summary:
      'Replace the visitors who come with a booked visit’s lead visitor, within the prison’s limits; the visitor is told (409 not_changeable)',
    tag: 'staff',
    body: 'VisitorsChange',
    ok: [200, 'StaffVisit'],
    fails: [400, 401, 403, 404, 409, 415, 422, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/messages',
    summary: 'Send the visitor a message about a booked visit',
    tag: 'staff',
    body: 'StaffMessage',
    ok: [201, 'StaffVisit'],
    fails: [400, 401, 403, 404, 409, 415, 422, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'get',
    path: '/api/staff/prisons/{prisonId}/blocked-dates',
    summary: 'The dates and sessions the prison’s staff blocked (apart from the rule file’s own unbookable dates)',
    tag: 'staff',
    ok: [200, 'BlockedDateList'],
    fails: [401, 403, 404],
    auth: 'staff',
    parameters: [prisonIdParameter],
  },
  {
    method: 'post',
    path: '/api/staff/prisons/{prisonId}/blocked-dates',
    summary:
      'Block a date, or one session of it, with a reason: its times are no longer offered, and its booked visits and the requests asking for it are flagged for review. The same again changes nothing (201, created false) but flags any visit not yet flagged; 503 when some could not be flagged: send it again',
    tag: 'staff',
    body: 'BlockDateRequest',
    ok: [201, 'DateBlocked'],
    fails: [400, 401, 403, 404, 415, 422, 503],
    auth: 'staff',
    parameters: [prisonIdParameter],
  },
  {
    method: 'delete',
    path: '/api/staff/prisons/{prisonId}/blocked-dates/{date}',
    summary: 'Unblock a date (or, with `session`, one session of it): its times are offered again (404 not_blocked)',
    tag: 'staff',
    ok: [200, 'BlockedDate'],
    fails: [401, 403, 404, 422],
    auth: 'staff',
    parameters: [prisonIdParameter, dateParameter],
    query: unblockQuery,
  },
  {
    method: 'get',
    path: '/api/staff/prisons/{prisonId}/review',
    summary:
      'The prison’s visits that need review: booked visits (and requests) flagged by a change to the prisoner’s record or a blocked date',
    tag: 'staff',
    ok: [200, 'ReviewList'],
    fails: [401, 403, 503],
    auth: 'staff',
    parameters: [prisonIdParameter],
  },
  {
    method: 'post',
    path: '/api/staff/visits/{reference}/no-change-needed',
    summary: 'Close a visit’s review: it goes ahead as it is, recorded with who and when (409 not_under_review)',
    tag: 'staff',
    ok: [200, 'StaffVisit'],
    fails: [401, 403, 404, 409, 503],
    auth: 'staff',
    parameters: [reference, idempotencyKey],
  },
  {
    method: 'get',
    path: '/api/staff/prisoners/{number}/visiting-orders',
    summary: 'A prisoner’s visiting orders: the balance, when new ones are issued, and the ledger of what used them',
    tag: 'staff',
    ok: [200, 'VisitingOrders'],
    fails: [401, 403, 404, 422, 503],
    auth: 'staff',
    parameters: [prisonerNumberParameter],
  },
  {
    method: 'post',
    path: '/api/staff/prisoners/{number}/visiting-orders/adjustments',
    summary:
      'Add or take away visiting orders with a reason, kept in the ledger, by staff of the prison that holds the prisoner (403 not_your_prisoner); the Idempotency-Key is required, and a repeat changes nothing (409 below_zero)',
    tag: 'staff',
    body: 'VisitingOrderAdjustment',
    ok: [201, 'VisitingOrders'],
    fails: [400, 401, 403, 404, 409, 415, 422, 503],
    auth: 'staff',
    parameters: [prisonerNumberParameter, { ...idempotencyKey, required: true }],
  },
  {
    method: 'post',
    path: '/api/prisoner-events',
    summary:
      'A change to a prisoner’s record (released, transferred, a restriction or an alert added): requests waiting for staff are rejected or flagged, booked visits flagged for review. The same change again changes nothing',
    tag: 'operations',
    body: 'PrisonerEvent',
    ok: [202, 'PrisonerEventTold'],
    fails: [400, 401, 415, 422, 503],
    auth: 'prisonerEvents',
  },
  {
    method: 'get',
    path: '/api/staff/search',
    summary: 'Visits by prison number or reference, across the user’s prisons',
    tag: 'staff',
    ok: [200, 'SearchResults'],
    fails: [401, 422],
    auth: 'staff',
    query: searchQuery,
  },
  {
    method: 'get',
    path: '/api/staff/performance/assisted-digital',
    summary:
      'Assisted digital by month, channel and helper organisation: requests, minutes and cost against estimates, capacity used, awareness of help',
    tag: 'staff',
    ok: [200, 'AssistedDigitalFigures'],
    fails: [401, 404, 422, 503],
    auth: 'staff',
    query: performanceQuery,
  },
  {
    method: 'post',
    path: '/api/policy/preview',
    summary: 'Try a prison’s rules, or an edited copy, on a sample request',
    tag: 'policy',
    body: 'PolicyPreviewRequest',
    ok: [200, 'PolicyPreview'],
    fails: [400, 401, 403, 404, 415, 422],
    auth: 'staff',
  },
];

function componentSchemas(): Record<string, SchemaObject> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const input = z.toJSONSchema(requests, { io: 'input', uri, unrepresentable: 'any' }).schemas;
  const output = z.toJSONSchema(responses, { io: 'output', uri, unrepresentable: 'any' }).schemas;
  const schemas: Record<string, SchemaObject> = {};
  for (const [id, schema] of Object.entries({ ...input, ...output })) {
    const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
    schemas[id] = rest as SchemaObject;
  }
  return schemas;
}

function queryParameters(query: z.ZodObject): ParameterObject[] {
  const { properties = {}, required = [] } = jsonSchema(query);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.includes(name),
    schema,
  }));
}

const securitySchemes = {
  visitor: 'accessToken',
  staff: 'staffToken',
  booker: 'bookerToken',
  prisonerEvents: 'prisonerEventsToken',
} as const;

/** The route's own failures, and those of what stands before it. */
function failures(route: Route): ErrorStatus[] {
  const fails = new Set(route.fails);
  if (route.body) fails.add(413); // the body limit stands before every route
  if (route.parameters?.includes(idempotencyKey)) fails.add(422); // a malformed key
  return [...fails];
}

function operation(route: Route): OperationObject {
  const [status, schema] = route.ok;
  const parameters = [...(route.parameters ?? []), ...(route.query ? queryParameters(route.query) : [])];
  return {
    summary: route.summary,
    tags: [route.tag],
    operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: json(route.body) } } : {}),
    ...(route.auth ? { security: [{ [securitySchemes[route.auth]]: [] }] } : {}),
    responses: {
      [status]: { description: 'OK', ...(schema ? { content: json(schema) } : {}) },
      ...Object.fromEntries(failures(route).map((fail) => [fail, errors[fail]])),
    },
  };
}

/** Builds the document once; it depends only on the code. */
export function buildOpenApi(): ReturnType<OpenApiBuilder['getSpec']> {
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addTitle('Prison Visit Booking API')
    .addVersion('1.0.0')
    .addDescription('Ask for a prison visit, follow it, and let prison staff decide on it.')
    .addLicense({ name: 'MIT', identifier: 'MIT' })
    .addSecurityScheme('accessToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'The access token returned when the visit was requested',
    })
    .addSecurityScheme('staffToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'A token from POST /api/staff/session',
    })
    .addSecurityScheme('bookerToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'A token from POST /api/booker/session; sent with POST /api/visits, the visit is the booker’s',
    })
    .addSecurityScheme('prisonerEventsToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'The service’s PRISONER_EVENTS_TOKEN, held by the prisoner service and operators',
    });
  for (const [id, schema] of Object.entries(componentSchemas())) builder.addSchema(id, schema);
  for (const route of routes) {
    builder.addPath(route.path, { ...builder.getSpec().paths?.[route.path], [route.method]: operation(route) });
  }
  return builder.getSpec();
}
