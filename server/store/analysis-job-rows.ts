/**
 * Durable analysis jobs: one row per answer (`answer_id` = the id of its first candidate turn) holding everything its
 * score needs (text, turn ids, question, history) and where it stands. Written when an `answer-final` arrives, updated as
 * the score lands or fails, read at start-up to pick up what a stopped or crashed process left queued or running. Rows
 * cascade with their answer's turn (a transcript purge or an interview delete takes them along).
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { Channel, TranscriptSegment } from '../../protocol/schemas.ts';
import { parseStored, withForeignKey } from './database.ts';
import { RepositoryError } from './repository-types.ts';

/** Where an answer's score stands. `failed-retryable`: a retry may help (timeout, busy); `failed-terminal`: it will not by itself. */
export const AnalysisJobState = z.enum(['queued', 'running', 'done', 'failed-retryable', 'failed-terminal']);
export type AnalysisJobState = z.infer<typeof AnalysisJobState>;

/** What a job analyses: the answer as `answer-final` carried it, with the conversation before it. */
export const AnalysisJobInput = z.object({
  text: z.string().max(100_000),
  startMs: z.number(),
  endMs: z.number(),
  segments: z.array(TranscriptSegment).max(5_000).default([]),
  /** The interviewer's last turn or the planned question being answered. */
  question: z.string().max(10_000).optional(),
  /** Earlier turns, oldest first; the analysis keeps only a recent window. */
  history: z.array(z.object({ channel: Channel, text: z.string().max(100_000) })).max(10_000).default([]),
  /** Language whisper used or detected for the answer ('en', 'zh', …). */
  language: z.string().max(16).optional(),
});
export type AnalysisJobInput = z.output<typeof AnalysisJobInput>;

