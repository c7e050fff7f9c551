/**
 * Structured output from any LLM provider (OpenAI-compatible endpoint or embedded): stream, parse leniently, validate
 * with zod, repair once.
 * Reusable by every feature that needs a typed object from the model (answer analysis, résumé parsing, job match…).
 */
import { z } from 'zod';
import { createPromptLibrary, type PromptLanguage, type PromptLibrary } from '../prompts.ts';
import { backoffDelayMs, shouldRetry, sleepUnlessCancelled } from './chat-stream.ts';
import { LlmError, classifyLlmError } from './errors.ts';
import { parseJsonLenient } from './json-text.ts';
import type { ChatMessage, ChatResult, LlmProvider, StructuredOutputMode } from './provider.ts';

/** Why a request is being sent; lets a streaming consumer reset what it built from the previous attempt's text. */
export interface GenerateAttempt {
  /** 0-based over the whole generateObject call. */
  index: number;
  reason: 'first' | 'retry' | 'fallback' | 'repair';
  structuredOutput: StructuredOutputMode;
}

/** Options of {@link generateObject}. */
export interface GenerateObjectOptions<T> {
  /** Validates the model's object; also sent as the JSON schema. Keep it to features strict mode supports (see docs). */
  schema: z.ZodType<T>;
  /**
   * A tighter schema sent for constrained decoding only (e.g. evidence limited to the transcript's own clauses); the reply
   * is still validated with `schema`, so a server that does not enforce it is not failed for what the caller checks
   * itself. The format instructions (no json_schema mode) and the repair prompt show `schema`.
   */
  decodingSchema?: z.ZodType | undefined;
  /** response_format name: a-z, 0-9, _ and -, at most 64 characters. */
  schemaName: string;
  messages: ChatMessage[];
  signal?: AbortSignal | undefined;
  /** Per request (each retry and the repair get their own); default config.timeoutMs. */
  timeoutMs?: number | undefined;
  /** Raw model text as it streams (JSON, possibly partial). */
  onTextDelta?: ((delta: string) => void) | undefined;
  /** Called before every request, so streamed text from a failed attempt can be discarded. */
  onAttemptStart?: ((attempt: GenerateAttempt) => void) | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  /** Language of the format and repair instructions; default 'en'. */
  language?: PromptLanguage | undefined;
  /** Where the format and repair instructions come from; default the repository's prompts/. */
  prompts?: PromptLibrary | undefined;
}

/** A validated object and how it was obtained. */
export interface GenerateObjectResult<T> {
  object: T;
  /** The model text the object was parsed from. */
  raw: string;
  /** Model name the server reported. */
  model: string;
  /** True when the first reply was unusable and the repair request produced the object. */
  repaired: boolean;
  /** Structured-output mode of the request that produced it. */
  structuredOutput: StructuredOutputMode;
  /** Requests sent (retries, fallbacks and the repair included). */
  requests: number;
}

let sharedPrompts: PromptLibrary | undefined;
function defaultPrompts(): PromptLibrary {
  // Prompt files are static data, not a client: one cache per process is fine.
  sharedPrompts ??= createPromptLibrary();
  return sharedPrompts;
}

/** JSON Schema for response_format: zod's output without the $schema key (OpenAI's strict mode rejects unknown keys). */
export function toResponseJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });
  return rest;
}

/**
 * Streams a completion and returns a zod-validated object. Uses response_format json_schema (vLLM guided decoding) or
 * the configured fallback; in 'auto' mode a 400 refusing response_format steps the client down to json_object, then to
 * instructions only, remembered by the client. Parses leniently, validates, and on failure sends ONE repair request with
 * the zod issues; then throws LlmError('llm-invalid-output') keeping the raw text. Retryable failures (connection, 5xx,
 * 429, dropped stream) are retried with exponential backoff and jitter; an abort stops at once.
 */
