/**
 * The process's analysis jobs: every complete answer is a durable job (stored in `analysis_jobs` when there is storage)
 * that runs until the answer is scored or has an error the user can retry — during the session, after its stop, and
 * after a restart (`resumeStored`). Live follow-ups are fresh or nothing: a follow-up for an answer the interviewer moved
 * on from (a newer answer, an interviewer turn after it, the stop) is cancelled, queued or running. LLM calls go through
 * a fixed number of slots (`maxConcurrentCalls`: 1 for the embedded model, a few for an endpoint), follow-ups first,
 * the latest answer first. One answer's part runs through analyse-turn.ts.
 */
import type { AnalysisProgress } from '../../protocol/schemas.ts';
import type { AnalysisJobInput, AnalysisJobState } from '../store/analysis-job-rows.ts';
import { runTurn, type TurnRecord, type TurnRunDeps } from './analyse-turn.ts';
import type { AnalysisJobs, AnalysisJobsDeps, AnalysisJobStats, AnswerJob, JobTarget } from './analysis-job-types.ts';
import { ANSWER_ANALYZER_DEFAULTS, type AnswerAnalyzerOptions } from './answer-analyzer.ts';

export type * from './analysis-job-types.ts';


type FollowUpState = 'none' | 'wanted' | 'running' | 'done' | 'failed' | 'cancelled';

interface Job {
  interviewId: string;
  answerId: string;
  turnIds: string[];
  input: AnalysisJobInput;
  /** 'none': an open answer (follow-ups only). */
  score: AnalysisJobState | 'none';
  followUps: FollowUpState;
  /** Higher is newer: the latest answer goes first. */
  recency: number;
  followUpCall?: AbortController | undefined;
  scoreCall?: AbortController | undefined;
  /** Follow-up runs started: a later run's first text replaces the earlier one on screen. */
  followUpRuns: number;
}

type Part = 'followUps' | 'score';

const STALE = 'stale';
const SHUTDOWN = 'shutdown';

