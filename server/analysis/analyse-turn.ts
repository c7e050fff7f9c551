/**
 * One answer's analysis run: the follow-up suggestions (streamed) and the score card (validated), the score starting
 * after the follow-up's first token by default. Each part reports its own failure, so one failing never hides the other.
 * The queue around it (order, capacity, retry) is answer-analyzer.ts; the prompt layout is analysis-prompt.ts.
 */
import type { z } from 'zod';
import {
  FollowUpEndEvent,
  ScoreFinalEvent,
  type AnswerScore,
  type ErrorCode,
  type FollowUpDeltaEvent,
  type Language,
  type Rubric,
  type SessionContext,
} from '../../protocol/schemas.ts';
import { LlmError } from '../llm/errors.ts';
import type { LlmProvider } from '../llm/provider.ts';
import { PromptError, resolvePromptLanguage, type PromptLanguage, type PromptLibrary } from '../prompts.ts';
import { renderAnalysisPrompt, type AnalysisPrompt } from './analysis-prompt.ts';
import type { AnalysisSink, AnswerAnalyzerOptions, CandidateAnswer } from './answer-analyzer.ts';
import { generateFollowUps } from './followups.ts';
import { emptyAnswerScore, generateScore, isTriviallyEmpty } from './score.ts';
import { TranscriptIndex } from './transcript-quotes.ts';

/** Where one part of an answer's analysis stands. */
export type PartState = 'pending' | 'done' | 'failed' | 'skipped';

/** An answer kept for analysis and retry, with the state of its two parts. */
export interface TurnRecord {
  answer: z.output<typeof CandidateAnswer>;
  followUps: PartState;
  score: PartState;
}

/** Which parts of a turn to (re)run. */
export interface Job {
  turnId: string;
  followUps: boolean;
  score: boolean;
}

/** What a run needs from its analyzer. */
export interface TurnRunDeps {
  llm: LlmProvider;
  prompts: PromptLibrary;
  context: SessionContext;
  language: Language;
  options: AnswerAnalyzerOptions;
  /** The session's signal: aborting it cancels the run. */
  signal: AbortSignal;
  deliver<E>(method: keyof AnalysisSink, event: E): void;
  reportError(answer: TurnRecord['answer'], code: ErrorCode, message: string, retryable: boolean): void;
}

/** The state shared by a run's two parts. */
interface TurnCall {
  run: TurnRunDeps;
  record: TurnRecord;
  language: PromptLanguage;
  rubric: Rubric;
  prompt: AnalysisPrompt;
  transcript: TranscriptIndex;
  signal: AbortSignal;
  failures: string[];
}

/** Runs the parts `job` asks for; resolves true when none failed. Never rejects. */
export async function runTurn(run: TurnRunDeps, record: TurnRecord, job: Job): Promise<boolean> {
  const { answer } = record;
  const turn = new AbortController();
  const stop = (): void => turn.abort();
  run.signal.addEventListener('abort', stop, { once: true });
  const failures: string[] = [];
  let scoreTimer: ReturnType<typeof setTimeout> | undefined;
  try {
    const language = resolvePromptLanguage(run.language, { language: answer.language, text: answer.text });
    const rubric: Rubric = run.context.rubric ?? run.prompts.defaultRubric(language);
    const text = answer.text.trim() !== '' ? answer.text : answer.segments.map((segment) => segment.text.trim()).join(' ');
    const transcript = new TranscriptIndex(text, answer.segments, answer);

    if (isTriviallyEmpty(text)) {
      // Nothing to build a question on and nothing to score: label it without a model call.
      if (job.followUps) record.followUps = 'skipped';
      if (job.score) publishScore(run, record, emptyAnswerScore(run.prompts, language, rubric));
      return true;
    }

    const prompt = renderAnalysisPrompt(run.prompts, language, { context: run.context, question: answer.question, answer: text, history: answer.history }, run.options);
    const call: TurnCall = { run, record, language, rubric, prompt, transcript, signal: turn.signal, failures };
    let releaseScore: () => void = () => {};
    const scoreGate = new Promise<void>((resolve) => {
      releaseScore = resolve;
    });
    if (run.options.scoreStart === 'concurrent' || !job.followUps) releaseScore();
    // A follow-up stuck in the server's queue must not hold the score back indefinitely.
    else if (run.options.scoreStart === 'after-first-token') scoreTimer = setTimeout(releaseScore, run.options.scoreStartMaxWaitMs);

    await Promise.all([job.followUps ? runFollowUps(call, releaseScore) : undefined, job.score ? runScore(call, scoreGate) : undefined]);
  } catch (error) {
    // Prompt files, the rubric or a schema broke before any call: nothing a retry of the same code would fix.
    if (job.followUps) record.followUps = 'failed';
    if (job.score) record.score = 'failed';
    if (!isCancellation(error, turn.signal)) failures.push(describe(run, 'Analysis failed', error, record));
  } finally {
    clearTimeout(scoreTimer);
    run.signal.removeEventListener('abort', stop);
  }
  return failures.length === 0;
}

