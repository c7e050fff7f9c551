/**
 * Per-session answer analysis: each final candidate answer gets streamed follow-up suggestions and a validated score
 * card, in order, through a bounded queue (this file: order, capacity, retry; one answer's run is analyse-turn.ts).
 * Failures become `analysis:error` events that say whether a retry can help.
 */
import { z } from 'zod';
import {
  type Ack,
  type AnalysisErrorEvent,
  type ErrorCode,
  type FollowUpDeltaEvent,
  type FollowUpEndEvent,
  type Language,
  type ScoreFinalEvent,
  type SessionContext,
} from '../../protocol/schemas.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { PromptLibrary } from '../prompts.ts';
import { AnalysisJobInput } from '../store/analysis-job-rows.ts';
import { runTurn, type Job, type TurnRecord, type TurnRunDeps } from './analyse-turn.ts';

/** A final candidate answer handed to the analyzer: what a durable analysis job stores, with its turn and session. */
export const CandidateAnswer = AnalysisJobInput.extend({
  turnId: z.string().min(1).max(100),
  sessionId: z.string().min(1).max(100),
});
export type CandidateAnswer = z.input<typeof CandidateAnswer>;

/** Where analysis results go (the analysis subscriber publishes them as session events). May return a promise. */
export interface AnalysisSink {
  followupDelta(event: FollowUpDeltaEvent): void | Promise<void>;
  followupEnd(event: FollowUpEndEvent): void | Promise<void>;
  scoreFinal(event: ScoreFinalEvent): void | Promise<void>;
  analysisError(event: AnalysisErrorEvent): void | Promise<void>;
}

/** When the score request starts relative to the follow-up request. */
export type ScoreStart = 'after-first-token' | 'concurrent' | 'after-followups';

/** Tunables of the analyzer; every field has a default. */
export interface AnswerAnalyzerOptions {
  /** Answers waiting (not counting the one being analysed); beyond it the oldest waiting one is dropped. Default 3. */
  queueCapacity: number;
  /** Answers kept for `retry(turnId)`. Default 200. */
  retainedTurns: number;
  /** Earlier turns given to the model. Default 6. */
  historyTurns: number;
  /** Characters kept per earlier turn. Default 600. */
  historyTurnChars: number;
  /** Characters of job description / résumé given to the model. Defaults 3000 / 4000. */
  jobDescriptionChars: number;
  resumeChars: number;
  /**
   * 'after-first-token' (default): the score request starts when the follow-up stream shows its first token, so it
   * does not compete with the follow-up's prefill (first suggestion text stays as fast as the model allows) and then
   * decodes alongside it (vLLM batches), reusing the shared system prompt from the prefix cache.
   */
  scoreStart: ScoreStart;
  /** With 'after-first-token': start the score anyway this long after the follow-up request was sent. Default 2000. */
  scoreStartMaxWaitMs: number;
  followUpTemperature: number;
  scoreTemperature: number;
  followUpMaxTokens: number;
  /** Per rubric dimension, plus a fixed 300. */
  scoreMaxTokensPerDimension: number;
  /** Where sink failures are reported. Default console. */
  logger: Pick<Console, 'warn'>;
}

/** Defaults of {@link AnswerAnalyzerOptions}. */
export const ANSWER_ANALYZER_DEFAULTS: AnswerAnalyzerOptions = {
  queueCapacity: 3,
  retainedTurns: 200,
  historyTurns: 6,
  historyTurnChars: 600,
  jobDescriptionChars: 3000,
  resumeChars: 4000,
  scoreStart: 'after-first-token',
  scoreStartMaxWaitMs: 2000,
  followUpTemperature: 0.6,
  scoreTemperature: 0,
  followUpMaxTokens: 700,
  scoreMaxTokensPerDimension: 250,
  logger: console,
};

/** Everything an analyzer needs; one analyzer per session. */
export interface AnswerAnalyzerDeps {
  llm: LlmProvider;
  prompts: PromptLibrary;
  context: SessionContext;
  /** The session's language; 'auto' picks per turn. */
  language: Language;
  sink: AnalysisSink;
  /** The session's signal: aborting it (session stop) cancels outstanding calls and drops waiting answers silently. */
  signal: AbortSignal;
  options?: Partial<AnswerAnalyzerOptions>;
}

