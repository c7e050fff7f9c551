/**
 * The process's analysis jobs: every complete answer is a durable job (stored in `analysis_jobs` when there is storage)
 * that runs until the answer is scored or has an error the user can retry — during the session, after its stop, and
 * after a restart (`resumeStored`). Live follow-ups are fresh or nothing: a follow-up for an answer the interviewer moved
 * on from (a newer answer, an interviewer turn after it, the stop) is cancelled, queued or running. LLM calls go through
 * a fixed number of slots (`maxConcurrentCalls`: 1 for the embedded model, a few for an endpoint), follow-ups first,
 * the latest answer first. One answer's part runs through analyse-turn.ts.
 */
import type { Ack, AnalysisProgress } from '../../protocol/schemas.ts';
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

/** The last error a run reported. */
interface RunError {
  code: string;
  message: string;
  retryable: boolean;
}

const STALE = 'stale';
const SHUTDOWN = 'shutdown';

/** Builds the process's analysis jobs. */
export function createAnalysisJobs(deps: AnalysisJobsDeps): AnalysisJobs {
  if (!Number.isInteger(deps.maxConcurrentCalls) || deps.maxConcurrentCalls < 1) throw new Error('maxConcurrentCalls must be an integer >= 1');
  return new JobRunner(deps);
}

const keyOf = (interviewId: string, answerId: string): string => `${interviewId}\u0000${answerId}`;

const busy = (job: Job): boolean => job.score === 'queued' || job.score === 'running' || job.followUps === 'wanted' || job.followUps === 'running';

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The jobs, the interviews' targets and the call slots (see the file's doc). */
class JobRunner implements AnalysisJobs {
  private readonly options: AnswerAnalyzerOptions;
  private readonly jobs = new Map<string, Job>();
  private readonly targets = new Map<string, JobTarget>();
  /** Interviews whose live session ended (follow-ups are no longer fresh there). */
  private readonly ended = new Set<string>();
  /** Where the interviewer's latest turn started, per interview: answers that ended before it were moved on from. */
  private readonly interviewerAtMs = new Map<string, number>();
  private readonly counters: AnalysisJobStats = { callsStarted: 0, staleBeforeCall: 0, staleDuringCall: 0, scored: 0, failed: 0, maxInFlight: 0, inFlight: 0 };
  private readonly waiters: { interviewId: string | undefined; resolve: () => void }[] = [];
  private recency = 0;
  private closing = false;
  private allDone: Promise<void> = Promise.resolve();
  private releaseAllDone: () => void = () => {};

  constructor(private readonly deps: AnalysisJobsDeps) {
    this.options = { ...ANSWER_ANALYZER_DEFAULTS, ...deps.options };
  }

  attach(interviewId: string, target: JobTarget): void {
    this.targets.set(interviewId, target);
    this.ended.delete(interviewId);
  }

  enqueue(spec: AnswerJob): void {
    const { job, changed } = this.upsert(spec, 'queued');
    this.persist(`storing the job of ${spec.answerId}`, (store) => store.putJob({ interviewId: job.interviewId, answerId: job.answerId, turnIds: job.turnIds, input: job.input }));
    this.supersede(job);
    this.wantFollowUps(job, changed);
    this.reportProgress(job.interviewId);
    this.pump();
  }

  refreshFollowUps(spec: AnswerJob): void {
    const { job, changed } = this.upsert(spec, this.jobs.get(keyOf(spec.interviewId, spec.answerId))?.score ?? 'none');
    this.supersede(job);
    this.wantFollowUps(job, changed);
    this.pump();
  }

  interviewerTurn(interviewId: string, atMs: number): void {
    this.interviewerAtMs.set(interviewId, Math.max(atMs, this.interviewerAtMs.get(interviewId) ?? -Infinity));
    if (this.targets.get(interviewId)?.followUps === 'all') return;
    for (const job of this.jobs.values()) if (job.interviewId === interviewId && job.input.endMs <= atMs) this.cancelFollowUps(job);
    this.pump();
  }

  sessionEnded(interviewId: string): void {
    if (this.targets.get(interviewId)?.followUps !== 'all') {
      for (const job of this.jobs.values()) if (job.interviewId === interviewId) this.cancelFollowUps(job);
    }
    // Open answers that never became final are nobody's job now.
    for (const [key, job] of this.jobs) if (job.interviewId === interviewId && job.score === 'none' && job.followUpCall === undefined) this.jobs.delete(key);
    this.ended.add(interviewId);
    this.pump();
  }

