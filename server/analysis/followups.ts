/** Follow-up suggestions: the model's JSON is streamed to the interviewer as plain question text, then validated. */
import { FOLLOWUPS_SCHEMA_NAME, FollowUpsOutput } from '../../protocol/analysis-output.ts';
import type { FollowUpSuggestion } from '../../protocol/schemas.ts';
import type { LlmProvider } from '../llm/provider.ts';
import { JsonFieldTextStreamer } from '../llm/json-text.ts';
import { generateObject, type GenerateObjectResult } from '../llm/structured.ts';
import type { PromptLanguage, PromptLibrary } from '../prompts.ts';
import { analysisMessages, type AnalysisPrompt } from './analysis-prompt.ts';
import type { TranscriptIndex } from './transcript-quotes.ts';

/** Inputs of {@link generateFollowUps}. */
export interface FollowUpsRequest {
  llm: LlmProvider;
  prompts: PromptLibrary;
  language: PromptLanguage;
  /** The shared system message and interview data (see analysis-prompt.ts). */
  context: AnalysisPrompt;
  transcript: TranscriptIndex;
  signal: AbortSignal;
  temperature: number;
  maxTokens: number;
  /** Human-readable question text as it streams (questions separated by "\n"); never JSON. */
  onText: (text: string) => void;
  /** First token of the model's reply arrived (the score call may start now without delaying this one's prefill). */
  onFirstToken?: () => void;
}

/** The validated suggestions, with `buildsOn` replaced by the transcript's own words or emptied when not found. */
export interface FollowUpsResult {
  suggestions: FollowUpSuggestion[];
  promptVersion: string;
  model: string;
  repaired: boolean;
}

/** Streams follow-up suggestions for one answer. Throws LlmError on failure (cancellation included). */
export async function generateFollowUps(request: FollowUpsRequest): Promise<FollowUpsResult> {
  const task = request.prompts.render('answer-followups', request.language, {});
  const messages = analysisMessages(request.context, task.text);
  const relay = new PrefixRelay(request.onText);
  let streamer = relay.newStreamer();
  let sawToken = false;
  const result: GenerateObjectResult<FollowUpsOutput> = await generateObject(request.llm, {
    schema: FollowUpsOutput,
    schemaName: FOLLOWUPS_SCHEMA_NAME,
    messages,
    signal: request.signal,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    language: request.language,
    prompts: request.prompts,
    onAttemptStart: (attempt) => {
      if (attempt.index > 0) streamer = relay.newStreamer();
    },
    onTextDelta: (delta) => {
      streamer.push(delta);
      // After the push, so the score request's set-up never delays the first text on screen.
      if (!sawToken) {
        sawToken = true;
        request.onFirstToken?.();
      }
    },
  });
  const suggestions = result.object.suggestions.map((raw) => toSuggestion(raw, request.transcript));
  return { suggestions, promptVersion: task.version, model: result.model, repaired: result.repaired };
}

function toSuggestion(raw: FollowUpsOutput['suggestions'][number], transcript: TranscriptIndex): FollowUpSuggestion {
  return {
    question: clip(raw.question.trim(), 600),
    buildsOn: verbatimOrEmpty(raw.buildsOn, transcript),
    probes: clip(raw.probes.trim(), 400),
  };
}

/** The transcript's own words for a claimed quote (the longest part found), or '' — never a quote the candidate did not say. */
function verbatimOrEmpty(claimed: string, transcript: TranscriptIndex): string {
  const parts = transcript.findParts(claimed);
  const longest = parts.reduce<string>((best, part) => (part.quote.length > best.length ? part.quote : best), '');
  // Cutting a verbatim quote keeps it verbatim (a prefix is still a substring).
  return longest.slice(0, 600);
}

function clip(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}

/**
 * Forwards question text to the client across attempts without repeating or contradicting it: after a retry or a repair
 * the new attempt's text is only forwarded past what was already shown, and only while it agrees with it. Where it does
 * not agree, streaming stops and `followup:end` (which replaces the streamed text) carries the truth.
 */
class PrefixRelay {
  private shown = '';
  private attemptText = '';
  private diverged = false;
  private lastOccurrence = -1;
  private readonly emit: (text: string) => void;

  constructor(emit: (text: string) => void) {
    this.emit = emit;
  }

  newStreamer(): JsonFieldTextStreamer {
    this.attemptText = '';
    this.lastOccurrence = -1;
    return new JsonFieldTextStreamer('question', (text, occurrence) => this.onQuestionText(text, occurrence));
  }

  private onQuestionText(text: string, occurrence: number): void {
    // Questions are separated by a newline so the streamed text reads as a list.
    const separator = occurrence > 0 && occurrence !== this.lastOccurrence ? '\n' : '';
    this.lastOccurrence = occurrence;
    this.attemptText += separator + text;
    if (this.diverged) return;
    if (this.attemptText.length <= this.shown.length) {
      if (!this.shown.startsWith(this.attemptText)) this.diverged = true;
      return;
    }
    if (!this.attemptText.startsWith(this.shown)) {
      this.diverged = true;
      return;
    }
    const fresh = this.attemptText.slice(this.shown.length);
    this.shown = this.attemptText;
    this.emit(fresh);
  }
}
