import type { PromptValues } from '../prompts.ts';
import type { ChatMessage, PrepLlm } from './llm.ts';
import type { PrepLanguage } from '../../protocol/prep.ts';

/** Prompt files of the preparation features (prompts/<name>.<lang>.md). */
export type PrepPromptName = 'resume-parse' | 'match-job' | 'plan-questions' | 'feedback-letter';

/** A prompt rendered into chat messages, with the version recorded on what it produces. */
export interface RenderedPrompt {
  messages: ChatMessage[];
  version: string;
}

/**
 * Renders the preparation prompts: instructions (with trusted `variables` such as counts) in the system message, the
 * untrusted documents (`data`: résumé, job description, names) JSON-encoded in the user message.
 */
export interface PrepPrompts {
  render(name: PrepPromptName, language: PrepLanguage, variables: PromptValues, data: Record<string, unknown>): RenderedPrompt;
}

/** What every preparation feature is built from. */
export interface PrepDeps {
  llm: PrepLlm;
  prompts: PrepPrompts;
  /** Per-call LLM timeout; the client's default when undefined. */
  timeoutMs?: number | undefined;
}
