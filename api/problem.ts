// Errors as application/problem+json (RFC 9457), and the one error handler that turns anything thrown into one.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { NotValid, Refused } from '../workflows/client';
import { messageFor } from './errorMessages';

export interface FieldError {
  path: string;
  code: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request body too large',
  415: 'Unsupported media type',
  422: 'Invalid request',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** Thrown by handlers and middleware; the error handler answers with it. */
export class ProblemError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code?: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? code ?? titles[status]);
  }
}

/** A 422 listing every bad field. */
export function invalid(errors: FieldError[]): ProblemError {
  return new ProblemError(422, 'invalid', 'The request has errors: see `errors`.', errors);
}

/** A 503 asking the client to retry after a few seconds. */
export function unavailable(detail: string): ProblemError {
  return new ProblemError(503, 'unavailable', detail, undefined, { 'Retry-After': '5' });
}

export function fieldError(path: string, code: string, message?: string): FieldError {
  return { path, code, message: message ?? messageFor(code) };
}

export function problemResponse(c: Context, error: ProblemError): Response {
  const body: Problem = {
    type: 'about:blank',
    title: titles[error.status] ?? 'Error',
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(error.code ? { code: error.code } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
  };
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  return c.body(JSON.stringify(body), error.status, { 'Content-Type': 'application/problem+json' });
}

/** The problem a refusal of the visit workflows is: a field's (422), or the visit's state (409). */
export function problemOf(error: Refused | NotValid): ProblemError {
  if (error instanceof NotValid) {
    return invalid(error.problems.map(({ path, code, message }) => fieldError(path, code, message)));
  }
  if (error.field) return invalid([fieldError(error.field, error.code)]);
  if (error.code === 'idempotency_key_expired') {
    return new ProblemError(
      409,
      error.code,
      'A request with this Idempotency-Key has already ended; look it up by its reference.',
    );
  }
  return new ProblemError(409, error.code, `This visit cannot change so: ${error.code.replaceAll('_', ' ')}.`);
}