  remove(interviewId: string, answerId: string): boolean {
    const key = keyOf(interviewId, answerId);
    const job = this.jobs.get(key);
    job?.followUpCall?.abort('removed');
    job?.scoreCall?.abort('removed');
    this.jobs.delete(key);
    let stored = false;
    this.persist(`removing the job of ${answerId}`, (store) => (stored = store.deleteJob(interviewId, answerId)));
    this.reportProgress(interviewId);
    this.pump();
    return job !== undefined || stored;
  }

  retry(interviewId: string, answerId: string): Ack<{ turnId: string }> {
    let job = this.jobs.get(keyOf(interviewId, answerId));
    if (!job || job.score === 'none') {
      const stored = this.deps.store?.getJob(interviewId, answerId);
      if (!stored) return { ok: false, error: { code: 'not-found', message: `no analysis of answer ${answerId} to retry` } };
      job = this.newJob({ interviewId, answerId, turnIds: stored.turnIds, input: stored.input }, stored.state);
    }
    if (!this.targetOf(interviewId)) return { ok: false, error: { code: 'not-found', message: `interview ${interviewId} is not stored` } };
    if (job.score !== 'running') {
      job.score = 'queued';
      this.persist(`requeueing ${answerId}`, (store) => store.setJobState(interviewId, answerId, 'queued'));
    }
    if (job.followUps === 'failed' && this.fresh(job)) job.followUps = 'wanted';
    this.reportProgress(interviewId);
    this.pump();
    return { ok: true, data: { turnId: answerId } };
  }

  progress(interviewId: string): AnalysisProgress {
    try {
      const stored = this.deps.store?.progressOf([interviewId]).get(interviewId);
      if (stored) return stored;
    } catch (error) {
      this.deps.logger.warn(`analysis jobs: reading progress failed: ${describe(error)}`);
    }
    const result: AnalysisProgress = { total: 0, done: 0, pending: 0, failed: 0 };
    for (const job of this.jobs.values()) {
      if (job.interviewId !== interviewId || job.score === 'none') continue;
      result.total++;
      if (job.score === 'done') result.done++;
      else if (job.score === 'queued' || job.score === 'running') result.pending++;
      else result.failed++;
    }
    return result;
  }

  resumeStored(): number {
    const store = this.deps.store;
    if (!store) return 0;
    let resumed = 0;
    for (const stored of store.unfinishedJobs()) {
      if (this.jobs.has(keyOf(stored.interviewId, stored.answerId))) continue;
      this.newJob(stored, 'queued');
      resumed++;
    }
    if (resumed > 0) this.deps.logger.info(`analysis jobs: ${resumed} answer(s) left unscored by the last run queued again`);
    this.pump();
    return resumed;
  }

