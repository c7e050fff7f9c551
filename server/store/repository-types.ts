import type { AnswerScore, Channel, FollowUpSuggestion, Language, TranscriptSegment } from '../../protocol/schemas.ts';
import type Database from 'better-sqlite3';
import type {
  Consent,
  Interview,
  InterviewContext,
  InterviewDetail,
  InterviewList,
  InterviewMode,
  InterviewStatus,
} from '../../protocol/interviews.ts';
import type { AnalysisJobRows } from './analysis-job-rows.ts';
import type { ListOptions } from './interview-list.ts';
import type { StorageFailure, StorageHealth } from './storage-health.ts';
import type { TurnRole } from './answer-rows.ts';
import type { AudioFileWriter } from './turn-audio.ts';

export type { TurnRole } from './answer-rows.ts';

/** Why a repository call was refused. */
export type RepositoryErrorCode = 'unknown-interview' | 'unknown-turn' | 'corrupt-data' | 'invalid-input' | 'storage-failed';

/** A refused repository call; `code` says why. */
export class RepositoryError extends Error {
  override name = 'RepositoryError';
  constructor(
    readonly code: RepositoryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
  /** Runs on the open database before use (tests cap `max_page_count` to make SQLite report a full disk). */
  configureDatabase?: (db: Database.Database) => void;
  /** Writes a turn's WAV (default: atomically, see atomic-file.ts); tests inject one that fails like a full disk. */
  writeAudioFile?: AudioFileWriter;
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
  /** The user who created it (null: stored before accounts, or by the server itself; only admins see those). */
  ownerId?: string | null;
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
  /** Interviews a crash left 'live' (quiet for `staleLiveAfterMs`, no session in memory), now 'stopped'. */
  staleLiveStopped: string[];
}

/** Options of one retention run. */
export interface RetentionOptions {
  /**
   * True for interviews with a session in this process: never treated as left over by a crash. Without it, no 'live'
   * interview is stopped (the caller cannot tell a crashed session from a running one).
   */
  isActive?: (interviewId: string) => boolean;
  /** A 'live' interview without a write for this long and no session is stopped (default 24 h). */
  staleLiveAfterMs?: number;
}

/** Stored interviews: SQLite rows plus per-turn WAV files. Database calls are synchronous and commit at once. */
export interface InterviewRepository {
  /** Root of the per-interview audio folders. */
  readonly audioDir: string;
  /** Stores a new interview; throws if the id exists. */
  createInterview(input: NewInterview): Interview;
  getInterview(id: string): Interview | null;
  /** Newest first, with counts, filtered and searched (see interview-list.ts). `limit` 1-100 (default 20). */
  listInterviews(options?: ListOptions): InterviewList;
  /** Every non-empty role stored, sorted (the list's role filter); `visibleTo` as in `listInterviews`. */
  listRoles(visibleTo?: string): string[];
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
  /**
   * Records that `turnIds` (in order) make one answer, keyed by the first; the others lose analyses of their own. With
   * `rescore` the answer's old score and failure go, so it reads as not scored until the new score is stored.
   */
  setAnswer(interviewId: string, turnIds: string[], options: { rescore: boolean }): void;
  /** Sets who spoke a turn (an interviewer turn is in no answer and loses its analyses). Throws RepositoryError 'unknown-turn'. */
  setTurnRole(interviewId: string, turnId: string, role: TurnRole): void;
  /** Replaces a turn's text with a person's correction. Throws RepositoryError 'unknown-turn'. */
  correctTurnText(interviewId: string, turnId: string, text: string): void;
  /** The interview with its channels and turns in time order, each with suggestions, score and failure. */
  getInterviewDetail(id: string): InterviewDetail | null;
  /** Deletes every turn (with analyses and audio) of an interview, keeping the interview; returns turns deleted. */
  deleteTranscript(interviewId: string): Promise<number>;
  /** Deletes the interview, its rows and its audio folder; false if it did not exist. */
  deleteInterview(id: string): Promise<boolean>;
  /**
   * Deletes audio / transcripts (with the résumé, job description and candidate name) past each interview's retention,
   * orphan folders and stale temp files; first stops interviews a crash left 'live' so retention reaches them too.
   */
  applyRetention(nowMs?: number, options?: RetentionOptions): Promise<RetentionResult>;
  /**
   * At start-up: interviews whose upload job died with the previous process become 'failed' with `message` and lose
   * their partial turns (the rows change before the first await; audio folders go after). Returns their ids.
   */
  recoverInterruptedProcessing(message: string): Promise<string[]>;
  /** Whether writes are being stored; which interviews are not being recorded since a write failed. */
  storageHealth(): StorageHealth;
  /**
   * Calls `listener` on every write storage refused (the call itself throws RepositoryError 'storage-failed'), so a
   * session can tell its interviewer that nothing is being recorded. Returns the function that stops it.
   */
  onWriteFailure(listener: (failure: StorageFailure) => void): () => void;
  /** Durable analysis jobs, one per answer (analysis-job-rows.ts); writes go through the storage-health tracker. */
  readonly analysisJobs: AnalysisJobRows;
  close(): void;
}