export async function generateObject<T>(client: LlmProvider, options: GenerateObjectOptions<T>): Promise<GenerateObjectResult<T>> {
  const prompts = options.prompts ?? defaultPrompts();
  const language = options.language ?? 'en';
  const jsonSchema = toResponseJsonSchema(options.schema);
  const schemaText = JSON.stringify(jsonSchema);
  const decodingJsonSchema = options.decodingSchema === undefined ? jsonSchema : toResponseJsonSchema(options.decodingSchema);
  let requests = 0;

  const send = async (messages: ChatMessage[], firstReason: GenerateAttempt['reason']): Promise<ChatResult & { mode: StructuredOutputMode }> => {
    let reason = firstReason;
    let retries = 0;
    for (;;) {
      const mode = client.structuredOutput;
      options.onAttemptStart?.({ index: requests, reason, structuredOutput: mode });
      requests += 1;
      try {
        const result = await client.streamChat({
          // The repair prompt carries the schema itself.
          messages: firstReason === 'repair' ? messages : withFormatInstruction(messages, mode),
          structured: { mode, name: options.schemaName, schema: decodingJsonSchema },
          signal: options.signal,
          timeoutMs: options.timeoutMs,
          temperature: options.temperature,
          maxTokens: options.maxTokens,
          onTextDelta: options.onTextDelta,
        });
        return { ...result, mode };
      } catch (error) {
        const failure = error instanceof LlmError ? error : classifyLlmError(error, { baseUrl: client.location, callerSignal: options.signal });
        if (client.canFallBack && mode !== 'none' && refusesResponseFormat(failure)) {
          client.fallBackFrom(mode);
          reason = 'fallback';
          continue;
        }
        if (shouldRetry(failure) && retries < client.retry.maxRetries) {
          await sleepUnlessCancelled(backoffDelayMs(retries, client.retry.baseDelayMs, failure), options.signal);
          retries += 1;
          reason = 'retry';
          continue;
        }
        throw failure;
      }
    }
  };

  const withFormatInstruction = (messages: ChatMessage[], mode: StructuredOutputMode): ChatMessage[] => {
    // With json_schema the server enforces the shape; otherwise the model must be told. Appended to the last user
    // message: some chat templates refuse a system message that is not first.
    if (mode === 'json_schema') return messages;
    const instruction = prompts.render('structured-format', language, { schemaName: options.schemaName, schema: schemaText }).text;
    const lastUser = messages.map((message) => message.role).lastIndexOf('user');
    if (lastUser < 0) return [...messages, { role: 'user', content: instruction }];
    return messages.map((message, index) => (index === lastUser ? { ...message, content: `${message.content}\n\n${instruction}` } : message));
  };

  const first = await send(options.messages, 'first');
  const firstCheck = validate(first.text, options.schema);
  if (firstCheck.ok) {
    return { object: firstCheck.value, raw: first.text, model: first.model, repaired: false, structuredOutput: first.mode, requests };
  }

  const repairPrompt = prompts.render('structured-repair', language, {
    problem: first.finishReason === 'length' ? `${firstCheck.problem} (the reply was cut off at the token limit)` : firstCheck.problem,
    hasIssues: firstCheck.issues !== '',
    issues: firstCheck.issues,
    schema: schemaText,
  }).text;
  const repair = await send(
    [...options.messages, { role: 'assistant', content: first.text }, { role: 'user', content: repairPrompt }],
    'repair',
  );
  const repairCheck = validate(repair.text, options.schema);
  if (repairCheck.ok) {
    return { object: repairCheck.value, raw: repair.text, model: repair.model, repaired: true, structuredOutput: repair.mode, requests };
  }
  const detail = repairCheck.issues || repairCheck.problem;
  throw new LlmError(
    'llm-invalid-output',
    `the model's reply was not a valid ${options.schemaName} object, even after one repair request: ${oneLine(detail)}`,
    { retryable: true, raw: repair.text },
  );
}

type Validation<T> = { ok: true; value: T } | { ok: false; problem: string; issues: string };

function validate<T>(text: string, schema: z.ZodType<T>): Validation<T> {
  const parsed = parseJsonLenient(text);
  if (!parsed.ok) return { ok: false, problem: parsed.problem, issues: '' };
  const result = schema.safeParse(parsed.value);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problem: 'the JSON does not match the required schema', issues: z.prettifyError(result.error) };
}

/** A 400/422 whose message is about response_format or schemas: the server cannot do this structured-output mode. */
function refusesResponseFormat(error: LlmError): boolean {
  if (error.status !== 400 && error.status !== 422) return false;
  return /response[_ ]format|json[_ ]schema|json[_ ]object|schema|guided|grammar|structured/i.test(error.message);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, '; ').trim();
  return flat.length > 400 ? `${flat.slice(0, 400)}…` : flat;
}
