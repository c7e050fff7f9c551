import type { ChatCompletionCreateParamsStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { OpenAiCompatibleClient } from './client.ts';
import { LlmError, classifyLlmError } from './errors.ts';
import type { ChatMessage, ChatResult } from './provider.ts';

export type { ChatMessage } from './provider.ts';

/** `response_format` as the OpenAI wire protocol spells it. */
export type ResponseFormat = NonNullable<ChatCompletionCreateParamsStreaming['response_format']>;

/** One streamed chat completion request. */
export interface StreamChatRequest {
  messages: ChatMessage[];
  responseFormat?: ResponseFormat | undefined;
  /** The caller's signal: aborting ends the call with LlmError('analysis-cancelled'). */
  signal?: AbortSignal | undefined;
  /** Overrides config.timeoutMs for this request (covers the wait for the first token and the whole stream). */
  timeoutMs?: number | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Each piece of content as it arrives. */
  onTextDelta?: ((delta: string) => void) | undefined;
}

/** A finished streamed completion. */
export type StreamChatResult = ChatResult;

/**
 * One streamed request, no retry. Our own timeout covers a server that accepts the request and then never sends a token
 * (the SDK's timeout stops at the response headers). Every failure is thrown as a classified LlmError.
 */
export async function streamChatCompletion(client: OpenAiCompatibleClient, request: StreamChatRequest): Promise<StreamChatResult> {
  const { baseUrl, model: configuredModel } = client.config;
  const timeoutMs = request.timeoutMs ?? client.config.timeoutMs;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
  let text = '';
  try {
    if (request.signal?.aborted) throw new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false });
    const body: ChatCompletionCreateParamsStreaming = {
      model: configuredModel,
      messages: request.messages satisfies ChatCompletionMessageParam[],
      stream: true,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { max_tokens: request.maxTokens }),
      ...(request.responseFormat === undefined ? {} : { response_format: request.responseFormat }),
    };
    // The SDK timeout only guards the headers; ours (slightly shorter) fires first and is classified as llm-timeout.
    const stream = await client.openai.chat.completions.create(body, { signal, timeout: timeoutMs + 1000, maxRetries: 0 });
    let finishReason: string | null = null;
    let model = configuredModel;
    for await (const chunk of stream) {
      if (chunk.model) model = chunk.model;
      const choice = chunk.choices[0];
      const delta = choice?.delta?.content;
      if (delta) {
        text += delta;
        request.onTextDelta?.(delta);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
    }
    // The SDK ends a stream quietly when it is aborted: find out who aborted it.
    if (signal.aborted) throw signal.reason ?? new Error('aborted');
    if (finishReason === null) {
      throw new LlmError('llm-error', `the LLM server at ${baseUrl} ended the stream before the model finished`, {
        retryable: true,
        raw: text,
      });
    }
    return { text, model, finishReason };
  } catch (error) {
    throw classifyLlmError(error, { baseUrl, callerSignal: request.signal, timeoutSignal: timeout.signal, timeoutMs, raw: text });
  } finally {
    clearTimeout(timer);
  }
}

/** Delay before retry number `retry` (0-based): exponential with jitter, or the server's Retry-After when it gave one. */
export function backoffDelayMs(retry: number, baseDelayMs: number, error?: LlmError): number {
  const retryAfterMs = retryAfterFrom(error);
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, 10_000);
  const ceiling = Math.min(8_000, baseDelayMs * 2 ** retry);
  // "Equal jitter": never retry instantly, but spread simultaneous clients apart.
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function retryAfterFrom(error: LlmError | undefined): number | undefined {
  const headers = (error?.cause as { headers?: Headers } | undefined)?.headers;
  const value = headers?.get?.('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Whether our policy tries again: retryable errors except timeouts (a hung server would only hang again, doubling the wait). */
export function shouldRetry(error: LlmError): boolean {
  return error.retryable && error.code !== 'llm-timeout';
}

/** Waits `ms`, ending early with LlmError('analysis-cancelled') when `signal` aborts. */
export function sleepUnlessCancelled(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = (): LlmError => new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false });
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
