// Reading a JSON body at the edge: 415 when it is not JSON, 400 when it does not parse, 422 naming every bad field.
import type { Context } from 'hono';
import type { z } from 'zod';
import { isErrorCode } from './errorMessages';
import { fieldError, invalid, ProblemError, type FieldError } from './problem';

/** Turns zod's issues into the API's field errors, each with a stable code, each once. */
export function toFieldErrors(error: z.ZodError): FieldError[] {
  const errors = error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => fieldError(path ? `${path}.${key}` : key, 'unknown_field'));
    }
    if (isErrorCode(issue.message)) return [fieldError(path, issue.message)];
    if (issue.code === 'invalid_type' && issue.input === undefined) return [fieldError(path, 'required')];
    if (issue.code === 'invalid_union' || issue.code === 'invalid_value') return [fieldError(path, 'invalid_value')];
    const code = { too_big: 'too_long', too_small: 'too_few' }[issue.code as string] ?? issue.code;
    return [fieldError(path, isErrorCode(code) ? code : 'invalid_format')];
  });
  return errors.filter((e, i) => errors.findIndex((other) => other.path === e.path && other.code === e.code) === i);
}

/** The request's JSON body, validated by a schema. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new ProblemError(415, 'not_json', 'Send the body as application/json.');
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch {
    throw new ProblemError(400, 'malformed_json', 'The body is not valid JSON.');
  }
  const result = schema.safeParse(body);
  if (!result.success) throw invalid(toFieldErrors(result.error));
  return result.data;
}

/** The request's query string, validated by a schema. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw invalid(toFieldErrors(result.error));
  return result.data;
}
