import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { z } from 'zod';
import { SAMPLE_RATE } from '../../protocol/audio.ts';
import {
  AnswerScore,
  FollowUpSuggestion,
  TranscriptSegment,
  type Channel,
  type Language,
} from '../../protocol/schemas.ts';
import {
  Consent,
  InterviewContext,
  type AnalysisFailure,
  type ChannelProgress,
  type Interview,
  type InterviewDetail,
  type InterviewList,
  type InterviewMode,
  type InterviewStatus,
  type InterviewSummary,
  type StoredSuggestions,
  type TurnDetail,
} from '../../protocol/interviews.ts';
import { encodeMonoWav } from '../media/wav-writer.ts';
import { TEMP_SUFFIX, writeFileAtomic } from './atomic-file.ts';
import { migrate } from './migrations.ts';
import { safeFileName } from './paths.ts';

/** Why a repository call was refused. */
export type RepositoryErrorCode = 'unknown-interview' | 'unknown-turn' | 'corrupt-data' | 'invalid-input';

/** A refused repository call; `code` says why. */
export class RepositoryError extends Error {
  override name = 'RepositoryError';
  constructor(
    readonly code: RepositoryErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Options of `createRepository`. */
export interface RepositoryOptions {
  /** Where turn audio goes; defaults to `audio/` beside the database file. Required for ':memory:'. */
  audioDir?: string;
  /** Clock in ms since epoch (tests inject one). */
  now?: () => number;
  /**
   * SQLite `synchronous` in WAL mode. 'normal' (default): a commit survives a crash of the process, the last commits can
   * be lost on a power cut; 'full': an fsync per commit, survives power cuts too.
   */
  synchronous?: 'normal' | 'full';
}

/** What `createInterview` needs; everything but language and mode is optional. */
export interface NewInterview {
  /** Defaults to a random UUID; the live pipeline passes its session id. */
  id?: string;
  title?: string | null;
  role?: string | null;
  jobDescription?: string | null;
  resume?: string | null;
  candidateName?: string | null;
  language: Language;
  mode: InterviewMode;
  context?: InterviewContext;
  /** Defaults to 'live'. */
  status?: InterviewStatus;
  audioRetentionDays?: number | null;
  transcriptRetentionDays?: number | null;
  consent?: Consent | null;
}

/** Fields `updateInterview` may change. */
export type InterviewPatch = Partial<
  Pick<
    Interview,
    | 'title'
    | 'role'
    | 'candidateName'
    | 'jobDescription'
    | 'resume'
    | 'context'
    | 'audioRetentionDays'
    | 'transcriptRetentionDays'
    | 'consent'
  >
>;

/** A final transcript turn to store (a `TranscriptEvent` without its session id fits). */
export interface TurnInput {
  turnId: string;
  channel: Channel;
  text: string;
  startMs: number;
  endMs: number;
  language?: string | null;
  segments?: TranscriptSegment[];
}

/** Where a channel resumes; the same shape as the session's `ChannelResumePoint`. */
export interface ChannelResume {
  nextSeq: number;
  samplesReceived: number;
}

/** What one retention run deleted. */
export interface RetentionResult {
  /** Interviews whose audio was deleted. */
  audioPurged: string[];
  /** Interviews whose transcript, analyses and audio were deleted. */
  transcriptsPurged: string[];
  /** Audio folders of interviews that no longer exist. */
  orphanFoldersRemoved: number;
  /** Temp files left by writes that a crash interrupted. */
  tempFilesRemoved: number;
}

/** Stored interviews: SQLite rows plus per-turn WAV files. Database calls are synchronous and commit at once. */
export interface InterviewRepository {
  /** Root of the per-interview audio folders. */
  readonly audioDir: string;
  /** Stores a new interview; throws if the id exists. */
  createInterview(input: NewInterview): Interview;
  getInterview(id: string): Interview | null;
  /** Newest first, with counts. `limit` 1-100 (default 20). */
  listInterviews(options?: { limit?: number; offset?: number; status?: InterviewStatus }): InterviewList;
  /** Changes labels, context, retention or consent; null if the interview does not exist. */
  updateInterview(id: string, patch: InterviewPatch): Interview | null;
  /**
   * Sets the status (and its reason); any status but live/processing also sets `endedAtMs` if unset. `recordingJobId`
   * marks the interview as owned by an upload job (cleared by any later status change).
   */
  updateInterviewStatus(
    id: string,
    status: InterviewStatus,
    options?: { message?: string | null; recordingJobId?: string | null },
  ): Interview | null;
  /** Records where a channel's stream stands (upsert); call it as often as progress matters, each call commits. */
  saveChannelProgress(interviewId: string, channel: Channel, nextSeq: number, samplesReceived: number): void;
  /** Where each channel resumes after a restart (the session's `resumeFrom`). */
  getChannelProgress(interviewId: string): Partial<Record<Channel, ChannelResume>>;
  /** Stores a final turn; idempotent by turn id (a replayed final updates the row, keeps its analyses). */
  saveTurn(interviewId: string, turn: TurnInput): void;
  /** Writes the turn's audio as `<audioDir>/<interview>/<turn>.wav` (PCM16) atomically and links it to the turn. */
  saveTurnAudio(
    interviewId: string,
    turnId: string,
    samples: Float32Array | Int16Array,
    options?: { sampleRate?: number; signal?: AbortSignal },
  ): Promise<{ path: string; bytes: number; durationMs: number }>;
  /** Absolute path of a turn's WAV, or null when none is kept. */
  getTurnAudioPath(interviewId: string, turnId: string): string | null;
  /** Stores the follow-up suggestions of a turn (replaces earlier ones). */
  saveSuggestions(
    interviewId: string,
    turnId: string,
    input: { suggestions: FollowUpSuggestion[]; model: string; promptVersion: string },
  ): void;
  /** Stores the validated score of a turn (replaces an earlier one). */
  saveScore(interviewId: string, turnId: string, score: AnswerScore): void;
  /** Records that analysing a turn failed (replaces an earlier failure). */
  saveAnalysisFailure(interviewId: string, turnId: string, failure: { code: string; message: string; retryable: boolean }): void;
  /** Forgets a turn's failure once a retry succeeded; true if there was one. */
  clearAnalysisFailure(interviewId: string, turnId: string): boolean;
  /** The interview with its channels and turns in time order, each with suggestions, score and failure. */
  getInterviewDetail(id: string): InterviewDetail | null;
  /** Deletes every turn (with analyses and audio) of an interview, keeping the interview; returns turns deleted. */
  deleteTranscript(interviewId: string): Promise<number>;
  /** Deletes the interview, its rows and its audio folder; false if it did not exist. */
  deleteInterview(id: string): Promise<boolean>;
  /** Deletes audio / transcripts past each interview's retention, orphan folders and stale temp files. */
  applyRetention(nowMs?: number): Promise<RetentionResult>;
  /**
   * At start-up: interviews whose upload job died with the previous process become 'failed' with `message` and lose
   * their partial turns (the rows change before the first await; audio folders go after). Returns their ids.
   */
  recoverInterruptedProcessing(message: string): Promise<string[]>;
  close(): void;
}

const DAY_MS = 86_400_000;
const TEMP_FILE_MAX_AGE_MS = 3_600_000;

interface InterviewRow {
  id: string;
  title: string | null;
  role: string | null;
  job_description: string | null;
  resume: string | null;
  candidate_name: string | null;
  language: Language;
  mode: InterviewMode;
  context: string;
  status: InterviewStatus;
  status_message: string | null;
  created_at: number;
  updated_at: number;
  ended_at: number | null;
  audio_retention_days: number | null;
  transcript_retention_days: number | null;
  consent: string | null;
  audio_purged_at: number | null;
  transcript_purged_at: number | null;
}

interface SummaryRow
  extends Pick<
    InterviewRow,
    | 'id'
    | 'title'
    | 'role'
    | 'candidate_name'
    | 'language'
    | 'mode'
    | 'status'
    | 'status_message'
    | 'created_at'
    | 'updated_at'
    | 'ended_at'
  > {
  turn_count: number;
  answer_count: number;
  scored_count: number;
  failed_count: number;
  last_end_ms: number | null;
}

interface TurnRow {
  id: string;
  channel: Channel;
  start_ms: number;
  end_ms: number;
  text: string;
  language: string | null;
  segments: string;
  audio_path: string | null;
  created_at: number;
}

/** Parses stored JSON with its schema; a row that fails is reported with where it came from. */
function parseStored<T>(schema: z.ZodType<T>, text: string, where: string): { ok: true; value: T } | { ok: false; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${where}: stored JSON is unreadable (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, message: `${where}: stored JSON does not match its schema (${parsed.error.issues[0]?.message})` };
  return { ok: true, value: parsed.data };
}

function parseStoredOrThrow<T>(schema: z.ZodType<T>, text: string, where: string): T {
  const result = parseStored(schema, text, where);
  if (!result.ok) throw new RepositoryError('corrupt-data', result.message);
  return result.value;
}

function isForeignKeyError(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/**
 * Opens (creating if needed) the SQLite database at `dbPath`, applies pending migrations in a transaction, and returns
 * the repository. WAL mode: readers never block the writer, and each small commit is an append to the WAL.
 */
export function createRepository(dbPath: string, options: RepositoryOptions = {}): InterviewRepository {
  const inMemory = dbPath === ':memory:';
  if (inMemory && !options.audioDir) throw new Error('createRepository(":memory:") needs options.audioDir');
  const audioDir = path.resolve(options.audioDir ?? path.join(path.dirname(dbPath), 'audio'));
  const now = options.now ?? Date.now;
  if (!inMemory) mkdirSync(path.dirname(path.resolve(dbPath)), { recursive: true });
  mkdirSync(audioDir, { recursive: true });

  const db = new Database(dbPath);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // Another process (a CLI next to the server) may hold the write lock for a moment: wait instead of failing.
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const statements = {
    insertInterview: db.prepare(`
      INSERT INTO interviews (id, title, role, job_description, resume, candidate_name, language, mode, context, status,
        created_at, updated_at, audio_retention_days, transcript_retention_days, consent)
      VALUES (@id, @title, @role, @job_description, @resume, @candidate_name, @language, @mode, @context, @status,
        @now, @now, @audio_retention_days, @transcript_retention_days, @consent)`),
    getInterview: db.prepare('SELECT * FROM interviews WHERE id = ?'),
    countInterviews: db.prepare('SELECT COUNT(*) AS n FROM interviews WHERE (@status IS NULL OR status = @status)'),
    listInterviews: db.prepare(`
      SELECT i.id, i.title, i.role, i.candidate_name, i.language, i.mode, i.status, i.status_message, i.created_at,
        i.updated_at, i.ended_at,
        (SELECT COUNT(*) FROM turns t WHERE t.interview_id = i.id) AS turn_count,
        (SELECT COUNT(*) FROM turns t WHERE t.interview_id = i.id AND t.channel = 'candidate') AS answer_count,
        (SELECT COUNT(*) FROM scores s WHERE s.interview_id = i.id AND s.label = 'answer') AS scored_count,
        (SELECT COUNT(*) FROM analysis_failures f WHERE f.interview_id = i.id) AS failed_count,
        (SELECT MAX(t.end_ms) FROM turns t WHERE t.interview_id = i.id) AS last_end_ms
      FROM interviews i
      WHERE (@status IS NULL OR i.status = @status)
      ORDER BY i.created_at DESC, i.id DESC
      LIMIT @limit OFFSET @offset`),
    updateStatus: db.prepare(`
      UPDATE interviews SET status = @status, status_message = @message, updated_at = @now, recording_job_id = @job,
        ended_at = CASE WHEN @status IN ('live', 'processing') THEN ended_at ELSE COALESCE(ended_at, @now) END
      WHERE id = @id`),
    touchInterview: db.prepare('UPDATE interviews SET updated_at = ? WHERE id = ?'),
    upsertChannel: db.prepare(`
      INSERT INTO channels (interview_id, channel, next_seq, samples_received, updated_at)
      VALUES (@interview_id, @channel, @next_seq, @samples_received, @now)
      ON CONFLICT (interview_id, channel) DO UPDATE SET
        next_seq = excluded.next_seq, samples_received = excluded.samples_received, updated_at = excluded.updated_at`),
    getChannels: db.prepare('SELECT channel, next_seq, samples_received, updated_at FROM channels WHERE interview_id = ? ORDER BY channel DESC'),
    // An UPSERT, not INSERT OR REPLACE: REPLACE deletes the old row first, and the cascade would take its analyses along.
    upsertTurn: db.prepare(`
      INSERT INTO turns (interview_id, id, channel, start_ms, end_ms, text, language, segments, audio_path, created_at, updated_at)
      VALUES (@interview_id, @id, @channel, @start_ms, @end_ms, @text, @language, @segments, @audio_path, @now, @now)
      ON CONFLICT (interview_id, id) DO UPDATE SET
        channel = excluded.channel, start_ms = excluded.start_ms, end_ms = excluded.end_ms, text = excluded.text,
        language = excluded.language, segments = excluded.segments,
        audio_path = COALESCE(excluded.audio_path, turns.audio_path), updated_at = excluded.updated_at`),
    setTurnAudio: db.prepare('UPDATE turns SET audio_path = ? WHERE interview_id = ? AND id = ?'),
    getTurnAudio: db.prepare('SELECT audio_path FROM turns WHERE interview_id = ? AND id = ?'),
    getTurns: db.prepare(`
      SELECT id, channel, start_ms, end_ms, text, language, segments, audio_path, created_at FROM turns
      WHERE interview_id = ? ORDER BY start_ms, end_ms, channel DESC, id`),
    upsertSuggestions: db.prepare(`
      INSERT INTO suggestions (interview_id, turn_id, suggestions, model, prompt_version, created_at)
      VALUES (@interview_id, @turn_id, @suggestions, @model, @prompt_version, @now)
      ON CONFLICT (interview_id, turn_id) DO UPDATE SET suggestions = excluded.suggestions, model = excluded.model,
        prompt_version = excluded.prompt_version, created_at = excluded.created_at`),
    getSuggestions: db.prepare('SELECT turn_id, suggestions, model, prompt_version, created_at FROM suggestions WHERE interview_id = ?'),
    upsertScore: db.prepare(`
      INSERT INTO scores (interview_id, turn_id, label, overall, score, created_at)
      VALUES (@interview_id, @turn_id, @label, @overall, @score, @now)
      ON CONFLICT (interview_id, turn_id) DO UPDATE SET label = excluded.label, overall = excluded.overall,
        score = excluded.score, created_at = excluded.created_at`),
    getScores: db.prepare('SELECT turn_id, score FROM scores WHERE interview_id = ?'),
    upsertFailure: db.prepare(`
      INSERT INTO analysis_failures (interview_id, turn_id, code, message, retryable, at)
      VALUES (@interview_id, @turn_id, @code, @message, @retryable, @now)
      ON CONFLICT (interview_id, turn_id) DO UPDATE SET code = excluded.code, message = excluded.message,
        retryable = excluded.retryable, at = excluded.at`),
    deleteFailure: db.prepare('DELETE FROM analysis_failures WHERE interview_id = ? AND turn_id = ?'),
    getFailures: db.prepare('SELECT turn_id, code, message, retryable, at FROM analysis_failures WHERE interview_id = ?'),
    deleteTurns: db.prepare('DELETE FROM turns WHERE interview_id = ?'),
    deleteInterview: db.prepare('DELETE FROM interviews WHERE id = ?'),
    allIds: db.prepare('SELECT id FROM interviews'),
    dueForAudioPurge: db.prepare(`
      SELECT id FROM interviews
      WHERE audio_retention_days IS NOT NULL AND audio_purged_at IS NULL AND status NOT IN ('live', 'processing')
        AND COALESCE(ended_at, updated_at) + audio_retention_days * ${DAY_MS} <= @now`),
    dueForTranscriptPurge: db.prepare(`
      SELECT id FROM interviews
      WHERE transcript_retention_days IS NOT NULL AND transcript_purged_at IS NULL AND status NOT IN ('live', 'processing')
        AND COALESCE(ended_at, updated_at) + transcript_retention_days * ${DAY_MS} <= @now`),
    markAudioPurged: db.prepare('UPDATE interviews SET audio_purged_at = @now WHERE id = @id'),
    markTranscriptPurged: db.prepare(
      'UPDATE interviews SET transcript_purged_at = @now, audio_purged_at = COALESCE(audio_purged_at, @now) WHERE id = @id',
    ),
    clearAudioPaths: db.prepare('UPDATE turns SET audio_path = NULL WHERE interview_id = ?'),
    interruptedJobs: db.prepare('SELECT id FROM interviews WHERE recording_job_id IS NOT NULL'),
  };

  const interviewFolder = (interviewId: string): string => path.join(audioDir, safeFileName(interviewId));
  const relativeAudioPath = (interviewId: string, turnId: string): string =>
    path.join(safeFileName(interviewId), `${safeFileName(turnId)}.wav`);

  function toInterview(row: InterviewRow): Interview {
    const where = `interview ${row.id}`;
    return {
      id: row.id,
      title: row.title,
      role: row.role,
      jobDescription: row.job_description,
      resume: row.resume,
      candidateName: row.candidate_name,
      language: row.language,
      mode: row.mode,
      context: parseStoredOrThrow(InterviewContext, row.context, `${where} context`),
      status: row.status,
      statusMessage: row.status_message,
      createdAtMs: row.created_at,
      updatedAtMs: row.updated_at,
      endedAtMs: row.ended_at,
      audioRetentionDays: row.audio_retention_days,
      transcriptRetentionDays: row.transcript_retention_days,
      consent: row.consent === null ? null : parseStoredOrThrow(Consent, row.consent, `${where} consent`),
      audioPurgedAtMs: row.audio_purged_at,
      transcriptPurgedAtMs: row.transcript_purged_at,
    };
  }

  function getInterview(id: string): Interview | null {
    const row = statements.getInterview.get(id) as InterviewRow | undefined;
    return row ? toInterview(row) : null;
  }

  function requireTurn<T>(interviewId: string, turnId: string, write: () => T): T {
    try {
      return write();
    } catch (error) {
      if (isForeignKeyError(error)) {
        throw new RepositoryError('unknown-turn', `no turn ${turnId} in interview ${interviewId}: save the turn first`);
      }
      throw error;
    }
  }

  async function removeAudioFolder(interviewId: string): Promise<void> {
    await rm(interviewFolder(interviewId), { recursive: true, force: true });
  }

  const repository: InterviewRepository = {
    audioDir,

    createInterview(input) {
      const id = input.id ?? randomUUID();
      const context = InterviewContext.parse(input.context ?? {});
      const consent = input.consent == null ? null : Consent.parse(input.consent);
      statements.insertInterview.run({
        id,
        title: input.title ?? null,
        role: input.role ?? null,
        job_description: input.jobDescription ?? null,
        resume: input.resume ?? null,
        candidate_name: input.candidateName ?? null,
        language: input.language,
        mode: input.mode,
        context: JSON.stringify(context),
        status: input.status ?? 'live',
        now: now(),
        audio_retention_days: input.audioRetentionDays ?? null,
        transcript_retention_days: input.transcriptRetentionDays ?? null,
        consent: consent === null ? null : JSON.stringify(consent),
      });
      const created = getInterview(id);
      if (!created) throw new Error(`interview ${id} vanished right after insert`);
      return created;
    },

    getInterview,

    listInterviews(options = {}) {
      const limit = Math.min(100, Math.max(1, Math.trunc(options.limit ?? 20)));
      const offset = Math.max(0, Math.trunc(options.offset ?? 0));
      const status = options.status ?? null;
      const rows = statements.listInterviews.all({ status, limit, offset }) as SummaryRow[];
      const total = (statements.countInterviews.get({ status }) as { n: number }).n;
      const items: InterviewSummary[] = rows.map((row) => ({
        id: row.id,
        title: row.title,
        role: row.role,
        candidateName: row.candidate_name,
        language: row.language,
        mode: row.mode,
        status: row.status,
        statusMessage: row.status_message,
        createdAtMs: row.created_at,
        updatedAtMs: row.updated_at,
        endedAtMs: row.ended_at,
        counts: { turns: row.turn_count, answers: row.answer_count, scored: row.scored_count, failed: row.failed_count },
        durationMs: row.last_end_ms ?? 0,
      }));
      return { items, total, limit, offset };
    },

    updateInterview(id, patch) {
      const columns: Record<string, unknown> = {};
      if (patch.title !== undefined) columns.title = patch.title;
      if (patch.role !== undefined) columns.role = patch.role;
      if (patch.candidateName !== undefined) columns.candidate_name = patch.candidateName;
      if (patch.jobDescription !== undefined) columns.job_description = patch.jobDescription;
      if (patch.resume !== undefined) columns.resume = patch.resume;
      if (patch.context !== undefined) columns.context = JSON.stringify(InterviewContext.parse(patch.context));
      if (patch.audioRetentionDays !== undefined) columns.audio_retention_days = patch.audioRetentionDays;
      if (patch.transcriptRetentionDays !== undefined) columns.transcript_retention_days = patch.transcriptRetentionDays;
      if (patch.consent !== undefined) columns.consent = patch.consent === null ? null : JSON.stringify(Consent.parse(patch.consent));
      const names = Object.keys(columns);
      // Column names come from the fixed list above, never from the caller.
      const sets = [...names.map((name) => `${name} = @${name}`), 'updated_at = @updated_at'].join(', ');
      const result = db.prepare(`UPDATE interviews SET ${sets} WHERE id = @id`).run({ ...columns, updated_at: now(), id });
      return result.changes === 0 ? null : getInterview(id);
    },

    updateInterviewStatus(id, status, options = {}) {
      const result = statements.updateStatus.run({
        id,
        status,
        message: options.message ?? null,
        job: options.recordingJobId ?? null,
        now: now(),
      });
      return result.changes === 0 ? null : getInterview(id);
    },

    saveChannelProgress(interviewId, channel, nextSeq, samplesReceived) {
      try {
        statements.upsertChannel.run({
          interview_id: interviewId,
          channel,
          next_seq: nextSeq,
          samples_received: samplesReceived,
          now: now(),
        });
      } catch (error) {
        if (isForeignKeyError(error)) throw new RepositoryError('unknown-interview', `no interview ${interviewId}`);
        throw error;
      }
    },

    getChannelProgress(interviewId) {
      const rows = statements.getChannels.all(interviewId) as { channel: Channel; next_seq: number; samples_received: number }[];
      const progress: Partial<Record<Channel, ChannelResume>> = {};
      for (const row of rows) progress[row.channel] = { nextSeq: row.next_seq, samplesReceived: row.samples_received };
      return progress;
    },

    saveTurn(interviewId, turn) {
      const segments = TranscriptSegment.array().parse(turn.segments ?? []);
      const relative = relativeAudioPath(interviewId, turn.turnId);
      // The audio may have been written before the final transcript: link it if it is there.
      const audioPath = isFile(path.join(audioDir, relative)) ? relative : null;
      const at = now();
      try {
        db.transaction(() => {
          statements.upsertTurn.run({
            interview_id: interviewId,
            id: turn.turnId,
            channel: turn.channel,
            start_ms: turn.startMs,
            end_ms: turn.endMs,
            text: turn.text,
            language: turn.language ?? null,
            segments: JSON.stringify(segments),
            audio_path: audioPath,
            now: at,
          });
          statements.touchInterview.run(at, interviewId);
        })();
      } catch (error) {
        if (isForeignKeyError(error)) throw new RepositoryError('unknown-interview', `no interview ${interviewId}`);
        throw error;
      }
    },

    async saveTurnAudio(interviewId, turnId, samples, options = {}) {
      const sampleRate = options.sampleRate ?? SAMPLE_RATE;
      if (!getInterview(interviewId)) throw new RepositoryError('unknown-interview', `no interview ${interviewId}`);
      const relative = relativeAudioPath(interviewId, turnId);
      const target = path.join(audioDir, relative);
      const bytes = encodeMonoWav(samples, sampleRate);
      await writeFileAtomic(target, bytes, { signal: options.signal });
      statements.setTurnAudio.run(relative, interviewId, turnId);
      return { path: target, bytes: bytes.byteLength, durationMs: (samples.length * 1000) / sampleRate };
    },

    getTurnAudioPath(interviewId, turnId) {
      const row = statements.getTurnAudio.get(interviewId, turnId) as { audio_path: string | null } | undefined;
      return row?.audio_path ? path.join(audioDir, row.audio_path) : null;
    },

    saveSuggestions(interviewId, turnId, input) {
      const suggestions = FollowUpSuggestion.array().parse(input.suggestions);
      requireTurn(interviewId, turnId, () =>
        statements.upsertSuggestions.run({
          interview_id: interviewId,
          turn_id: turnId,
          suggestions: JSON.stringify(suggestions),
          model: input.model,
          prompt_version: input.promptVersion,
          now: now(),
        }),
      );
    },

    saveScore(interviewId, turnId, score) {
      const valid = AnswerScore.parse(score);
      requireTurn(interviewId, turnId, () =>
        statements.upsertScore.run({
          interview_id: interviewId,
          turn_id: turnId,
          label: valid.label,
          overall: valid.overall,
          score: JSON.stringify(valid),
          now: now(),
        }),
      );
    },

    saveAnalysisFailure(interviewId, turnId, failure) {
      requireTurn(interviewId, turnId, () =>
        statements.upsertFailure.run({
          interview_id: interviewId,
          turn_id: turnId,
          code: failure.code,
          message: failure.message,
          retryable: failure.retryable ? 1 : 0,
          now: now(),
        }),
      );
    },

    clearAnalysisFailure(interviewId, turnId) {
      return statements.deleteFailure.run(interviewId, turnId).changes > 0;
    },

    getInterviewDetail(id) {
      // One read transaction: the four reads see the same snapshot even while the pipeline writes.
      return db.transaction((): InterviewDetail | null => {
        const interview = getInterview(id);
        if (!interview) return null;
        const channels: ChannelProgress[] = (
          statements.getChannels.all(id) as { channel: Channel; next_seq: number; samples_received: number; updated_at: number }[]
        ).map((row) => ({ channel: row.channel, nextSeq: row.next_seq, samplesReceived: row.samples_received, updatedAtMs: row.updated_at }));

        const suggestions = new Map<string, StoredSuggestions>();
        const scores = new Map<string, AnswerScore>();
        const failures = new Map<string, AnalysisFailure>();
        for (const row of statements.getSuggestions.all(id) as {
          turn_id: string;
          suggestions: string;
          model: string;
          prompt_version: string;
          created_at: number;
        }[]) {
          const parsed = parseStored(FollowUpSuggestion.array(), row.suggestions, `suggestions of turn ${row.turn_id}`);
          if (parsed.ok) {
            suggestions.set(row.turn_id, { suggestions: parsed.value, model: row.model, promptVersion: row.prompt_version, createdAtMs: row.created_at });
          }
        }
        for (const row of statements.getFailures.all(id) as { turn_id: string; code: string; message: string; retryable: number; at: number }[]) {
          failures.set(row.turn_id, { code: row.code, message: row.message, retryable: row.retryable === 1, atMs: row.at });
        }
        for (const row of statements.getScores.all(id) as { turn_id: string; score: string }[]) {
          const parsed = parseStored(AnswerScore, row.score, `score of turn ${row.turn_id}`);
          if (parsed.ok) scores.set(row.turn_id, parsed.value);
          // An unreadable score is shown as a failed analysis rather than hiding the whole interview.
          else if (!failures.has(row.turn_id)) failures.set(row.turn_id, { code: 'internal', message: parsed.message, retryable: true, atMs: now() });
        }

        const turns: TurnDetail[] = (statements.getTurns.all(id) as TurnRow[]).map((row) => {
          const segments = parseStored(TranscriptSegment.array(), row.segments, `segments of turn ${row.id}`);
          return {
            turnId: row.id,
            channel: row.channel,
            startMs: row.start_ms,
            endMs: row.end_ms,
            text: row.text,
            language: row.language,
            segments: segments.ok ? segments.value : [],
            hasAudio: row.audio_path !== null,
            createdAtMs: row.created_at,
            suggestions: suggestions.get(row.id) ?? null,
            score: scores.get(row.id) ?? null,
            failure: failures.get(row.id) ?? null,
          };
        });
        return { interview, channels, turns };
      })();
    },

    async deleteTranscript(interviewId) {
      const deleted = statements.deleteTurns.run(interviewId).changes;
      await removeAudioFolder(interviewId);
      return deleted;
    },

    async deleteInterview(id) {
      const deleted = statements.deleteInterview.run(id).changes > 0;
      // Rows first: if removing the folder fails, the orphan sweep of the next retention run finishes the job.
      await removeAudioFolder(id);
      return deleted;
    },

    async applyRetention(nowMs = now()) {
      const result: RetentionResult = { audioPurged: [], transcriptsPurged: [], orphanFoldersRemoved: 0, tempFilesRemoved: 0 };
      for (const { id } of statements.dueForTranscriptPurge.all({ now: nowMs }) as { id: string }[]) {
        db.transaction(() => {
          statements.deleteTurns.run(id);
          statements.markTranscriptPurged.run({ id, now: nowMs });
        })();
        await removeAudioFolder(id);
        result.transcriptsPurged.push(id);
      }
      for (const { id } of statements.dueForAudioPurge.all({ now: nowMs }) as { id: string }[]) {
        db.transaction(() => {
          statements.clearAudioPaths.run(id);
          statements.markAudioPurged.run({ id, now: nowMs });
        })();
        await removeAudioFolder(id);
        result.audioPurged.push(id);
      }

      const known = new Set((statements.allIds.all() as { id: string }[]).map((row) => safeFileName(row.id)));
      for (const entry of await readdir(audioDir, { withFileTypes: true })) {
        const folder = path.join(audioDir, entry.name);
        if (!known.has(entry.name)) {
          await rm(folder, { recursive: true, force: true });
          result.orphanFoldersRemoved++;
          continue;
        }
        if (!entry.isDirectory()) continue;
        for (const file of await readdir(folder)) {
          if (!file.includes(TEMP_SUFFIX)) continue;
          const filePath = path.join(folder, file);
          const info = await stat(filePath).catch(() => null);
          // A young temp file may be a write in progress right now.
          if (info && nowMs - info.mtimeMs > TEMP_FILE_MAX_AGE_MS) {
            await unlink(filePath).catch(() => undefined);
            result.tempFilesRemoved++;
          }
        }
      }
      return result;
    },

    async recoverInterruptedProcessing(message) {
      const ids = db.transaction(() => {
        const found = (statements.interruptedJobs.all() as { id: string }[]).map((row) => row.id);
        for (const id of found) {
          statements.deleteTurns.run(id);
          repository.updateInterviewStatus(id, 'failed', { message });
        }
        return found;
      })();
      for (const id of ids) await removeAudioFolder(id);
      return ids;
    },

    close() {
      db.close();
    },
  };
  return repository;
}

function isFile(filePath: string): boolean {
  try {
    return statSync(filePath).isFile();
  } catch {
    return false;
  }
}
