import type Database from 'better-sqlite3';
import { AUTH_MIGRATION } from '../auth/auth-migration.ts';
import { ANALYSIS_JOBS_MIGRATION } from './analysis-jobs-migration.ts';
import { ANSWERS_MIGRATION } from './answers-migration.ts';
import { SEARCH_MIGRATION } from './search-migration.ts';

/** One schema change; `version` numbers run 1, 2, 3... and are recorded in SQLite's `user_version`. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Every schema change in order. Never edit a released migration: add a new one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'interviews, channels, turns, suggestions, scores, analysis failures',
    up(db) {
      // STRICT tables: SQLite refuses a value of the wrong type instead of storing it silently.
      db.exec(`
        CREATE TABLE interviews (
          id TEXT PRIMARY KEY,
          title TEXT,
          role TEXT,
          job_description TEXT,
          resume TEXT,
          candidate_name TEXT,
          language TEXT NOT NULL CHECK (language IN ('en', 'zh', 'auto')),
          mode TEXT NOT NULL CHECK (mode IN ('copilot', 'automated', 'recording')),
          context TEXT NOT NULL DEFAULT '{}',
          status TEXT NOT NULL CHECK (status IN ('live', 'stopped', 'processing', 'done', 'failed')),
          status_message TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          ended_at INTEGER,
          audio_retention_days INTEGER CHECK (audio_retention_days IS NULL OR audio_retention_days >= 0),
          transcript_retention_days INTEGER CHECK (transcript_retention_days IS NULL OR transcript_retention_days >= 0),
          consent TEXT,
          audio_purged_at INTEGER,
          transcript_purged_at INTEGER,
          -- Set while an uploaded recording is processed, so a restart knows which interviews lost their job.
          recording_job_id TEXT
        ) STRICT;
        CREATE INDEX interviews_by_created ON interviews (created_at DESC, id DESC);

        CREATE TABLE channels (
          interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
          channel TEXT NOT NULL CHECK (channel IN ('interviewer', 'candidate')),
          next_seq INTEGER NOT NULL,
          samples_received INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (interview_id, channel)
        ) STRICT;

        -- Turn ids are unique within an interview only: the key is (interview_id, id).
        CREATE TABLE turns (
          interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
          id TEXT NOT NULL,
          channel TEXT NOT NULL CHECK (channel IN ('interviewer', 'candidate')),
          start_ms REAL NOT NULL,
          end_ms REAL NOT NULL,
          text TEXT NOT NULL,
          language TEXT,
          segments TEXT NOT NULL DEFAULT '[]',
          audio_path TEXT,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (interview_id, id)
        ) STRICT;
        CREATE INDEX turns_by_time ON turns (interview_id, start_ms);

        CREATE TABLE suggestions (
          interview_id TEXT NOT NULL,
          turn_id TEXT NOT NULL,
          suggestions TEXT NOT NULL,
          model TEXT NOT NULL,
          prompt_version TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (interview_id, turn_id),
          FOREIGN KEY (interview_id, turn_id) REFERENCES turns (interview_id, id) ON DELETE CASCADE
        ) STRICT;

        -- label and overall are copied out of the score JSON so lists and reports can count without parsing it.
        CREATE TABLE scores (
          interview_id TEXT NOT NULL,
          turn_id TEXT NOT NULL,
          label TEXT NOT NULL,
          overall REAL,
          score TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          PRIMARY KEY (interview_id, turn_id),
          FOREIGN KEY (interview_id, turn_id) REFERENCES turns (interview_id, id) ON DELETE CASCADE
        ) STRICT;

        CREATE TABLE analysis_failures (
          interview_id TEXT NOT NULL,
          turn_id TEXT NOT NULL,
          code TEXT NOT NULL,
          message TEXT NOT NULL,
          retryable INTEGER NOT NULL CHECK (retryable IN (0, 1)),
          at INTEGER NOT NULL,
          PRIMARY KEY (interview_id, turn_id),
          FOREIGN KEY (interview_id, turn_id) REFERENCES turns (interview_id, id) ON DELETE CASCADE
        ) STRICT;
      `);
    },
  },
  SEARCH_MIGRATION,
  AUTH_MIGRATION,
  ANALYSIS_JOBS_MIGRATION,
  ANSWERS_MIGRATION,
];

/** Thrown when the database was written by a newer Viva than this one. */
export class SchemaVersionError extends Error {
  override name = 'SchemaVersionError';
}

/**
 * Brings the database to the latest schema: each pending migration and its `user_version` bump run in one transaction,
 * so a crash leaves the database at a whole version. Returns the versions applied.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
  });
  const latest = migrations.at(-1)?.version ?? 0;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new SchemaVersionError(
      `database schema version ${current} is newer than this Viva understands (${latest}); upgrade Viva or use another VIVA_DATA_DIR`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      // PRAGMA user_version is transactional: it commits or rolls back with the migration.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied.push(migration.version);
  }
  return applied;
}
