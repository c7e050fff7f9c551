import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import type { ApiIssue } from '../../protocol/interviews.ts';
import { LlmError } from '../llm/errors.ts';
import type { Logger } from '../logger.ts';
import type { ExtractError } from '../prep/extract.ts';
import { toApiIssues } from './errors.ts';

/** Error codes of the preparation API, beyond the extraction and LLM codes passed through as they are. */
export type PrepApiCode = 'invalid-request' | 'invalid-json' | 'too-large' | 'not-found' | 'not-ready' | 'forbidden' | 'busy' | 'conflict' | 'internal';

/** An error that becomes `{ error: { code, message, issues? } }` with an HTTP status. */
export class PrepApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
  }
}

/** A preparation API error with one of its own codes. */
export function fail(status: number, code: PrepApiCode, message: string): PrepApiError {
  return new PrepApiError(status, code, message);
}

/** Parses `value` with `schema`, or throws a 400 naming the first problem (`what`: 'body' or 'query'). */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = toApiIssues(parsed.error);
  const first = issues[0];
  throw new PrepApiError(400, 'invalid-request', `invalid ${what}: ${first?.path ? `${first.path}: ` : ''}${first?.message ?? 'invalid'}`, issues);
}

/** HTTP status of each LLM failure code. */
export const LLM_STATUS: Record<string, number> = {
  'llm-unreachable': 503,
  'llm-timeout': 504,
  'llm-invalid-output': 502,
  'llm-error': 502,
  'analysis-cancelled': 499,
};

/** HTTP status of extraction failures that are not 422 (unreadable document). */
export const EXTRACT_STATUS: Record<string, number> = { 'too-large': 413, 'too-many-pages': 413, aborted: 499 };

/** `{ code, message }` of an extraction or LLM failure, for replies and batch listings. */
export function describe(error: ExtractError | LlmError): { code: string; message: string; retryable: boolean } {
  return { code: error.code, message: error.message, retryable: error instanceof LlmError ? error.retryable : false };
}

/** Error middleware of the preparation API: its own errors, body-parser errors as 400/413, anything else a logged 500. */
export function prepErrorHandler(options: { maxDocumentBytes: number; logger?: Logger | undefined }): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof PrepApiError) {
      res.status(error.status).json({ error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) } });
      return;
    }
    const httpError = error as { type?: string; status?: number; message?: string; limit?: number };
    if (httpError.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'invalid-json', message: `the body is not valid JSON: ${httpError.message ?? ''}` } });
      return;
    }
    if (httpError.type === 'entity.too.large') {
      const limitMiB = ((httpError.limit ?? options.maxDocumentBytes) / 1024 / 1024).toFixed(1);
      res.status(413).json({ error: { code: 'too-large', message: `the body is larger than the ${limitMiB} MiB limit` } });
      return;
    }
    options.logger?.error(`prep API: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    res.status(500).json({ error: { code: 'internal', message: 'internal error (see the server log)' } });
  };
}
