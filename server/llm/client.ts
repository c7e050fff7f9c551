import OpenAI from 'openai';
import { z } from 'zod';
import { LlmError, classifyLlmError, describeCause } from './errors.ts';

/** How structured output is requested: 'auto' starts with json_schema and steps down when the server refuses it. */
export const StructuredOutputSetting = z.enum(['auto', 'json_schema', 'json_object', 'none']);
export type StructuredOutputSetting = z.infer<typeof StructuredOutputSetting>;

/** The mode actually sent on a request. */
export type StructuredOutputMode = Exclude<StructuredOutputSetting, 'auto'>;

/** Where the OpenAI-compatible endpoint is and how to call it. */
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

/** Defaults matching the reference deployment (vLLM serving Qwen2.5-7B-Instruct on this machine). */
export const LLM_CONFIG_DEFAULTS = {
  baseUrl: 'http://localhost:8000/v1',
  model: 'Qwen/Qwen2.5-7B-Instruct',
  timeoutMs: 30_000,
  maxRetries: 2,
  structuredOutput: 'auto',
  retryBaseDelayMs: 300,
} as const satisfies z.input<typeof LlmConfig>;

/**
 * Builds an LlmConfig from environment variables (VIVA_LLM_*); meant to be called by server/env.ts with process.env.
 * Throws an Error naming the variable when a value is invalid.
 */
export function llmConfigFromEnv(env: Record<string, string | undefined>): z.output<typeof LlmConfig> {
  const number = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value.trim() === '') return undefined;
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new Error(`${name} must be a number, got "${value}"`);
    return parsed;
  };
  const candidate = {
    baseUrl: env.VIVA_LLM_BASE_URL?.trim() || LLM_CONFIG_DEFAULTS.baseUrl,
    model: env.VIVA_LLM_MODEL?.trim() || LLM_CONFIG_DEFAULTS.model,
    apiKey: env.VIVA_LLM_API_KEY?.trim() || undefined,
    timeoutMs: number('VIVA_LLM_TIMEOUT_MS') ?? LLM_CONFIG_DEFAULTS.timeoutMs,
    maxRetries: number('VIVA_LLM_MAX_RETRIES') ?? LLM_CONFIG_DEFAULTS.maxRetries,
    structuredOutput: env.VIVA_LLM_STRUCTURED_OUTPUT?.trim() || LLM_CONFIG_DEFAULTS.structuredOutput,
    retryBaseDelayMs: number('VIVA_LLM_RETRY_BASE_DELAY_MS') ?? LLM_CONFIG_DEFAULTS.retryBaseDelayMs,
  };
  const parsed = LlmConfig.safeParse(candidate);
  if (!parsed.success) {
    const names: Record<string, string> = {
      baseUrl: 'VIVA_LLM_BASE_URL',
      model: 'VIVA_LLM_MODEL',
      apiKey: 'VIVA_LLM_API_KEY',
      timeoutMs: 'VIVA_LLM_TIMEOUT_MS',
      maxRetries: 'VIVA_LLM_MAX_RETRIES',
      structuredOutput: 'VIVA_LLM_STRUCTURED_OUTPUT',
      retryBaseDelayMs: 'VIVA_LLM_RETRY_BASE_DELAY_MS',
    };
    const lines = parsed.error.issues.map((issue) => `${names[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`);
    throw new Error(`invalid LLM configuration: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** A configured connection to one OpenAI-compatible endpoint; create one per app and inject it. */
export interface LlmClient {
  readonly config: Readonly<z.output<typeof LlmConfig>>;
  readonly openai: OpenAI;
  /** Mode used for the next structured request. */
  readonly structuredOutput: StructuredOutputMode;
  /** True when the configured setting is 'auto', so a refused response_format may step the mode down. */
  readonly canFallBack: boolean;
  /** Steps the mode down after the server refused `from` (json_schema → json_object → none); returns the new mode. */
  fallBackFrom(from: StructuredOutputMode): StructuredOutputMode;
}

/** Creates a client with the SDK's own retries off (our policy in structured.ts retries with backoff and knows aborts). */
export function createLlmClient(config: LlmConfig): LlmClient {
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
  return {
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
  };
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
export async function checkLlmEndpoint(client: LlmClient, options: { signal?: AbortSignal } = {}): Promise<LlmEndpointInfo> {
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
