import type Database from 'better-sqlite3';
import type { Channel } from '../../protocol/schemas.ts';
import type { RoleSource } from '../../protocol/interviews.ts';
import { RepositoryError } from './repository-types.ts';

/** A turn's speaker role as stored: its channel, where that came from, and how sure a guess is. */
export interface TurnRole {
  channel: Channel;
  source: RoleSource;
  /** 0-1 for a guess ('auto'); null otherwise. */
  confidence: number | null;
}

/** The answer and role calls of the repository (the `answer_id`, `role_*` columns of `turns`, migration 3). */
export interface AnswerRows {
  /**
   * Records that `turnIds` (in order) make one answer whose id is the first of them: the others lose any analysis of
   * their own (they were answers before a regrouping). With `rescore`, the answer's own score and failure go too, so it
   * reads as not scored until its new score is stored.
   */
  setAnswer(interviewId: string, turnIds: string[], options: { rescore: boolean }): void;
  /** Sets who spoke a turn; an interviewer turn is in no answer and loses its analyses. Throws 'unknown-turn'. */
  setTurnRole(interviewId: string, turnId: string, role: TurnRole): void;
  /** Replaces a turn's text (a person's correction; its word timings no longer match, so they go). Throws 'unknown-turn'. */
  correctTurnText(interviewId: string, turnId: string, text: string): void;
}

/** SQL of answer grouping and speaker roles. */
export function createAnswerRows(db: Database.Database, now: () => number): AnswerRows {
  const statements = {
    setAnswerId: db.prepare('UPDATE turns SET answer_id = ? WHERE interview_id = ? AND id = ?'),
    deleteScore: db.prepare('DELETE FROM scores WHERE interview_id = ? AND turn_id = ?'),
    deleteFailure: db.prepare('DELETE FROM analysis_failures WHERE interview_id = ? AND turn_id = ?'),
    deleteSuggestions: db.prepare('DELETE FROM suggestions WHERE interview_id = ? AND turn_id = ?'),
    setRole: db.prepare(`
      UPDATE turns SET channel = @channel, role_source = @source, role_confidence = @confidence, updated_at = @now,
        answer_id = CASE WHEN @channel = 'interviewer' THEN NULL ELSE answer_id END
      WHERE interview_id = @interview_id AND id = @id`),
    setText: db.prepare("UPDATE turns SET text = ?, segments = '[]', updated_at = ? WHERE interview_id = ? AND id = ?"),
    touchInterview: db.prepare('UPDATE interviews SET updated_at = ? WHERE id = ?'),
  };
  const forgetAnalyses = (interviewId: string, turnId: string): void => {
    statements.deleteScore.run(interviewId, turnId);
    statements.deleteFailure.run(interviewId, turnId);
    statements.deleteSuggestions.run(interviewId, turnId);
  };
  const requireChange = (changes: number, interviewId: string, turnId: string): void => {
    if (changes === 0) throw new RepositoryError('unknown-turn', `no turn ${turnId} in interview ${interviewId}`);
  };

  return {
    setAnswer(interviewId, turnIds, options) {
      const [answerId, ...rest] = turnIds;
      if (answerId === undefined) return;
      db.transaction(() => {
        for (const turnId of turnIds) statements.setAnswerId.run(answerId, interviewId, turnId);
        for (const turnId of rest) forgetAnalyses(interviewId, turnId);
        if (options.rescore) {
          statements.deleteScore.run(interviewId, answerId);
          statements.deleteFailure.run(interviewId, answerId);
        }
      })();
    },

    setTurnRole(interviewId, turnId, role) {
      const at = now();
      db.transaction(() => {
        const changes = statements.setRole.run({ interview_id: interviewId, id: turnId, channel: role.channel, source: role.source, confidence: role.confidence, now: at }).changes;
        requireChange(changes, interviewId, turnId);
        if (role.channel === 'interviewer') forgetAnalyses(interviewId, turnId);
        statements.touchInterview.run(at, interviewId);
      })();
    },

    correctTurnText(interviewId, turnId, text) {
      const at = now();
      db.transaction(() => {
        requireChange(statements.setText.run(text, at, interviewId, turnId).changes, interviewId, turnId);
        statements.touchInterview.run(at, interviewId);
      })();
    },
  };
}
