import type Database from 'better-sqlite3';
import type { Migration } from '../store/migrations.ts';

/**
 * Migration 3: accounts and ownership. Users with a role and a scrypt password hash; browser sessions and API tokens
 * stored only as SHA-256 hashes of their secrets (a copy of the database signs nobody in); the owner of each interview
 * (NULL for interviews stored before accounts: only admins see those) and whom it is shared with; owners of screenings
 * (their runs are files, not rows).
 */
export const AUTH_MIGRATION: Migration = {
  version: 3,
  name: 'accounts: users, sessions, API tokens, interview owners and shares, screening owners',
  up(db: Database.Database) {
    db.exec(`
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'recruiter', 'interviewer')),
        password_hash TEXT,
        created_at INTEGER NOT NULL,
        disabled_at INTEGER
      ) STRICT;

      CREATE TABLE auth_sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX auth_sessions_by_expiry ON auth_sessions (expires_at);

      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;

      ALTER TABLE interviews ADD COLUMN owner_id TEXT;
      CREATE INDEX interviews_by_owner ON interviews (owner_id, created_at DESC, id DESC);

      CREATE TABLE interview_shares (
        interview_id TEXT NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (user_id, interview_id)
      ) STRICT;
      CREATE INDEX interview_shares_by_interview ON interview_shares (interview_id);

      CREATE TABLE screening_owners (
        screening_id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
