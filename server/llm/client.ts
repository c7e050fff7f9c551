import OpenAI from 'openai';
import { z } from 'zod';
import { streamChatCompletion, type ResponseFormat } from './chat-stream.ts';
import { LlmError, classifyLlmError, describeCause } from './errors.ts';
import { StructuredOutputSetting, type LlmProvider, type StructuredOutputMode, type StructuredOutputRequest } from './provider.ts';

export { StructuredOutputSetting, type StructuredOutputMode } from './provider.ts';

/**
 * Where the OpenAI-compatible endpoint is and how to call it. Defaults live in server/env.ts (the one configuration
 * schema); tests build this directly.
 */
export const LlmConfig = z.object({
  /** e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama), http://localhost:8080/v1 (llama.cpp). */
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://localhost:8000/v1' }),
  model: z.string().min(1),
  apiKey: z.string().min(1).optional(),
  /** Per request: covers connecting, waiting for the first token and streaming the whole answer. */
  timeoutMs: z.number().int().positive(),
  /** Extra attempts after a retryable failure (connection refused, 5xx, 429, dropped stream). */
  maxRetries: z.number().int().min(0).max(10),
  structuredOutput: StructuredOutputSetting,
  /** First backoff delay; doubles per retry, with jitter, capped at 8 s. */
  retryBaseDelayMs: z.number().int().min(0).default(300),
});
export type LlmConfig = z.input<typeof LlmConfig>;

/** Any LLM provider; the name callers used before the embedded provider existed. */
export type LlmClient = LlmProvider;

/** The OpenAI-compatible provider: one configured connection to one endpoint. */
export interface OpenAiCompatibleClient extends LlmProvider {
  readonly kind: 'openai-compatible';
  readonly config: Readonly<z.output<typeof LlmConfig>>;
  readonly openai: OpenAI;
}

/** Creates a client with the SDK's own retries off (our policy in structured.ts retries with backoff and knows aborts). */
export function createLlmClient(config: LlmConfig): OpenAiCompatibleClient {
  const resolved = LlmConfig.parse(config);
  const openai = new OpenAI({
    baseURL: resolved.baseUrl,
    apiKey: resolved.apiKey ?? 'not-needed',
    maxRetries: 0,
    timeout: resolved.timeoutMs,
    fetch: vllmErrorBodyFetch,
  });
  let mode: StructuredOutputMode = resolved.structuredOutput === 'auto' ? 'json_schema' : resolved.structuredOutput;
  const canFallBack = resolved.structuredOutput === 'auto';
  const client: OpenAiCompatibleClient = {
    kind: 'openai-compatible',
    model: resolved.model,
    location: resolved.baseUrl,
    retry: { maxRetries: resolved.maxRetries, baseDelayMs: resolved.retryBaseDelayMs },
    config: resolved,
    openai,
    get structuredOutput() {
      return mode;
    },
    canFallBack,
    fallBackFrom(from) {
      // Concurrent calls may both see the refusal: only step down from the mode they actually used.
      if (canFallBack && mode === from) mode = from === 'json_schema' ? 'json_object' : 'none';
      return mode;
    },
    streamChat(request) {
      const { structured, ...rest } = request;
      return streamChatCompletion(client, { ...rest, responseFormat: responseFormatFor(structured) });
    },
    async close() {
      // Nothing held open: the SDK uses the global fetch's connection pool.
    },
  };
  return client;
}

/** `response_format` for a structured request, as the OpenAI wire protocol spells it. */
function responseFormatFor(structured: StructuredOutputRequest | undefined): ResponseFormat | undefined {
  if (structured?.mode === 'json_schema') return { type: 'json_schema', json_schema: { name: structured.name, schema: structured.schema, strict: true } };
  if (structured?.mode === 'json_object') return { type: 'json_object' };
  return undefined;
}

/**
 * vLLM (before 0.9) answers errors with `{"object":"error","message":…}` and Ollama sometimes with `{"error":"…"}`; the
 * SDK only reads `{"error":{"message":…}}` and would report "400 status code (no body)". Rewrite such bodies so the
 * server's own words reach the user.
 */
async function vllmErrorBodyFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (response.ok) return response;
  const text = await response.text();
  let body = text;
  try {
    const json = JSON.parse(text) as Record<string, unknown> | null;
    if (json && typeof json === 'object') {
      if (!('error' in json) && typeof json.message === 'string') {
        body = JSON.stringify({ error: { message: json.message, type: json.type ?? null, param: json.param ?? null, code: json.code ?? null } });
      } else if (typeof json.error === 'string') {
        body = JSON.stringify({ error: { message: json.error } });
      } else if (!('error' in json) && typeof json.detail === 'string') {
        body = JSON.stringify({ error: { message: json.detail } });
      }
    }
  } catch {
    // Not JSON: the SDK reports the text itself.
  }
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

/** What the endpoint serves, as found by {@link checkLlmEndpoint}. */
export interface LlmEndpointInfo {
  model: string;
  servedModels: string[];
}

/**
 * Start-up check: lists the served models and confirms the configured one is among them. Throws an LlmError whose
 * message says what to change (VIVA_LLM_BASE_URL, VIVA_LLM_MODEL, VIVA_LLM_API_KEY).
 */
export async function checkLlmEndpoint(client: OpenAiCompatibleClient, options: { signal?: AbortSignal } = {}): Promise<LlmEndpointInfo> {
  const { baseUrl, model, timeoutMs } = client.config;
  let servedModels: string[];
  try {
    const page = await client.openai.models.list({ signal: options.signal, timeout: Math.min(timeoutMs, 10_000), maxRetries: 0 });
    servedModels = page.data.map((entry) => entry.id);
  } catch (error) {
    const classified = classifyLlmError(error, { baseUrl, callerSignal: options.signal });
    if (classified.code === 'analysis-cancelled') throw classified;
    if (classified.code === 'llm-unreachable' || classified.code === 'llm-timeout') {
      const why = classified.code === 'llm-timeout' ? 'no answer within the timeout' : describeCause(error);
      throw new LlmError(
        classified.code,
        `could not reach the LLM server at ${baseUrl} (${why}); is vLLM running? set VIVA_LLM_BASE_URL to its OpenAI-compatible URL, e.g. http://localhost:8000/v1`,
        { retryable: true, cause: error },
      );
    }
    if (classified.status === 401 || classified.status === 403) {
      throw new LlmError('llm-error', `the LLM server at ${baseUrl} refused the API key (${classified.status}); set VIVA_LLM_API_KEY`, {
        retryable: false,
        status: classified.status,
        cause: error,
      });
    }
    if (classified.status === 404) {
      throw new LlmError(
        'llm-error',
        `${baseUrl}/models was not found (404): this is not an OpenAI-compatible base URL; it usually ends in /v1 (e.g. http://localhost:8000/v1); set VIVA_LLM_BASE_URL`,
        { retryable: false, status: 404, cause: error },
      );
    }
    throw new LlmError('llm-error', `checking the LLM server at ${baseUrl} failed: ${classified.message}; check VIVA_LLM_BASE_URL`, {
      retryable: classified.retryable,
      ...(classified.status === undefined ? {} : { status: classified.status }),
      cause: error,
    });
  }
  if (!servedModels.includes(model)) {
    const served = servedModels.length > 0 ? servedModels.join(', ') : '(none)';
    throw new LlmError('llm-error', `model ${model} is not served here (${baseUrl}); served: ${served}; set VIVA_LLM_MODEL`, {
      retryable: false,
    });
  }
  return { model, servedModels };
}
