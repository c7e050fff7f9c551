import type { z } from 'zod';
import type { LlmProvider } from '../llm/provider.ts';
import { generateObject } from '../llm/structured.ts';
import type { PromptLibrary } from '../prompts.ts';
import type { PrepLanguage } from '../../protocol/prep.ts';

/** One chat message sent to the model. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A structured-output request: the model must answer with JSON matching `schema`. */
export interface PrepLlmRequest<T> {
  schema: z.ZodType<T>;
  schemaName: string;
  messages: ChatMessage[];
  /** Language of the format and repair instructions added when the server cannot enforce the schema. */
  language?: PrepLanguage | undefined;
  /** Default 0: extraction and ranking want the same answer for the same resume. */
  temperature?: number | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/** A validated answer, with the raw text and whether a repair round was needed. */
export interface PrepLlmResult<T> {
  object: T;
  raw: string;
  model: string;
  repaired: boolean;
}

/** The one LLM capability the preparation features need: a zod-validated JSON object. Throws LlmError. */
export interface PrepLlm {
  generate<T>(request: PrepLlmRequest<T>): Promise<PrepLlmResult<T>>;
}

/** The real PrepLlm: structured output on the same OpenAI-compatible endpoint as the live analysis. */
export function createPrepLlm(client: LlmProvider, options: { prompts?: PromptLibrary | undefined } = {}): PrepLlm {
  return {
    async generate(request) {
      const result = await generateObject(client, {
        schema: request.schema,
        schemaName: request.schemaName,
        messages: request.messages,
        signal: request.signal,
        timeoutMs: request.timeoutMs,
        language: request.language,
        prompts: options.prompts,
        temperature: request.temperature ?? 0,
      });
      return { object: result.object, raw: result.raw, model: result.model, repaired: result.repaired };
    },
  };
}
