import type Database from 'better-sqlite3';
import type { Migration } from './migrations.ts';

/**
 * Migration 5: answers and speaker roles. `answer_id` groups a candidate's turns into one answer (the id of its first
 * turn, which its suggestions, score and failure are keyed by); `role_source` says where a turn's channel (its speaker
 * role) came from ('channel': the audio channel it was heard on; 'auto': guessed from its words, with `role_confidence`
 * 0-1; 'user': corrected by a person).
 */
export const ANSWERS_MIGRATION: Migration = {
  version: 5,
  name: 'turns: answer grouping and speaker role source/confidence',
  up(db: Database.Database) {
    db.exec(`
      ALTER TABLE turns ADD COLUMN answer_id TEXT;
      ALTER TABLE turns ADD COLUMN role_source TEXT NOT NULL DEFAULT 'channel' CHECK (role_source IN ('channel', 'auto', 'user'));
      ALTER TABLE turns ADD COLUMN role_confidence REAL;
    `);
  },
};
