/**
 * The one interface every LLM call goes through. Two implementations: an OpenAI-compatible HTTP endpoint (vLLM, Ollama,
 * llama.cpp's server, OpenAI; `client.ts`) and a model run in process by node-llama-cpp (`embedded.ts`). Callers use
 * `generateObject` (structured.ts) and never care which one they hold.
 */
import { z } from 'zod';

/** How structured output is requested: 'auto' starts with json_schema and steps down when the server refuses it. */
export const StructuredOutputSetting = z.enum(['auto', 'json_schema', 'json_object', 'none']);
export type StructuredOutputSetting = z.infer<typeof StructuredOutputSetting>;

/** The mode actually used on a request. */
export type StructuredOutputMode = Exclude<StructuredOutputSetting, 'auto'>;

/** A chat message as sent to the model. */
export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** The JSON object a structured request asks for, and how the provider is to enforce it. */
export interface StructuredOutputRequest {
  /** json_schema: constrained to `schema` (guided decoding or a grammar); json_object: any JSON object; none: prompt only. */
  mode: StructuredOutputMode;
  /** a-z, 0-9, _ and -, at most 64 characters (OpenAI's response_format name). */
  name: string;
  /** JSON Schema of the object (the same one zod validates). */
  schema: Record<string, unknown>;
}

/** One streamed chat request. */
export interface ChatRequest {
  messages: ChatMessage[];
  structured?: StructuredOutputRequest | undefined;
  /** The caller's signal: aborting ends the call with LlmError('analysis-cancelled'). */
  signal?: AbortSignal | undefined;
  /** Overrides the provider's per-call timeout (covers the wait for the first token and the whole answer). */
  timeoutMs?: number | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Each piece of the answer's text as it arrives (reasoning excluded). */
  onTextDelta?: ((delta: string) => void) | undefined;
}

/** A finished streamed chat completion. */
export interface ChatResult {
  text: string;
  /** Model name as the provider reports it. */
  model: string;
  /** 'stop', 'length' (hit maxTokens), or what the server said. */
  finishReason: string;
}

/** Retry policy applied by generateObject to retryable failures. */
export interface RetryPolicy {
  maxRetries: number;
  /** First backoff delay; doubles per retry, with jitter, capped at 8 s. */
  baseDelayMs: number;
}

/** A configured LLM: create one per process (core.ts, through `createLlmProvider`) and inject it. */
export interface LlmProvider {
  readonly kind: 'openai-compatible' | 'embedded';
  /** Model name recorded with results (the served model id, or the GGUF file name). */
  readonly model: string;
  /** Where the model runs, for messages: the base URL or the GGUF path. */
  readonly location: string;
  readonly retry: RetryPolicy;
  /** Mode used for the next structured request. */
  readonly structuredOutput: StructuredOutputMode;
  /** True when a refused response_format may step the mode down (OpenAI-compatible 'auto' only). */
  readonly canFallBack: boolean;
  /** Steps the mode down after the server refused `from` (json_schema → json_object → none); returns the new mode. */
  fallBackFrom(from: StructuredOutputMode): StructuredOutputMode;
  /** One streamed request, no retry; every failure is a classified LlmError. */
  streamChat(request: ChatRequest): Promise<ChatResult>;
  /** Frees what the provider holds (the embedded model); calls after close fail. */
  close(): Promise<void>;
}