/** Counters for logs and the session summary. */
export interface AnswerAnalyzerStats {
  submitted: number;
  /** Turns whose requested parts all succeeded. */
  completed: number;
  /** Turns with at least one part failed (an analysis:error was sent). */
  failed: number;
  /** Answers dropped because the queue was full (each got an analysis:error, retryable). */
  dropped: number;
  /** Answers cancelled by session stop (no event sent). */
  cancelled: number;
  retried: number;
  /** Waiting now. */
  queued: number;
}

/** Analyses one session's answers in order. */
export interface AnswerAnalyzer {
  /** Queues a final answer; returns the queue position (0 = next), or an error when the session is stopped or the answer invalid. */
  submit(answer: CandidateAnswer): Ack<{ turnId: string; position: number }>;
  /** Re-runs the failed parts of a turn (both when none failed); wired to the `analysis:retry` client event. */
  retry(turnId: string): Ack<{ turnId: string }>;
  stats(): AnswerAnalyzerStats;
  /** Resolves when nothing is queued or running (at once after stop). */
  idle(): Promise<void>;
}

/** Creates the analyzer for one session. */
export function createAnswerAnalyzer(deps: AnswerAnalyzerDeps): AnswerAnalyzer {
  const options: AnswerAnalyzerOptions = { ...ANSWER_ANALYZER_DEFAULTS, ...deps.options };
  if (!Number.isInteger(options.queueCapacity) || options.queueCapacity < 1) throw new Error('queueCapacity must be an integer >= 1');
  const { sink, signal } = deps;
  const records = new Map<string, TurnRecord>();
  const queue: Job[] = [];
  const counters = { submitted: 0, completed: 0, failed: 0, dropped: 0, cancelled: 0, retried: 0 };
  let running: Job | undefined;
  let pumping: Promise<void> = Promise.resolve();
  let pumpActive = false;
  /** Turns whose retry arrived while they were running (one part had already failed): re-run their failed parts after. */
  const retryWhenDone = new Set<string>();

  const stopped = (): boolean => signal.aborted;
  signal.addEventListener(
    'abort',
    () => {
      counters.cancelled += queue.length + (running ? 1 : 0);
      queue.length = 0;
    },
    { once: true },
  );

  const deliver = <E>(method: keyof AnalysisSink, event: E): void => {
    if (stopped()) return;
    try {
      const result = (sink[method] as (event: E) => void | Promise<void>)(event);
      if (result instanceof Promise) result.catch((error: unknown) => options.logger.warn(`analysis sink ${method} failed`, error));
    } catch (error) {
      options.logger.warn(`analysis sink ${method} failed`, error);
    }
  };

  const reportError = (answer: TurnRecord['answer'], code: ErrorCode, message: string, retryable: boolean): void => {
    deliver('analysisError', { sessionId: answer.sessionId, turnId: answer.turnId, code, message, retryable } satisfies AnalysisErrorEvent);
  };

  const remember = (record: TurnRecord): void => {
    records.delete(record.answer.turnId);
    records.set(record.answer.turnId, record);
    while (records.size > options.retainedTurns) {
      const oldest = records.keys().next().value;
      if (oldest === undefined || queue.some((job) => job.turnId === oldest) || running?.turnId === oldest) break;
      records.delete(oldest);
    }
  };

  const enqueue = (job: Job): number => {
    if (queue.length >= options.queueCapacity) {
      const dropped = queue.shift();
      const record = dropped && records.get(dropped.turnId);
      if (dropped && record) {
        counters.dropped += 1;
        if (dropped.followUps) record.followUps = 'failed';
        if (dropped.score) record.score = 'failed';
        reportError(
          record.answer,
          'queue-overflow',
          `Too many answers were waiting for analysis, so this one was skipped; retry to analyse it.`,
          true,
        );
      }
    }
    queue.push(job);
    const position = queue.length - 1;
    if (!pumpActive) pumping = pump();
    return position;
  };

  const pump = async (): Promise<void> => {
    // The flag is cleared in the same microtask that sees the queue empty, so a submit can never find a pump that
    // is about to exit. Work starts synchronously: the follow-up request goes out before submit() returns.
    pumpActive = true;
    try {
      while (!stopped()) {
        const job = queue.shift();
        if (!job) break;
        const record = records.get(job.turnId);
        if (!record) continue;
        running = job;
        try {
          await analyseTurn(record, job);
        } finally {
          running = undefined;
        }
        if (retryWhenDone.delete(job.turnId) && !stopped() && (record.followUps === 'failed' || record.score === 'failed')) {
          // Like a retry asked now: refused (and said so, retryable) rather than pushing another answer out of a full queue.
          if (queue.length >= options.queueCapacity) {
            reportError(record.answer, 'queue-overflow', 'the analysis queue is full; retry when the current answers are done', true);
          } else {
            requeue(record);
          }
        }
      }
    } finally {
      pumpActive = false;
    }
  };

  /** Queues the failed parts of a turn again (both parts when none failed). */
  const requeue = (record: TurnRecord): void => {
    const failedFollowUps = record.followUps === 'failed';
    const failedScore = record.score === 'failed';
    const both = !failedFollowUps && !failedScore;
    if (both || failedFollowUps) record.followUps = 'pending';
    if (both || failedScore) record.score = 'pending';
    counters.retried += 1;
    enqueue({ turnId: record.answer.turnId, followUps: both || failedFollowUps, score: both || failedScore });
  };

  const run: TurnRunDeps = {
    llm: deps.llm,
    prompts: deps.prompts,
    context: deps.context,
    language: deps.language,
    options,
    signal,
    deliver,
    reportError,
  };
  const analyseTurn = async (record: TurnRecord, job: Job): Promise<void> => {
    const ok = await runTurn(run, record, job);
    if (stopped()) return;
    if (ok) counters.completed += 1;
    else counters.failed += 1;
  };

  return {
    submit(input) {
      if (stopped()) return { ok: false, error: { code: 'session-stopped', message: 'the session is stopped; answers are no longer analysed' } };
      const parsed = CandidateAnswer.safeParse(input);
      if (!parsed.success) return { ok: false, error: { code: 'invalid-payload', message: z.prettifyError(parsed.error) } };
      counters.submitted += 1;
      const record: TurnRecord = { answer: parsed.data, followUps: 'pending', score: 'pending' };
      remember(record);
      // A re-finalised turn replaces its waiting job rather than queueing twice.
      const waiting = queue.findIndex((job) => job.turnId === record.answer.turnId);
      if (waiting >= 0) return { ok: true, data: { turnId: record.answer.turnId, position: waiting } };
      const position = enqueue({ turnId: record.answer.turnId, followUps: true, score: true });
      return { ok: true, data: { turnId: record.answer.turnId, position } };
    },
    retry(turnId) {
      if (stopped()) return { ok: false, error: { code: 'session-stopped', message: 'the session is stopped' } };
      const record = records.get(turnId);
      if (!record) return { ok: false, error: { code: 'not-found', message: `no answer ${turnId} is kept for retry in this session` } };
      if (queue.some((job) => job.turnId === turnId)) return { ok: true, data: { turnId } };
      if (running?.turnId === turnId) {
        // One part failed (and was reported) while the other is still running: the screen shows the error and Retry
        // at once, so the retry must not be lost; it runs the failed parts when this run ends.
        retryWhenDone.add(turnId);
        return { ok: true, data: { turnId } };
      }
      if (queue.length >= options.queueCapacity) {
        return { ok: false, error: { code: 'queue-overflow', message: 'the analysis queue is full; retry when the current answers are done' } };
      }
      requeue(record);
      return { ok: true, data: { turnId } };
    },
    stats() {
      return { ...counters, queued: queue.length };
    },
    async idle() {
      while (pumpActive) await pumping;
    },
  };
}
