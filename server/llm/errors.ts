import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import type { ErrorCode } from '../../protocol/schemas.ts';

/** Error codes an LLM call can end with (a subset of the protocol's ErrorCode). */
export type LlmErrorCode = Extract<ErrorCode, 'llm-unreachable' | 'llm-timeout' | 'llm-invalid-output' | 'llm-error' | 'analysis-cancelled'>;

/** A failed LLM call that knows whether trying again can help; `raw` keeps the model's text when there was some. */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  readonly code: LlmErrorCode;
  readonly retryable: boolean;
  readonly raw: string | undefined;
  /** HTTP status when the server answered with an error. */
  readonly status: number | undefined;
  constructor(code: LlmErrorCode, message: string, options: { retryable: boolean; raw?: string; status?: number; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable;
    this.raw = options.raw;
    this.status = options.status;
  }
}

/** True for the error a caller's own abort produces: a normal end, never shown as a failure. */
export function isCancelled(error: unknown): boolean {
  return error instanceof LlmError && error.code === 'analysis-cancelled';
}

/** Context for turning an SDK or network error into an LlmError. */
export interface ClassifyContext {
  baseUrl: string;
  /** The caller's signal: aborted means cancelled. */
  callerSignal?: AbortSignal | undefined;
  /** Our per-call timeout signal: aborted means timed out. */
  timeoutSignal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Text received before the failure. */
  raw?: string | undefined;
}

/**
 * Maps whatever the SDK, undici or our own code threw to an LlmError. Connection failures, 408/409/429 and 5xx are
 * retryable; other 4xx are not (the same request would fail the same way); an abort by the caller is 'analysis-cancelled'.
 */
export function classifyLlmError(error: unknown, context: ClassifyContext): LlmError {
  if (error instanceof LlmError) return error;
  const raw = context.raw === undefined || context.raw === '' ? {} : { raw: context.raw };
  // Which signal fired decides between cancelled and timed out: the SDK reports both as an abort.
  if (context.callerSignal?.aborted) {
    return new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false, cause: error, ...raw });
  }
  if (context.timeoutSignal?.aborted || error instanceof APIConnectionTimeoutError) {
    const after = context.timeoutMs === undefined ? '' : ` after ${context.timeoutMs} ms`;
    return new LlmError('llm-timeout', `the LLM server at ${context.baseUrl} did not finish answering${after}`, {
      retryable: true,
      cause: error,
      ...raw,
    });
  }
  if (error instanceof APIUserAbortError) {
    return new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false, cause: error, ...raw });
  }
  if (error instanceof APIConnectionError) {
    return new LlmError('llm-unreachable', `could not reach the LLM server at ${context.baseUrl} (${describeCause(error)})`, {
      retryable: true,
      cause: error,
      ...raw,
    });
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const detail = errorDetail(error);
    return new LlmError('llm-error', `the LLM server answered ${status}${detail ? `: ${detail}` : ''}`, {
      retryable,
      status,
      cause: error,
      ...raw,
    });
  }
  if (error instanceof APIError) {
    // An error event inside the stream (vLLM sends `data: {"error": …}` when generation fails mid-way).
    return new LlmError('llm-error', `the LLM server reported an error mid-stream: ${error.message}`, { retryable: true, cause: error, ...raw });
  }
  if (isSocketDrop(error)) {
    return new LlmError('llm-error', `the connection to the LLM server at ${context.baseUrl} dropped mid-answer (${describeCause(error)})`, {
      retryable: true,
      cause: error,
      ...raw,
    });
  }
  if (error instanceof SyntaxError) {
    return new LlmError('llm-error', `the LLM server sent a stream chunk that is not JSON: ${error.message}`, { retryable: true, cause: error, ...raw });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError('llm-error', `the LLM call failed: ${message}`, { retryable: false, cause: error, ...raw });
}

/** The server's own words for an HTTP error, whichever body shape it used. */
function errorDetail(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === 'string') return body.message;
  // The SDK's message is "<status> <text>"; strip the status we print ourselves.
  return error.message.replace(/^\d{3}\s*/, '').replace(/^status code \(no body\)$/, '');
}

function isSocketDrop(error: unknown): boolean {
  for (const cause of causeChain(error)) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && (code.startsWith('UND_ERR') || code === 'ECONNRESET' || code === 'EPIPE')) return true;
    if (cause instanceof TypeError && cause.message === 'terminated') return true;
  }
  return false;
}

/** A short description of the root network cause, e.g. "ECONNREFUSED 127.0.0.1:8000". */
export function describeCause(error: unknown): string {
  const chain = causeChain(error);
  for (let i = chain.length - 1; i >= 0; i -= 1) {
    const cause = chain[i] as { code?: unknown; message?: unknown; errors?: unknown };
    if (Array.isArray(cause.errors) && cause.errors.length > 0) {
      const first = cause.errors[0] as { code?: unknown; message?: unknown };
      if (typeof first.code === 'string') return typeof first.message === 'string' ? first.message : first.code;
    }
    if (typeof cause.code === 'string') return typeof cause.message === 'string' && cause.message ? cause.message : cause.code;
  }
  const last = chain[chain.length - 1];
  return last instanceof Error ? last.message : String(last);
}

function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}