async function runFollowUps(call: TurnCall, releaseScore: () => void): Promise<void> {
  const { run, record } = call;
  const { answer } = record;
  try {
    const result = await generateFollowUps({
      llm: run.llm,
      prompts: run.prompts,
      language: call.language,
      context: call.prompt,
      transcript: call.transcript,
      signal: call.signal,
      temperature: run.options.followUpTemperature,
      maxTokens: run.options.followUpMaxTokens,
      onText: (delta) => run.deliver('followupDelta', { sessionId: answer.sessionId, turnId: answer.turnId, text: delta } satisfies FollowUpDeltaEvent),
      onFirstToken: () => {
        if (run.options.scoreStart === 'after-first-token') releaseScore();
      },
    });
    const event = FollowUpEndEvent.parse({ sessionId: answer.sessionId, turnId: answer.turnId, suggestions: result.suggestions });
    record.followUps = 'done';
    run.deliver('followupEnd', event);
  } catch (error) {
    record.followUps = 'failed';
    if (!isCancellation(error, call.signal)) call.failures.push(describe(run, 'Follow-up suggestions failed', error, record));
  } finally {
    releaseScore();
  }
}

async function runScore(call: TurnCall, scoreGate: Promise<void>): Promise<void> {
  const { run, record, rubric } = call;
  try {
    await scoreGate;
    if (call.signal.aborted) throw new LlmError('analysis-cancelled', 'the analysis was cancelled', { retryable: false });
    const card = await generateScore({
      llm: run.llm,
      prompts: run.prompts,
      language: call.language,
      context: call.prompt,
      rubric,
      transcript: call.transcript,
      signal: call.signal,
      temperature: run.options.scoreTemperature,
      maxTokens: 300 + run.options.scoreMaxTokensPerDimension * rubric.dimensions.length,
    });
    publishScore(run, record, card);
  } catch (error) {
    record.score = 'failed';
    if (!isCancellation(error, call.signal)) call.failures.push(describe(run, 'Scoring failed', error, record));
  }
}

/** Sends one analysis:error for a failed part (follow-ups or score) and returns its code. */
function describe(run: TurnRunDeps, prefix: string, error: unknown, record: TurnRecord): string {
  const { code, message, retryable } = toWireError(error);
  run.reportError(record.answer, code, `${prefix}: ${message}`, retryable);
  return code;
}

function publishScore(run: TurnRunDeps, record: TurnRecord, score: AnswerScore): void {
  const event = ScoreFinalEvent.parse({ sessionId: record.answer.sessionId, turnId: record.answer.turnId, score });
  record.score = 'done';
  run.deliver('scoreFinal', event);
}

function isCancellation(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof LlmError && error.code === 'analysis-cancelled');
}

function toWireError(error: unknown): { code: ErrorCode; message: string; retryable: boolean } {
  if (error instanceof LlmError) return { code: error.code, message: error.message, retryable: error.retryable };
  if (error instanceof PromptError) return { code: 'internal', message: error.message, retryable: false };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), retryable: false };
}
