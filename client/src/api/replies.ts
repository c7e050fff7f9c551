import { z } from 'zod';

// One reader for every reply the client gets: Socket.IO acknowledgements (`{ ok, data } | { ok: false, error }`) and
// REST errors (`{ error: { code, message } }`). Screens and controllers never pick replies apart themselves.

/** A problem to show; client-side failures use their own codes, so `code` is a plain string. */
export interface Problem {
  code: string;
  message: string;
}

// Error codes are read leniently: a code this client does not know yet must still show its message.
const ErrorBody = z.object({ code: z.string(), message: z.string() });
const AckSuccess = z.object({ ok: z.literal(true), data: z.unknown() });
const AckFailure = z.object({ ok: z.literal(false), error: ErrorBody });
const RestFailure = z.object({ error: ErrorBody });

/** Parses a Socket.IO acknowledgement with the schema of its data; a malformed reply becomes an `invalid-payload` failure, never a crash. */
export function parseAck<T extends z.ZodType>(schema: T, reply: unknown): { ok: true; data: z.output<T> } | { ok: false; error: Problem } {
  const success = AckSuccess.safeParse(reply);
  if (success.success) {
    const data = schema.safeParse(success.data.data);
    if (data.success) return { ok: true, data: data.data };
    return { ok: false, error: { code: 'invalid-payload', message: `unexpected reply from the server: ${data.error.issues[0]?.message ?? ''}` } };
  }
  const failure = AckFailure.safeParse(reply);
  if (failure.success) return { ok: false, error: failure.data.error };
  return { ok: false, error: { code: 'invalid-payload', message: 'unexpected reply from the server' } };
}

/** A failed API call: the server's `{ error: { code, message } }`, or `server-unreachable` / `invalid-reply` / `not-found` / `http-error`. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The error of a non-2xx REST reply from its status and parsed body (null when the body was not JSON). */
export function apiErrorFrom(status: number, body: unknown): ApiRequestError {
  const parsed = RestFailure.safeParse(body);
  if (parsed.success) return new ApiRequestError(status, parsed.data.error.code, parsed.data.error.message);
  return new ApiRequestError(status, status === 404 ? 'not-found' : 'http-error', `HTTP ${status}`);
}

/** Parses a 2xx REST body with its schema, or throws `invalid-reply` naming the route. */
export function parseReply<T extends z.ZodType>(schema: T, status: number, body: unknown, path: string): z.output<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ApiRequestError(status, 'invalid-reply', `unexpected reply from ${path.split('?')[0]}: ${parsed.error.issues[0]?.message ?? ''}`);
}

/** Any thrown value as a problem with a code (errors that carry a string `code` keep it; time-outs become `timeout`). */
export function problemOf(error: unknown): Problem {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return { code: error.code, message: error.message };
  if (error instanceof Error && (error.name === 'TimeoutError' || /timed? ?out/i.test(error.message))) return { code: 'timeout', message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}