  idle(interviewId?: string): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ interviewId, resolve });
      this.settle();
    });
  }

  stats(): AnalysisJobStats {
    return { ...this.counters };
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.jobs.values()) {
      job.followUpCall?.abort(SHUTDOWN);
      job.scoreCall?.abort(SHUTDOWN);
    }
    await this.allDone;
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** Writes to storage when there is some; a failed write is logged, and the job still runs in this process. */
  private persist(what: string, write: (store: NonNullable<AnalysisJobsDeps['store']>) => unknown): void {
    const store = this.deps.store;
    if (!store) return;
    try {
      write(store);
    } catch (error) {
      // Only the job's survival across a restart is lost.
      this.deps.logger.error(`analysis jobs: ${what} failed: ${describe(error)}`);
    }
  }

  private newJob(spec: Pick<Job, 'interviewId' | 'answerId' | 'turnIds' | 'input'>, score: Job['score']): Job {
    const job: Job = { interviewId: spec.interviewId, answerId: spec.answerId, turnIds: spec.turnIds, input: spec.input, score, followUps: 'none', recency: ++this.recency, followUpRuns: 0 };
    this.jobs.set(keyOf(job.interviewId, job.answerId), job);
    return job;
  }

  /** Where the interview's results go: its live session, else (no session in this process) storage and its room. */
  private targetOf(interviewId: string): JobTarget | undefined {
    const known = this.targets.get(interviewId);
    if (known) return known;
    const stored = this.deps.storedTarget?.(interviewId);
    if (stored) {
      this.targets.set(interviewId, stored);
      this.ended.add(interviewId);
    }
    return stored;
  }

  /** Follow-ups are wanted while the interview's session is live and the interviewer has not moved on (a recording: always). */
  private fresh(job: Job): boolean {
    const target = this.targetOf(job.interviewId);
    if (!target) return false;
    if (target.followUps === 'all') return true;
    return !this.ended.has(job.interviewId) && (this.interviewerAtMs.get(job.interviewId) ?? -Infinity) < job.input.endMs;
  }

  private cancelFollowUps(job: Job): void {
    if (job.followUps === 'wanted') {
      job.followUps = 'cancelled';
      this.counters.staleBeforeCall++;
    } else if (job.followUps === 'running') {
      job.followUps = 'cancelled';
      this.counters.staleDuringCall++;
      job.followUpCall?.abort(STALE);
    }
  }

  /** Follow-ups of the interview's other answers are stale once a newer answer speaks (never for a recording). */
  private supersede(current: Job): void {
    if (this.targets.get(current.interviewId)?.followUps === 'all') return;
    for (const job of this.jobs.values()) if (job.interviewId === current.interviewId && job !== current) this.cancelFollowUps(job);
  }

  /** Asks for follow-ups of the answer when they are fresh and not already there for this text. */
  private wantFollowUps(job: Job, changed: boolean): void {
    if (job.followUps === 'running' || (job.followUps === 'done' && !changed)) return;
    if (this.fresh(job)) job.followUps = 'wanted';
    else if (job.followUps === 'wanted') this.cancelFollowUps(job);
  }

  /** The answer's job, created or updated in place; `changed`: its text or question differs from before. */
  private upsert(spec: AnswerJob, score: Job['score']): { job: Job; changed: boolean } {
    const turnIds = spec.turnIds && spec.turnIds.length > 0 ? spec.turnIds : [spec.answerId];
    const existing = this.jobs.get(keyOf(spec.interviewId, spec.answerId));
    if (!existing) return { job: this.newJob({ ...spec, turnIds }, score), changed: true };
    const changed = existing.input.text !== spec.input.text || existing.input.question !== spec.input.question;
    existing.turnIds = turnIds;
    existing.input = spec.input;
    existing.recency = ++this.recency;
    if (changed && existing.followUps === 'running') {
      existing.followUpCall?.abort(STALE);
      existing.followUps = 'none';
      this.counters.staleDuringCall++;
    }
    if (score !== 'none') {
      // A score for the old text is no longer the answer's: start over.
      existing.scoreCall?.abort('replaced');
      existing.scoreCall = undefined;
      existing.score = score;
    }
    return { job: existing, changed };
  }

  private reportProgress(interviewId: string): void {
    const target = this.targets.get(interviewId);
    if (!target) return;
    try {
      target.sink.progress(this.progress(interviewId));
    } catch (error) {
      this.deps.logger.warn(`analysis jobs: progress sink failed: ${describe(error)}`);
    }
  }

  /** Resolves the waiters whose jobs are done; forgets interviews with no session left and nothing to do. */
  private settle(): void {
    const jobs = [...this.jobs.values()];
    for (let index = this.waiters.length - 1; index >= 0; index--) {
      const waiter = this.waiters[index];
      if (!waiter || jobs.some((job) => (waiter.interviewId === undefined || job.interviewId === waiter.interviewId) && busy(job))) continue;
      this.waiters.splice(index, 1);
      waiter.resolve();
    }
    // Without storage a forgotten job or interview could not be found again: keep them.
    if (!this.deps.store || !this.deps.storedTarget) return;
    for (const [key, job] of this.jobs) {
      if (!busy(job) && this.ended.has(job.interviewId) && job.followUpCall === undefined && job.scoreCall === undefined) this.jobs.delete(key);
    }
    for (const interviewId of this.ended) {
      if ([...this.jobs.values()].some((job) => job.interviewId === interviewId)) continue;
      this.ended.delete(interviewId);
      this.targets.delete(interviewId);
      this.interviewerAtMs.delete(interviewId);
    }
  }

  /** The next part to run: follow-ups before scores, the newest answer first. */
  private pickNext(): { job: Job; part: Part } | undefined {
    let best: { job: Job; part: Part } | undefined;
    for (const job of this.jobs.values()) {
      const part: Part | undefined = job.followUps === 'wanted' ? 'followUps' : job.score === 'queued' && job.scoreCall === undefined ? 'score' : undefined;
      if (!part) continue;
      if (!best || (part === 'followUps' && best.part === 'score') || (part === best.part && job.recency > best.job.recency)) best = { job, part };
    }
    return best;
  }

  /** Starts parts while a call slot is free. */
  private pump(): void {
    while (!this.closing && this.counters.inFlight < this.deps.maxConcurrentCalls) {
      const next = this.pickNext();
      if (!next) break;
      const target = this.targetOf(next.job.interviewId);
      if (!target) {
        // The interview is gone (deleted) or unreadable: nothing to score it against.
        this.jobs.delete(keyOf(next.job.interviewId, next.job.answerId));
        continue;
      }
      this.start(next.job, next.part, target);
    }
    this.settle();
  }

  /** Runs one part of a job in a slot; its results go to the interview's target. */
  private start(job: Job, part: Part, target: JobTarget): void {
    const controller = new AbortController();
    const counters = this.counters;
    counters.inFlight++;
    counters.callsStarted++;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    if (counters.inFlight === 1) this.allDone = new Promise((resolve) => (this.releaseAllDone = resolve));
    const restart = part === 'followUps' && job.followUpRuns > 0;
    if (part === 'followUps') {
      job.followUps = 'running';
      job.followUpCall = controller;
      job.followUpRuns++;
    } else {
      job.score = 'running';
      job.scoreCall = controller;
      this.persist(`marking ${job.answerId} running`, (store) => store.setJobState(job.interviewId, job.answerId, 'running'));
    }
    const record: TurnRecord = { answer: { turnId: job.answerId, sessionId: job.interviewId, ...job.input }, followUps: 'pending', score: 'pending' };
    const run = this.runDeps(target, controller, restart);
    void runTurn(run, record, { turnId: job.answerId, followUps: part === 'followUps', score: part === 'score' })
      .then(() => this.finish(job, part, record, controller, run.lastError))
      .catch((error: unknown) => this.deps.logger.error(`analysis jobs: ${job.answerId} failed unexpectedly: ${describe(error)}`))
      .finally(() => {
        counters.inFlight--;
        if (counters.inFlight === 0) this.releaseAllDone();
        this.pump();
      });
  }

  /** What one run delivers through: nothing after its call was cancelled; `restart` marks its first follow-up text. */
  private runDeps(target: JobTarget, controller: AbortController, restart: boolean): TurnRunDeps & { lastError?: RunError } {
    const logger = this.deps.logger;
    const run: TurnRunDeps & { lastError?: RunError } = {
      llm: this.deps.llm,
      prompts: this.deps.prompts,
      context: target.context,
      language: target.language,
      options: this.options,
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
          logger.warn(`analysis sink ${method} failed: ${describe(error)}`);
        }
      },
      reportError(answer, code, message, retryable) {
        run.lastError = { code, message, retryable };
        run.deliver('analysisError', { sessionId: answer.sessionId, turnId: answer.turnId, code, message, retryable });
      },
    };
    return run;
  }

  /** Records how a part ended; a cancelled call (stale, replaced, shutdown) already moved the state on. */
  private finish(job: Job, part: Part, record: TurnRecord, controller: AbortController, error: RunError | undefined): void {
    if (part === 'followUps') {
      if (job.followUpCall === controller) job.followUpCall = undefined;
      if (!controller.signal.aborted) job.followUps = record.followUps === 'failed' ? 'failed' : 'done';
      return;
    }
    if (job.scoreCall === controller) job.scoreCall = undefined;
    // Replaced (a newer job for the answer is queued) or shutdown (stays 'running' in storage for the next start).
    if (controller.signal.aborted) return;
    if (record.score === 'done') {
      job.score = 'done';
      this.counters.scored++;
      this.persist(`marking ${job.answerId} done`, (store) => store.setJobState(job.interviewId, job.answerId, 'done'));
    } else {
      const state: AnalysisJobState = error?.retryable === false ? 'failed-terminal' : 'failed-retryable';
      job.score = state;
      this.counters.failed++;
      const stored = error ?? { code: 'internal', message: 'scoring failed' };
      this.persist(`marking ${job.answerId} failed`, (store) => store.setJobState(job.interviewId, job.answerId, state, { code: stored.code, message: stored.message }));
    }
    this.reportProgress(job.interviewId);
  }
}
