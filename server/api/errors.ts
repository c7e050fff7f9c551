import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { ApiErrorBody, ApiIssue } from '../../protocol/interviews.ts';
import { RepositoryError } from '../store/repository.ts';

/** Stable error codes of the REST API (the `error.code` of every non-2xx reply). */
export type ApiErrorCode =
  | 'invalid-request'
  | 'invalid-json'
  | 'not-found'
  | 'conflict'
  | 'unsupported-media-type'
  | 'upload-too-large'
  | 'recording-too-long'
  | 'empty-upload'
  | 'not-audio'
  | 'no-audio-stream'
  | 'queue-full'
  | 'not-configured'
  | 'ffmpeg-missing'
  | 'storage-unavailable'
  | 'internal';

/** An error that becomes one HTTP reply `{ error: { code, message, issues? } }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
  }
}

/** zod issues as the API reports them: a dotted path, a message and zod's code. */
export function toApiIssues(error: z.ZodError): ApiIssue[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message, code: issue.code }));
}

/** Parses `value` with `schema`, or throws a 400 naming what was wrong (`what`: 'body', 'query', 'path'). */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = toApiIssues(parsed.error);
  const first = issues[0];
  const where = first?.path ? `${what}.${first.path}` : what;
  throw new ApiError(400, 'invalid-request', `invalid ${what}: ${where}: ${first?.message ?? 'invalid'}`, issues);
}

/** Sends an error reply. */
export function sendError(res: Response, status: number, code: ApiErrorCode, message: string, issues?: ApiIssue[]): void {
  const body: ApiErrorBody = { error: { code, message, ...(issues ? { issues } : {}) } };
  res.status(status).json(body);
}

/** Minimal structured logger the API writes to (console fits). */
export interface ApiLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Error middleware: ApiError as itself, body-parser errors as 400/413, anything else as a logged 500 without internals. */
export function apiErrorHandler(logger: ApiLogger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof ApiError) {
      sendError(res, error.status, error.code, error.message, error.issues);
      return;
    }
    if (error instanceof RepositoryError && error.code === 'storage-failed') {
      // Nothing of this request was stored: say so plainly (and log where), instead of a 500 "see the server log".
      logger.error('storage refused a write', { method: req.method, path: req.originalUrl, error: error.cause ?? error });
      sendError(res, 503, 'storage-unavailable', `nothing was saved: ${error.message}; free disk space and try again`);
      return;
    }
    const httpError = error as { type?: string; status?: number; message?: string };
    if (httpError.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid-json', `request body is not valid JSON: ${httpError.message ?? ''}`.trim());
      return;
    }
    if (httpError.type === 'entity.too.large') {
      sendError(res, 413, 'upload-too-large', 'request body is too large');
      return;
    }
    logger.error('request failed', { method: req.method, path: req.originalUrl, error: (error as Error)?.stack ?? String(error) });
    sendError(res, 500, 'internal', 'internal error (see the server log)');
  };
}
