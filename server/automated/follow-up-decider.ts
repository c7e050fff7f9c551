/**
 * "Follow up or move on": one small structured LLM call per answered planned question, with its own timeout. Any
 * failure (unreachable, timeout, invalid output, missing prompt) becomes the deterministic fallback: move on.
 */
import { z } from 'zod';
import type { AutomatedLanguage } from '../../protocol/automated.ts';
import type { ChatMessage } from '../llm/chat-stream.ts';
import type { LlmProvider } from '../llm/provider.ts';
import { generateObject } from '../llm/structured.ts';
import type { PromptLibrary } from '../prompts.ts';
import { untrustedJson } from '../untrusted-json.ts';

/** response_format name of the decision (the fake LLM and logs tell calls apart by it). */
export const FOLLOW_UP_DECISION_SCHEMA_NAME = 'automated_followup';

/** What the model returns: the gap it found and one follow-up question, or null to move on. */
export const FollowUpDecisionOutput = z.object({
  gap: z.string().max(400),
  followUp: z.string().max(600).nullable(),
});
export type FollowUpDecisionOutput = z.infer<typeof FollowUpDecisionOutput>;

/** The decision with where it came from. */
export interface FollowUpDecision {
  followUp: string | null;
  gap: string;
  source: 'llm' | 'fallback';
  /** Why the fallback was used. */
  error?: string;
  promptVersion?: string;
  model?: string;
}

/** One decision request. */
export interface DecideRequest {
  language: AutomatedLanguage;
  question: string;
  answer: string;
  role?: string | null;
  jobDescription?: string | null;
  signal: AbortSignal;
}

/** Decides whether an answer needs a follow-up. Never throws: failures fall back to moving on. */
export interface FollowUpDecider {
  decide(request: DecideRequest): Promise<FollowUpDecision>;
}

/** Options of the LLM-backed decider. */
export interface LlmDeciderOptions {
  llm: LlmProvider;
  prompts: PromptLibrary;
  /** Whole decision, retries and repair included (default 8000 ms); the turn-taking has its own, longer, deadline. */
  timeoutMs?: number;
  /** Longest answer text sent, in characters (default 4000: the end of a long answer is kept). */
  maxAnswerChars?: number;
}

/** The real decider: prompts/automated-interviewer (system), the data as JSON + automated-followup (user), then `generateObject`. */
export function createLlmFollowUpDecider(options: LlmDeciderOptions): FollowUpDecider {
  const timeoutMs = options.timeoutMs ?? 8_000;
  const maxAnswerChars = options.maxAnswerChars ?? 4_000;
  return {
    async decide(request) {
      const answer = request.answer.trim();
      // Nothing heard (or only noise): there is nothing to follow up on; skip the call.
      if (answer === '') return { followUp: null, gap: 'empty answer', source: 'fallback', error: 'empty answer' };
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        // Instructions only in the system message; the candidate's words and the job text travel as JSON data.
        const system = options.prompts.render('automated-interviewer', request.language, {});
        const data = options.prompts.render('analysis-data', request.language, {
          data: untrustedJson({
            role: request.role?.trim() || null,
            jobDescription: request.jobDescription ? request.jobDescription.slice(0, 3_000) : null,
            question: request.question,
            answer: answer.length > maxAnswerChars ? `…${answer.slice(-maxAnswerChars)}` : answer,
          }),
        });
        const task = options.prompts.render('automated-followup', request.language, {});
        const messages: ChatMessage[] = [
          { role: 'system', content: system.text },
          { role: 'user', content: `${data.text}\n\n${task.text}` },
        ];
        const result = await generateObject(options.llm, {
          schema: FollowUpDecisionOutput,
          schemaName: FOLLOW_UP_DECISION_SCHEMA_NAME,
          messages,
          signal,
          timeoutMs,
          temperature: 0.3,
          maxTokens: 200,
          language: request.language,
          prompts: options.prompts,
        });
        const text = result.object.followUp?.trim() ?? '';
        return {
          followUp: text === '' ? null : text,
          gap: result.object.gap,
          source: 'llm',
          promptVersion: task.version,
          model: result.model,
        };
      } catch (error) {
        return { followUp: null, gap: '', source: 'fallback', error: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

/** Test double: answers from a script and records each request. */
export class FakeFollowUpDecider implements FollowUpDecider {
  readonly requests: DecideRequest[] = [];
  constructor(private readonly script: (request: DecideRequest, index: number) => string | null | Promise<string | null>) {}
  async decide(request: DecideRequest): Promise<FollowUpDecision> {
    this.requests.push(request);
    const followUp = await this.script(request, this.requests.length - 1);
    return { followUp, gap: followUp ? 'scripted' : 'none', source: 'llm' };
  }
}
