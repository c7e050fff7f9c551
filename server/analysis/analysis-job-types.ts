/** The contract of the process's analysis jobs (analysis-jobs.ts): what they are built from and what they offer. */
import type { Ack, AnalysisProgress, Language, SessionContext } from '../../protocol/schemas.ts';
import type { LlmProvider } from '../llm/provider.ts';
import type { Logger } from '../logger.ts';
import type { PromptLibrary } from '../prompts.ts';
import type { AnalysisJobInput, AnalysisJobRows } from '../store/analysis-job-rows.ts';
import type { AnalysisSink, AnswerAnalyzerOptions } from './answer-analyzer.ts';

/** Where one interview's results go: its live session's event stream, or storage and its room after the session is gone. */
export interface JobSink extends AnalysisSink {
  /** Where scoring of the interview stands, after each change. */
  progress(progress: AnalysisProgress): void;
}

/** What an interview's jobs run with. */
export interface JobTarget {
  context: SessionContext;
  /** The session's language ('auto' picks per answer). */
  language: Language;
  sink: JobSink;
  /** 'fresh': live follow-ups (stale ones cancelled, none after the stop); 'all': every answer gets them (a recording). */
  followUps: 'fresh' | 'all';
}

/** What the jobs are built from. */
export interface AnalysisJobsDeps {
  llm: LlmProvider;
  prompts: PromptLibrary;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Stored jobs; without storage jobs live in this process only. */
  store?: AnalysisJobRows | undefined;
  /** The target of an interview with no session in this process (recovered or retried after a restart): storage and its room. */
  storedTarget?: ((interviewId: string) => JobTarget | undefined) | undefined;
  /** LLM calls in flight at most, over every interview (1 for a model that serves one call at a time). */
  maxConcurrentCalls: number;
  options?: Partial<AnswerAnalyzerOptions> | undefined;
}

/** An answer handed to the jobs (what `answer-final` carries, with the conversation before it). */
export interface AnswerJob {
  interviewId: string;
  /** The answer's id: its first candidate turn. */
  answerId: string;
  /** Every candidate turn of the answer (default: just `answerId`). */
  turnIds?: string[] | undefined;
  input: AnalysisJobInput;
}

/** Counters since start, for logs and the bench. */
export interface AnalysisJobStats {
  /** LLM calls started (one per follow-up or score run). */
  callsStarted: number;
  /** Follow-ups cancelled because the interviewer moved on: before their call started, and while it ran. */
  staleBeforeCall: number;
  staleDuringCall: number;
  scored: number;
  failed: number;
  /** Most calls that were in flight at once. */
  maxInFlight: number;
  inFlight: number;
}

/** The process's analysis jobs. */
export interface AnalysisJobs {
  /** Routes an interview's results to a live session (its event stream) from now on. */
  attach(interviewId: string, target: JobTarget): void;
  /**
   * Queues the scoring (and, while fresh, follow-ups) of a complete answer; replaces the answer's earlier job (a regrouped
   * or relabelled answer starts over, its running calls cancelled). The re-analysis entry point: call it for every
   * answer whose turns changed, and `remove` for answer ids that no longer exist.
   */
  enqueue(job: AnswerJob): void;
  /** An open answer grew: refresh its follow-ups (never scored, never stored); older follow-ups become stale. */
  refreshFollowUps(job: AnswerJob): void;
  /** The interviewer spoke (a turn starting at `atMs`): follow-ups of answers that ended before are stale. */
  interviewerTurn(interviewId: string, atMs: number): void;
  /** The live session stopped: its follow-ups are cancelled (if fresh-only); scoring goes on. */
  sessionEnded(interviewId: string): void;
  /** Forgets an answer's job (cancelling its calls); false when there was none. */
  remove(interviewId: string, answerId: string): boolean;
  /** Scores an answer again (and its failed follow-ups while live): during the session, after the stop, after a restart. */
  retry(interviewId: string, answerId: string): Ack<{ turnId: string }>;
  /** Scored, waiting and failed answers of an interview. */
  progress(interviewId: string): AnalysisProgress;
  /** At start-up: queues the jobs a stopped or crashed process left queued or running. Returns how many. */
  resumeStored(): number;
  /** Resolves once no job of the interview (of any, without one) is queued or running. */
  idle(interviewId?: string): Promise<void>;
  stats(): AnalysisJobStats;
  /** Cancels every call (server shutdown); stored jobs stay queued for the next start. */
  close(): Promise<void>;
}
