import type Database from 'better-sqlite3';
import type { Migration } from './migrations.ts';

/**
 * Migration 4: durable analysis jobs (see analysis-job-rows.ts), one per answer, keyed like its first turn and deleted
 * with it; the partial index serves the start-up scan for jobs a stopped or crashed process left unfinished.
 */
export const ANALYSIS_JOBS_MIGRATION: Migration = {
  version: 4,
  name: 'durable analysis jobs, one per answer',
  up(db: Database.Database) {
    db.exec(`
      CREATE TABLE analysis_jobs (
        interview_id TEXT NOT NULL,
        answer_id TEXT NOT NULL,
        turn_ids TEXT NOT NULL,
        input TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed-retryable', 'failed-terminal')),
        attempts INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (interview_id, answer_id),
        FOREIGN KEY (interview_id, answer_id) REFERENCES turns (interview_id, id) ON DELETE CASCADE
      ) STRICT;
      CREATE INDEX analysis_jobs_unfinished ON analysis_jobs (created_at) WHERE state IN ('queued', 'running');
    `);
  },
};
