import type Database from 'better-sqlite3';
import type { Migration } from './migrations.ts';

/**
 * Migration 2: what the interview list searches and filters by. Text search is SQLite FTS5 with the trigram tokenizer
 * (substring matches in any script, Chinese included, case-insensitive), as external-content tables over `interviews`
 * (candidate, role, title) and `turns` (text) kept in step by triggers; plain indexes serve the role and status filters
 * in the list's newest-first order. The FTS tables point at the implicit rowids of those tables: a VACUUM may renumber
 * them, so after one run `INSERT INTO turns_fts(turns_fts) VALUES ('rebuild')` (and the same for interviews_fts).
 */
export const SEARCH_MIGRATION: Migration = {
  version: 2,
  name: 'interview list: role and status indexes, FTS5 trigram search over interviews and turns',
  up(db: Database.Database) {
    db.exec(`
      CREATE INDEX interviews_by_role ON interviews (role, created_at DESC, id DESC);
      CREATE INDEX interviews_by_status ON interviews (status, created_at DESC, id DESC);

      CREATE VIRTUAL TABLE interviews_fts USING fts5(candidate_name, role, title, content='interviews', content_rowid='rowid', tokenize='trigram');
      CREATE TRIGGER interviews_fts_insert AFTER INSERT ON interviews BEGIN
        INSERT INTO interviews_fts (rowid, candidate_name, role, title) VALUES (new.rowid, new.candidate_name, new.role, new.title);
      END;
      CREATE TRIGGER interviews_fts_delete AFTER DELETE ON interviews BEGIN
        INSERT INTO interviews_fts (interviews_fts, rowid, candidate_name, role, title) VALUES ('delete', old.rowid, old.candidate_name, old.role, old.title);
      END;
      CREATE TRIGGER interviews_fts_update AFTER UPDATE OF candidate_name, role, title ON interviews BEGIN
        INSERT INTO interviews_fts (interviews_fts, rowid, candidate_name, role, title) VALUES ('delete', old.rowid, old.candidate_name, old.role, old.title);
        INSERT INTO interviews_fts (rowid, candidate_name, role, title) VALUES (new.rowid, new.candidate_name, new.role, new.title);
      END;

      CREATE VIRTUAL TABLE turns_fts USING fts5(text, content='turns', content_rowid='rowid', tokenize='trigram');
      CREATE TRIGGER turns_fts_insert AFTER INSERT ON turns BEGIN
        INSERT INTO turns_fts (rowid, text) VALUES (new.rowid, new.text);
      END;
      CREATE TRIGGER turns_fts_delete AFTER DELETE ON turns BEGIN
        INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
      END;
      CREATE TRIGGER turns_fts_update AFTER UPDATE OF text ON turns BEGIN
        INSERT INTO turns_fts (turns_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO turns_fts (rowid, text) VALUES (new.rowid, new.text);
      END;

      -- FTS5 'secure-delete': a deleted row's terms leave the index at once instead of waiting for a merge, so deleting
      -- an interview (or retention) leaves no trigrams of its transcript or name behind (pages zeroed by secure_delete).
      INSERT INTO interviews_fts (interviews_fts, rank) VALUES ('secure-delete', 1);
      INSERT INTO turns_fts (turns_fts, rank) VALUES ('secure-delete', 1);
      INSERT INTO interviews_fts (interviews_fts) VALUES ('rebuild');
      INSERT INTO turns_fts (turns_fts) VALUES ('rebuild');
    `);
  },
};