/** Builds the process's analysis jobs. */
export function createAnalysisJobs(deps: AnalysisJobsDeps): AnalysisJobs {
  const options: AnswerAnalyzerOptions = { ...ANSWER_ANALYZER_DEFAULTS, ...deps.options };
  if (!Number.isInteger(deps.maxConcurrentCalls) || deps.maxConcurrentCalls < 1) throw new Error('maxConcurrentCalls must be an integer >= 1');
  const { store, logger } = deps;
  const jobs = new Map<string, Job>();
  const targets = new Map<string, JobTarget>();
  /** Interviews whose live session ended (follow-ups are no longer fresh there). */
  const ended = new Set<string>();
  /** Where the interviewer's latest turn started, per interview: answers that ended before it were moved on from. */
  const interviewerAtMs = new Map<string, number>();
  const counters: AnalysisJobStats = { callsStarted: 0, staleBeforeCall: 0, staleDuringCall: 0, scored: 0, failed: 0, maxInFlight: 0, inFlight: 0 };
  const waiters: { interviewId: string | undefined; resolve: () => void }[] = [];
  let recency = 0;
  let closing = false;
  let allDone: Promise<void> = Promise.resolve();
  let releaseAllDone: () => void = () => {};

  const keyOf = (interviewId: string, answerId: string): string => `${interviewId}\u0000${answerId}`;

  const persist = (what: string, write: () => void): void => {
    if (!store) return;
    try {
      write();
    } catch (error) {
      // The job still runs in this process; only its survival across a restart is lost.
      logger.error(`analysis jobs: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  /** Where the interview's results go: its live session, else (no session in this process) storage and its room. */
  const targetOf = (interviewId: string): JobTarget | undefined => {
    const known = targets.get(interviewId);
    if (known) return known;
    const stored = deps.storedTarget?.(interviewId);
    if (stored) {
      targets.set(interviewId, stored);
      ended.add(interviewId);
    }
    return stored;
  };

  /** Follow-ups are wanted while the interview's session is live (for a recording: always). */
  const fresh = (job: Job): boolean => {
    const target = targetOf(job.interviewId);
    if (!target) return false;
    if (target.followUps === 'all') return true;
    return !ended.has(job.interviewId) && (interviewerAtMs.get(job.interviewId) ?? -Infinity) < job.input.endMs;
  };

  const cancelFollowUps = (job: Job): void => {
    if (job.followUps === 'wanted') {
      job.followUps = 'cancelled';
      counters.staleBeforeCall++;
    } else if (job.followUps === 'running') {
      job.followUps = 'cancelled';
      counters.staleDuringCall++;
      job.followUpCall?.abort(STALE);
    }
  };

  /** Follow-ups of the interview's other answers are stale once a newer answer speaks (never for a recording). */
  const supersede = (current: Job): void => {
    if (targets.get(current.interviewId)?.followUps === 'all') return;
    for (const job of jobs.values()) if (job.interviewId === current.interviewId && job !== current) cancelFollowUps(job);
  };

  const progress = (interviewId: string): AnalysisProgress => {
    if (store) {
      try {
        const stored = store.progressOf([interviewId]).get(interviewId);
        if (stored) return stored;
      } catch (error) {
        logger.warn(`analysis jobs: reading progress failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const result: AnalysisProgress = { total: 0, done: 0, pending: 0, failed: 0 };
    for (const job of jobs.values()) {
      if (job.interviewId !== interviewId || job.score === 'none') continue;
      result.total++;
      if (job.score === 'done') result.done++;
      else if (job.score === 'queued' || job.score === 'running') result.pending++;
      else result.failed++;
    }
    return result;
  };

  const reportProgress = (interviewId: string): void => {
    const target = targets.get(interviewId);
    if (!target) return;
    try {
      target.sink.progress(progress(interviewId));
    } catch (error) {
      logger.warn(`analysis jobs: progress sink failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  const busy = (job: Job): boolean =>
    job.score === 'queued' || job.score === 'running' || job.followUps === 'wanted' || job.followUps === 'running';

  const settle = (): void => {
    for (let index = waiters.length - 1; index >= 0; index--) {
      const waiter = waiters[index];
      if (!waiter) continue;
      const waiting = [...jobs.values()].some((job) => (waiter.interviewId === undefined || job.interviewId === waiter.interviewId) && busy(job));
      if (!waiting) {
        waiters.splice(index, 1);
        waiter.resolve();
      }
    }
    // An interview with no session left and nothing to do is forgotten (its results are stored; a retry reloads it).
    for (const [key, job] of jobs) {
      if (store && !busy(job) && ended.has(job.interviewId) && job.followUpCall === undefined && job.scoreCall === undefined) jobs.delete(key);
    }
    // Without storage a forgotten interview could not be found again: keep its target.
    if (!deps.storedTarget) return;
    for (const interviewId of ended) {
      if (![...jobs.values()].some((job) => job.interviewId === interviewId)) {
        ended.delete(interviewId);
        targets.delete(interviewId);
        interviewerAtMs.delete(interviewId);
      }
    }
  };

  /** The next part to run: follow-ups before scores, the newest answer first. */
  const pickNext = (): { job: Job; part: Part } | undefined => {
    let best: { job: Job; part: Part } | undefined;
    for (const job of jobs.values()) {
      const part: Part | undefined =
        job.followUps === 'wanted' ? 'followUps' : job.score === 'queued' && job.scoreCall === undefined ? 'score' : undefined;
      if (!part) continue;
      if (!best || (part === 'followUps' && best.part === 'score') || (part === best.part && job.recency > best.job.recency)) best = { job, part };
    }
    return best;
  };

  const pump = (): void => {
    while (!closing && counters.inFlight < deps.maxConcurrentCalls) {
      const next = pickNext();
      if (!next) break;
      const target = targetOf(next.job.interviewId);
      if (!target) {
        // The interview is gone (deleted) or unreadable: nothing to score it against.
        jobs.delete(keyOf(next.job.interviewId, next.job.answerId));
        continue;
      }
      start(next.job, next.part, target);
    }
    settle();
  };

  const start = (job: Job, part: Part, target: JobTarget): void => {
    const controller = new AbortController();
    counters.inFlight++;
    counters.callsStarted++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    if (counters.inFlight === 1) allDone = new Promise((resolve) => (releaseAllDone = resolve));
    let restart = false;
    if (part === 'followUps') {
      job.followUps = 'running';
      job.followUpCall = controller;
      restart = job.followUpRuns > 0;
      job.followUpRuns++;
    } else {
      job.score = 'running';
      job.scoreCall = controller;
      persist(`marking ${job.answerId} running`, () => store?.setJobState(job.interviewId, job.answerId, 'running'));
    }
    const record: TurnRecord = {
      answer: { turnId: job.answerId, sessionId: job.interviewId, ...job.input },
      followUps: 'pending',
      score: 'pending',
    };
    let lastError: { code: string; message: string; retryable: boolean } | undefined;
    const run: TurnRunDeps = {
      llm: deps.llm,
      prompts: deps.prompts,
      context: target.context,
      language: target.language,
      options,
      signal: controller.signal,
      deliver(method, event) {
        if (controller.signal.aborted) return;
        if (method === 'followupDelta' && restart) {
          event = { ...(event as object), restart: true } as typeof event;
          restart = false;
        }
        try {
          void (target.sink[method] as (event: unknown) => void | Promise<void>)(event);
        } catch (error) {
          logger.warn(`analysis sink ${method} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
      reportError(answer, code, message, retryable) {
        lastError = { code, message, retryable };
        run.deliver('analysisError', { sessionId: answer.sessionId, turnId: answer.turnId, code, message, retryable });
      },
    };
    void runTurn(run, record, { turnId: job.answerId, followUps: part === 'followUps', score: part === 'score' })
      .then(() => finish(job, part, record, controller, lastError))
      .catch((error: unknown) => logger.error(`analysis jobs: ${job.answerId} failed unexpectedly: ${String(error)}`))
      .finally(() => {
        counters.inFlight--;
        if (counters.inFlight === 0) releaseAllDone();
        pump();
      });
  };

  const finish = (job: Job, part: Part, record: TurnRecord, controller: AbortController, error: { code: string; message: string; retryable: boolean } | undefined): void => {
    if (part === 'followUps') {
      if (job.followUpCall === controller) job.followUpCall = undefined;
      // A cancelled call (stale, replaced, shutdown) already moved the state on.
      if (!controller.signal.aborted) job.followUps = record.followUps === 'failed' ? 'failed' : 'done';
      return;
    }
    if (job.scoreCall === controller) job.scoreCall = undefined;
    if (controller.signal.aborted) {
      // Replaced (a newer job for the answer is queued) or shutdown (stays 'running' in storage for the next start).
      return;
    }
    if (record.score === 'done') {
      job.score = 'done';
      counters.scored++;
      persist(`marking ${job.answerId} done`, () => store?.setJobState(job.interviewId, job.answerId, 'done'));
    } else {
      job.score = error?.retryable === false ? 'failed-terminal' : 'failed-retryable';
      counters.failed++;
      const stored = error ?? { code: 'internal', message: 'scoring failed' };
      persist(`marking ${job.answerId} failed`, () => store?.setJobState(job.interviewId, job.answerId, job.score as AnalysisJobState, { code: stored.code, message: stored.message }));
    }
    reportProgress(job.interviewId);
  };

  /** The answer's job, created or updated in place; `changed`: its text or question differs from before. */
  const upsert = (spec: AnswerJob, score: Job['score']): { job: Job; changed: boolean } => {
    const key = keyOf(spec.interviewId, spec.answerId);
    const turnIds = spec.turnIds && spec.turnIds.length > 0 ? spec.turnIds : [spec.answerId];
    const existing = jobs.get(key);
    recency++;
    if (!existing) {
      const job: Job = { interviewId: spec.interviewId, answerId: spec.answerId, turnIds, input: spec.input, score, followUps: 'none', recency, followUpRuns: 0 };
      jobs.set(key, job);
      return { job, changed: true };
    }
    const changed = existing.input.text !== spec.input.text || existing.input.question !== spec.input.question;
    existing.turnIds = turnIds;
    existing.input = spec.input;
    existing.recency = recency;
    if (changed && existing.followUps === 'running') {
      existing.followUpCall?.abort(STALE);
      existing.followUps = 'none';
      counters.staleDuringCall++;
    }
    if (score !== 'none') {
      // A score for the old text is no longer the answer's: start over.
      existing.scoreCall?.abort('replaced');
      existing.scoreCall = undefined;
      existing.score = score;
    }
    return { job: existing, changed };
  };

  /** Asks for follow-ups of the answer when they are fresh and not already there for this text. */
  const wantFollowUps = (job: Job, changed: boolean): void => {
    if (job.followUps === 'running' || (job.followUps === 'done' && !changed)) return;
    if (fresh(job)) job.followUps = 'wanted';
    else if (job.followUps === 'wanted') cancelFollowUps(job);
  };

  return {
    attach(interviewId, target) {
      targets.set(interviewId, target);
      ended.delete(interviewId);
    },

    enqueue(spec) {
      const { job, changed } = upsert(spec, 'queued');
      persist(`storing the job of ${spec.answerId}`, () => store?.putJob({ interviewId: job.interviewId, answerId: job.answerId, turnIds: job.turnIds, input: job.input }));
      supersede(job);
      wantFollowUps(job, changed);
      reportProgress(job.interviewId);
      pump();
    },

    refreshFollowUps(spec) {
      const { job, changed } = upsert(spec, jobs.get(keyOf(spec.interviewId, spec.answerId))?.score ?? 'none');
      supersede(job);
      wantFollowUps(job, changed);
      pump();
    },

    interviewerTurn(interviewId, atMs) {
      interviewerAtMs.set(interviewId, Math.max(atMs, interviewerAtMs.get(interviewId) ?? -Infinity));
      if (targets.get(interviewId)?.followUps === 'all') return;
      for (const job of jobs.values()) if (job.interviewId === interviewId && job.input.endMs <= atMs) cancelFollowUps(job);
      pump();
    },

    sessionEnded(interviewId) {
      if (targets.get(interviewId)?.followUps !== 'all') {
        for (const job of jobs.values()) if (job.interviewId === interviewId) cancelFollowUps(job);
      }
      // Open answers that never became final are nobody's job now.
      for (const [key, job] of jobs) if (job.interviewId === interviewId && job.score === 'none' && job.followUpCall === undefined) jobs.delete(key);
      ended.add(interviewId);
      pump();
    },

    remove(interviewId, answerId) {
      const key = keyOf(interviewId, answerId);
      const job = jobs.get(key);
      job?.followUpCall?.abort('removed');
      job?.scoreCall?.abort('removed');
      jobs.delete(key);
      let stored = false;
      persist(`removing the job of ${answerId}`, () => (stored = store?.deleteJob(interviewId, answerId) ?? false));
      reportProgress(interviewId);
      pump();
      return job !== undefined || stored;
    },

    retry(interviewId, answerId) {
      let job = jobs.get(keyOf(interviewId, answerId));
      if (!job || job.score === 'none') {
        const stored = store?.getJob(interviewId, answerId);
        if (!stored) return { ok: false, error: { code: 'not-found', message: `no analysis of answer ${answerId} to retry` } };
        recency++;
        job = { interviewId, answerId, turnIds: stored.turnIds, input: stored.input, score: stored.state, followUps: 'none', recency, followUpRuns: 0 };
        jobs.set(keyOf(interviewId, answerId), job);
      }
      if (!targetOf(interviewId)) return { ok: false, error: { code: 'not-found', message: `interview ${interviewId} is not stored` } };
      if (job.score !== 'running') {
        job.score = 'queued';
        persist(`requeueing ${answerId}`, () => store?.setJobState(interviewId, answerId, 'queued'));
      }
      if (job.followUps === 'failed' && fresh(job)) job.followUps = 'wanted';
      reportProgress(interviewId);
      pump();
      return { ok: true, data: { turnId: answerId } };
    },

    progress,

    resumeStored() {
      if (!store) return 0;
      let resumed = 0;
      for (const stored of store.unfinishedJobs()) {
        const key = keyOf(stored.interviewId, stored.answerId);
        if (jobs.has(key)) continue;
        recency++;
        jobs.set(key, { interviewId: stored.interviewId, answerId: stored.answerId, turnIds: stored.turnIds, input: stored.input, score: 'queued', followUps: 'none', recency, followUpRuns: 0 });
        resumed++;
      }
      if (resumed > 0) logger.info(`analysis jobs: ${resumed} answer(s) left unscored by the last run queued again`);
      pump();
      return resumed;
    },

    idle(interviewId) {
      return new Promise((resolve) => {
        waiters.push({ interviewId, resolve });
        settle();
      });
    },

    stats: () => ({ ...counters }),

    async close() {
      closing = true;
      for (const job of jobs.values()) {
        job.followUpCall?.abort(SHUTDOWN);
        job.scoreCall?.abort(SHUTDOWN);
      }
      await allDone;
      for (const waiter of waiters.splice(0)) waiter.resolve();
    },
  };
}