/** One stored job. */
export interface AnalysisJobRecord {
  interviewId: string;
  /** The answer's id: its first candidate turn. */
  answerId: string;
  /** Every candidate turn of the answer, in order. */
  turnIds: string[];
  input: AnalysisJobInput;
  state: AnalysisJobState;
  /** Runs started (a run a restart interrupted counts). */
  attempts: number;
  error: { code: string; message: string } | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/** How many of an interview's answers are scored, waiting, or failed. */
export interface AnalysisProgress {
  total: number;
  done: number;
  /** Queued or running. */
  pending: number;
  failed: number;
}

/** The analysis-job calls of the repository. Synchronous; each commits at once. */
export interface AnalysisJobRows {
  /** Stores a job as queued (replacing the answer's earlier job: a regrouped or relabelled answer starts over). */
  putJob(job: Pick<AnalysisJobRecord, 'interviewId' | 'answerId' | 'turnIds' | 'input'>): AnalysisJobRecord;
  /** Moves a job to `state` (a `running` move counts an attempt); false when it no longer exists. */
  setJobState(interviewId: string, answerId: string, state: AnalysisJobState, error?: { code: string; message: string } | null): boolean;
  getJob(interviewId: string, answerId: string): AnalysisJobRecord | null;
  /** Jobs left queued or running (by a stopped or crashed process), oldest first. */
  unfinishedJobs(): AnalysisJobRecord[];
  /** An interview's jobs, oldest first. */
  jobsOf(interviewId: string): AnalysisJobRecord[];
  /** Forgets an answer's job (the answer no longer exists after a regroup); false when there was none. */
  deleteJob(interviewId: string, answerId: string): boolean;
  /** Per interview: scored, waiting and failed answers (only interviews with jobs are listed). */
  progressOf(interviewIds: readonly string[]): Map<string, AnalysisProgress>;
}

interface JobRow {
  interview_id: string;
  answer_id: string;
  turn_ids: string;
  input: string;
  state: AnalysisJobState;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  updated_at: number;
}

function toRecord(row: JobRow): AnalysisJobRecord | null {
  const where = `analysis job ${row.interview_id}/${row.answer_id}`;
  const input = parseStored(AnalysisJobInput, row.input, where);
  const turnIds = parseStored(z.array(z.string()), row.turn_ids, where);
  if (!input.ok || !turnIds.ok) return null;
  return {
    interviewId: row.interview_id,
    answerId: row.answer_id,
    turnIds: turnIds.value,
    input: input.value,
    state: row.state,
    attempts: row.attempts,
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    createdAtMs: row.created_at,
    updatedAtMs: row.updated_at,
  };
}

/** SQL of the `analysis_jobs` table. */
export function createAnalysisJobRows(db: Database.Database, now: () => number): AnalysisJobRows {
  const statements = {
    put: db.prepare(`
      INSERT INTO analysis_jobs (interview_id, answer_id, turn_ids, input, state, attempts, created_at, updated_at)
      VALUES (@interview_id, @answer_id, @turn_ids, @input, 'queued', 0, @now, @now)
      ON CONFLICT (interview_id, answer_id) DO UPDATE SET turn_ids = excluded.turn_ids, input = excluded.input,
        state = 'queued', attempts = 0, error_code = NULL, error_message = NULL, updated_at = excluded.updated_at`),
    setState: db.prepare(`
      UPDATE analysis_jobs SET state = @state, attempts = attempts + @attempt, error_code = @error_code,
        error_message = @error_message, updated_at = @now WHERE interview_id = @interview_id AND answer_id = @answer_id`),
    get: db.prepare('SELECT * FROM analysis_jobs WHERE interview_id = ? AND answer_id = ?'),
    unfinished: db.prepare(`SELECT * FROM analysis_jobs WHERE state IN ('queued', 'running') ORDER BY created_at, interview_id, answer_id`),
    of: db.prepare('SELECT * FROM analysis_jobs WHERE interview_id = ? ORDER BY created_at, answer_id'),
    delete: db.prepare('DELETE FROM analysis_jobs WHERE interview_id = ? AND answer_id = ?'),
    progress: db.prepare(`
      SELECT interview_id, COUNT(*) AS total, SUM(state = 'done') AS done, SUM(state IN ('queued', 'running')) AS pending,
        SUM(state IN ('failed-retryable', 'failed-terminal')) AS failed
      FROM analysis_jobs WHERE interview_id IN (SELECT value FROM json_each(?)) GROUP BY interview_id`),
  };
  const records = (rows: JobRow[]): AnalysisJobRecord[] => rows.map(toRecord).filter((record): record is AnalysisJobRecord => record !== null);
  const getJob = (interviewId: string, answerId: string): AnalysisJobRecord | null => {
    const row = statements.get.get(interviewId, answerId) as JobRow | undefined;
    return row ? toRecord(row) : null;
  };

  return {
    putJob(job) {
      const input = AnalysisJobInput.parse(job.input);
      const turnIds = job.turnIds.length > 0 ? job.turnIds : [job.answerId];
      withForeignKey(
        () =>
          statements.put.run({
            interview_id: job.interviewId,
            answer_id: job.answerId,
            turn_ids: JSON.stringify(turnIds),
            input: JSON.stringify(input),
            now: now(),
          }),
        () => new RepositoryError('unknown-turn', `no turn ${job.answerId} in interview ${job.interviewId}: save the turn first`),
      );
      const stored = getJob(job.interviewId, job.answerId);
      if (!stored) throw new RepositoryError('corrupt-data', `analysis job ${job.interviewId}/${job.answerId} could not be read back`);
      return stored;
    },
    setJobState(interviewId, answerId, state, error = null) {
      const result = statements.setState.run({
        interview_id: interviewId,
        answer_id: answerId,
        state,
        attempt: state === 'running' ? 1 : 0,
        error_code: error?.code ?? null,
        error_message: error?.message ?? null,
        now: now(),
      });
      return result.changes > 0;
    },
    getJob,
    unfinishedJobs: () => records(statements.unfinished.all() as JobRow[]),
    jobsOf: (interviewId) => records(statements.of.all(interviewId) as JobRow[]),
    deleteJob: (interviewId, answerId) => statements.delete.run(interviewId, answerId).changes > 0,
    progressOf(interviewIds) {
      const result = new Map<string, AnalysisProgress>();
      if (interviewIds.length === 0) return result;
      const rows = statements.progress.all(JSON.stringify(interviewIds)) as { interview_id: string; total: number; done: number; pending: number; failed: number }[];
      for (const row of rows) result.set(row.interview_id, { total: row.total, done: row.done, pending: row.pending, failed: row.failed });
      return result;
    },
  };
}
