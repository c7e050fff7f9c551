import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { z } from 'zod';
import { migrate } from './migrations.ts';
import { RepositoryError } from './repository-types.ts';

/**
 * Opens (creating if needed) the SQLite database at `dbPath` in WAL mode and applies pending migrations. WAL mode: readers
 * never block the writer, and each small commit is an append to the WAL.
 */
export function createDatabase(dbPath: string, synchronous: 'normal' | 'full' = 'normal'): Database.Database {
  if (dbPath !== ':memory:') restrictDatabaseFiles(dbPath);
  const db = new Database(dbPath);
  try {
    // Deleted rows are overwritten with zeros instead of lingering in free pages, where a copy of the file would show them.
    db.pragma('secure_delete = ON');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // Another process (a CLI next to the server) may hold the write lock for a moment: wait instead of failing.
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Owner-only permissions for data files and folders Viva creates (résumés and recordings are personal data). */
export const PRIVATE_FILE_MODE = 0o600;
/** See PRIVATE_FILE_MODE. */
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates the database file owner-only before SQLite opens it (SQLite gives `-wal` and `-shm` the database file's
 * permissions), and tightens the files of a database an older Viva created world-readable.
 */
function restrictDatabaseFiles(dbPath: string): void {
  const resolved = path.resolve(dbPath);
  mkdirSync(path.dirname(resolved), { recursive: true, mode: PRIVATE_DIR_MODE });
  if (!existsSync(resolved)) closeSync(openSync(resolved, 'a', PRIVATE_FILE_MODE));
  for (const file of [resolved, `${resolved}-wal`, `${resolved}-shm`]) {
    if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
  }
}

/**
 * Moves every committed page from the WAL into the database and truncates the WAL to zero bytes, so the old versions of
 * pages a delete just cleared do not live on in `-wal`. Best effort: a reader holding an old snapshot makes it a no-op
 * until the next call.
 */
export function checkpointAfterDelete(db: Database.Database): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Parses stored JSON with its schema; a row that fails is reported with where it came from. */
export function parseStored<T>(schema: z.ZodType<T>, text: string, where: string): { ok: true; value: T } | { ok: false; message: string } {
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

/** `parseStored`, throwing a 'corrupt-data' RepositoryError when the row is unreadable. */
export function parseStoredOrThrow<T>(schema: z.ZodType<T>, text: string, where: string): T {
  const result = parseStored(schema, text, where);
  if (!result.ok) throw new RepositoryError('corrupt-data', result.message);
  return result.value;
}

/** Runs a write; a foreign-key failure (the interview or turn it refers to is gone) becomes `refusal()`. */
export function withForeignKey<T>(write: () => T, refusal: () => RepositoryError): T {
  try {
    return write();
  } catch (error) {
    if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw refusal();
    throw error;
  }
}
