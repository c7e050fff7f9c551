import Database from 'better-sqlite3';
import { RepositoryError } from './repository-types.ts';

/** A write that storage refused (disk full, I/O error, read-only file system...). */
export interface StorageFailure {
  /** The repository call that failed, e.g. 'saveTurn'. */
  operation: string;
  /** The interview it wrote for, when there is one. */
  interviewId: string | null;
  /** SQLite's or the file system's code, e.g. 'SQLITE_FULL', 'ENOSPC'. */
  code: string;
  message: string;
  atMs: number;
}

/** Whether storage takes writes, as `/healthz` and the REST API report it. */
export interface StorageHealth {
  /** False from a failed write until the next write succeeds. */
  writable: boolean;
  /** Failed writes since start. */
  failedWrites: number;
  lastFailure: StorageFailure | null;
  /** Interviews whose last write failed: what is said in them now is not being recorded. */
  notRecording: string[];
}

const SQLITE_STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB|BUSY|LOCKED|PROTOCOL)/;
const FILE_SYSTEM_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'EFBIG']);

/** True for errors of the storage itself, as opposed to a refused call (unknown interview, invalid input). */
export function isStorageError(error: unknown): error is Error & { code: string } {
  if (error instanceof Database.SqliteError) return SQLITE_STORAGE_CODES.test(error.code);
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && FILE_SYSTEM_CODES.has(code);
}

/** Tracks failed writes: wrap every write in `write`/`writeAsync`; listeners hear each failure as it happens. */
export interface StorageHealthTracker {
  health(): StorageHealth;
  /** Calls `listener` on every failed write; returns the function that stops it. */
  onWriteFailure(listener: (failure: StorageFailure) => void): () => void;
  write<T>(operation: string, interviewId: string | null, run: () => T): T;
  writeAsync<T>(operation: string, interviewId: string | null, run: () => Promise<T>): Promise<T>;
}

/** A tracker; a storage failure is rethrown as RepositoryError 'storage-failed' (with the original as `cause`). */
export function createStorageHealth(now: () => number): StorageHealthTracker {
  let writable = true;
  let failedWrites = 0;
  let lastFailure: StorageFailure | null = null;
  const notRecording = new Set<string>();
  const listeners = new Set<(failure: StorageFailure) => void>();

  const succeeded = (interviewId: string | null): void => {
    writable = true;
    if (interviewId !== null) notRecording.delete(interviewId);
  };
  const failed = (operation: string, interviewId: string | null, error: unknown): unknown => {
    if (!isStorageError(error)) return error;
    const failure: StorageFailure = { operation, interviewId, code: error.code, message: error.message, atMs: now() };
    writable = false;
    failedWrites++;
    lastFailure = failure;
    if (interviewId !== null) notRecording.add(interviewId);
    for (const listener of listeners) {
      try {
        listener(failure);
      } catch {
        // A listener's own trouble must not hide the storage failure from the caller.
      }
    }
    return new RepositoryError('storage-failed', `storage refused the write (${error.code}: ${error.message})`, { cause: error });
  };

  return {
    health: () => ({ writable, failedWrites, lastFailure, notRecording: [...notRecording] }),
    onWriteFailure(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    write(operation, interviewId, run) {
      try {
        const result = run();
        succeeded(interviewId);
        return result;
      } catch (error) {
        throw failed(operation, interviewId, error);
      }
    },
    async writeAsync(operation, interviewId, run) {
      try {
        const result = await run();
        succeeded(interviewId);
        return result;
      } catch (error) {
        throw failed(operation, interviewId, error);
      }
    },
  };
}
