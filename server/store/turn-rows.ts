import type Database from 'better-sqlite3';
import { AnswerScore, FollowUpSuggestion, TranscriptSegment, type Channel } from '../../protocol/schemas.ts';
import type { AnalysisFailure, ChannelProgress, Interview, InterviewDetail, StoredSuggestions, TurnDetail } from '../../protocol/interviews.ts';
import { parseStored, withForeignKey } from './database.ts';
import { RepositoryError, type InterviewRepository, type TurnInput } from './repository-types.ts';

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
  answer_id: string | null;
  role_source: 'channel' | 'auto' | 'user';
  role_confidence: number | null;
}

interface SuggestionsRow {
  turn_id: string;
  suggestions: string;
  model: string;
  prompt_version: string;
  created_at: number;
}

/** The turn-level calls of the repository: turns, their suggestions, scores and analysis failures. */
export type TurnRows = Pick<
  InterviewRepository,
  'saveSuggestions' | 'saveScore' | 'saveAnalysisFailure' | 'clearAnalysisFailure' | 'getInterviewDetail'
> & {
  /** Upserts a final turn; `audioPath` (relative) links audio already on disk. */
  saveTurn(interviewId: string, turn: TurnInput, audioPath: string | null): void;
  /** Links a written WAV (relative path) to its turn. */
  setTurnAudio(interviewId: string, turnId: string, relativePath: string): void;
  /** The stored relative path of a turn's WAV, or null. */
  getTurnAudio(interviewId: string, turnId: string): string | null;
  /** Deletes every turn (analyses cascade) of an interview; returns how many. */
  deleteTurns(interviewId: string): number;
  /** Forgets every turn's audio path (the files are being removed). */
  clearAudioPaths(interviewId: string): void;
};

/** The prepared statements of the turn tables. */
function turnStatements(db: Database.Database) {
  return {
    // An UPSERT, not INSERT OR REPLACE: REPLACE deletes the old row first, and the cascade would take its analyses along.
    upsertTurn: db.prepare(`
      INSERT INTO turns (interview_id, id, channel, start_ms, end_ms, text, language, segments, audio_path, created_at, updated_at)
      VALUES (@interview_id, @id, @channel, @start_ms, @end_ms, @text, @language, @segments, @audio_path, @now, @now)
      ON CONFLICT (interview_id, id) DO UPDATE SET
        channel = CASE WHEN turns.role_source = 'channel' THEN excluded.channel ELSE turns.channel END, start_ms = excluded.start_ms, end_ms = excluded.end_ms, text = excluded.text,
        language = excluded.language, segments = excluded.segments,
        audio_path = COALESCE(excluded.audio_path, turns.audio_path), updated_at = excluded.updated_at`),
    touchInterview: db.prepare('UPDATE interviews SET updated_at = ? WHERE id = ?'),
    setTurnAudio: db.prepare('UPDATE turns SET audio_path = ? WHERE interview_id = ? AND id = ?'),
    getTurnAudio: db.prepare('SELECT audio_path FROM turns WHERE interview_id = ? AND id = ?'),
    getTurns: db.prepare(`
      SELECT id, channel, start_ms, end_ms, text, language, segments, audio_path, created_at, answer_id, role_source, role_confidence FROM turns
      WHERE interview_id = ? ORDER BY start_ms, end_ms, channel DESC, id`),
    getChannels: db.prepare('SELECT channel, next_seq, samples_received, updated_at FROM channels WHERE interview_id = ? ORDER BY channel DESC'),
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
    clearAudioPaths: db.prepare('UPDATE turns SET audio_path = NULL WHERE interview_id = ?'),
  };
}

type TurnStatements = ReturnType<typeof turnStatements>;

/** Suggestions, scores and failures of an interview's turns, keyed by turn id. */
function analysesOf(statements: TurnStatements, id: string, now: () => number) {
  const suggestions = new Map<string, StoredSuggestions>();
  const scores = new Map<string, AnswerScore>();
  const failures = new Map<string, AnalysisFailure>();
  for (const row of statements.getSuggestions.all(id) as SuggestionsRow[]) {
    const parsed = parseStored(FollowUpSuggestion.array(), row.suggestions, `suggestions of turn ${row.turn_id}`);
    if (parsed.ok) suggestions.set(row.turn_id, { suggestions: parsed.value, model: row.model, promptVersion: row.prompt_version, createdAtMs: row.created_at });
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
  return { suggestions, scores, failures };
}

/** The interview with channels and turns in time order, in one read transaction (one snapshot while the pipeline writes). */
function readDetail(
  db: Database.Database,
  statements: TurnStatements,
  id: string,
  now: () => number,
  getInterview: (id: string) => Interview | null,
): InterviewDetail | null {
  // One read transaction: the reads see the same snapshot even while the pipeline writes.
  return db.transaction((): InterviewDetail | null => {
    const interview = getInterview(id);
    if (!interview) return null;
    const channels: ChannelProgress[] = (
      statements.getChannels.all(id) as { channel: Channel; next_seq: number; samples_received: number; updated_at: number }[]
    ).map((row) => ({ channel: row.channel, nextSeq: row.next_seq, samplesReceived: row.samples_received, updatedAtMs: row.updated_at }));
    const { suggestions, scores, failures } = analysesOf(statements, id, now);
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
        answerId: row.answer_id,
        roleSource: row.role_source,
        roleConfidence: row.role_confidence,
        suggestions: suggestions.get(row.id) ?? null,
        score: scores.get(row.id) ?? null,
        failure: failures.get(row.id) ?? null,
      };
    });
    return { interview, channels, turns };
  })();
}

/** SQL of the `turns`, `suggestions`, `scores` and `analysis_failures` tables. */
export function createTurnRows(db: Database.Database, now: () => number, getInterview: (id: string) => Interview | null): TurnRows {
  const statements = turnStatements(db);

  const requireTurn = <T>(interviewId: string, turnId: string, write: () => T): T =>
    withForeignKey(write, () => new RepositoryError('unknown-turn', `no turn ${turnId} in interview ${interviewId}: save the turn first`));

  return {
    saveTurn(interviewId, turn, audioPath) {
      const segments = TranscriptSegment.array().parse(turn.segments ?? []);
      const at = now();
      withForeignKey(
        () =>
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
          })(),
        () => new RepositoryError('unknown-interview', `no interview ${interviewId}`),
      );
    },

    setTurnAudio(interviewId, turnId, relativePath) {
      statements.setTurnAudio.run(relativePath, interviewId, turnId);
    },

    getTurnAudio(interviewId, turnId) {
      const row = statements.getTurnAudio.get(interviewId, turnId) as { audio_path: string | null } | undefined;
      return row?.audio_path ?? null;
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
        statements.upsertScore.run({ interview_id: interviewId, turn_id: turnId, label: valid.label, overall: valid.overall, score: JSON.stringify(valid), now: now() }),
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

    getInterviewDetail: (id) => readDetail(db, statements, id, now, getInterview),

    deleteTurns(interviewId) {
      return statements.deleteTurns.run(interviewId).changes;
    },

    clearAudioPaths(interviewId) {
      statements.clearAudioPaths.run(interviewId);
    },
  };
}
