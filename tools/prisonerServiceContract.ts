// The contract we expect of the prisoner-information service, as OpenAPI 3.1, from the zod schema the client parses
// its answers with (rules/prisonerRecord.ts). `npm run contract:prisoner-service` writes
// docs/prisoner-service.openapi.json; test/prisonerService.test.ts fails while the file differs from what this makes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OpenApiBuilder, type OpenAPIObject, type SchemaObject } from 'openapi3-ts/oas31';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { alert, contact, contactRestriction, prisonerRecord, visitingOrderStatement } from '../rules/prisonerRecord';

export const CONTRACT_FILE = join(import.meta.dirname, '../docs/prisoner-service.openapi.json');

// Each named schema a component, so that references resolve inside the document (platform.md, "OpenAPI from zod").
const named = new Map<z.ZodType, { id: string; description: string }>([
  [prisonerRecord, { id: 'PrisonerRecord', description: 'A prisoner’s record, as far as visits need it' }],
  [contact, { id: 'Contact', description: 'A person on the prisoner’s list of social contacts' }],
  [contactRestriction, { id: 'ContactRestriction', description: 'A restriction on a contact’s visits' }],
  [visitingOrderStatement, { id: 'VisitingOrders', description: 'The visiting orders left until new ones are issued' }],
  [alert, { id: 'Alert', description: 'Something the prison has noted that bears on visits' }],
]);

function componentSchemas(): Record<string, SchemaObject> {
  const components = z.registry<{ id: string }>();
  for (const [schema, { id }] of named) components.add(schema, { id });
  // The input side: what the service may send (a contact's `restrictions` may be left out).
  const { schemas } = z.toJSONSchema(components, { io: 'input', uri: (id) => `#/components/schemas/${id}` });
  const descriptions = new Map([...named.values()].map(({ id, description }) => [id, description]));
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [id, { description: descriptions.get(id), ...rest } as SchemaObject];
    }),
  );
}

/** The document, which depends only on the code. */
export function buildPrisonerServiceContract(): OpenAPIObject {
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion('3.1.0')
    .addTitle('Prisoner information service, as Prison Visit Booking uses it')
    .addVersion('1.0.0')
    .addDescription(
      'The one call this service makes of the prison records system, and the fields of its answer it reads. ' +
        'Fields not listed are ignored. docs/prisoner-service.md says how each is used.',
    )
    .addSecurityScheme('serviceToken', {
      type: 'http',
      scheme: 'bearer',
      description: 'PRISONER_SERVICE_TOKEN, sent with every lookup when set',
    });
  for (const [id, schema] of Object.entries(componentSchemas())) builder.addSchema(id, schema);
  builder.addPath('/prisoners/{number}', {
    get: {
      summary: 'A prisoner’s record, by prison number',
      operationId: 'getPrisoner',
      security: [{ serviceToken: [] }],
      parameters: [
        {
          name: 'number',
          in: 'path',
          required: true,
          description: 'The prison number, as the visitor gave it (URL-encoded)',
          schema: { type: 'string' },
        },
      ],
      responses: {
        200: {
          description: 'The record',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/PrisonerRecord' } } },
        },
        // Their bodies are not read.
        401: { description: 'No token, or not the right one (counted as unavailable)' },
        404: { description: 'No prisoner has this number' },
      },
    },
  });
  return builder.getSpec();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Formatted as `prettier --check .` wants it, so that `npm run lint` passes on a freshly written file.
  const text = JSON.stringify(buildPrisonerServiceContract(), null, 2);
  const options = await resolveConfig(CONTRACT_FILE);
  writeFileSync(CONTRACT_FILE, await format(text, { ...options, parser: 'json' }));
  console.log(`wrote ${CONTRACT_FILE}`);
}
