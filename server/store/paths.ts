import { createHash } from 'node:crypto';
import path from 'node:path';

/** Where Viva keeps everything under its data directory (`VIVA_DATA_DIR`). */
export interface DataPaths {
  dataDir: string;
  /** `<dataDir>/viva.db` (SQLite, WAL mode: `viva.db-wal` and `viva.db-shm` sit beside it). */
  dbPath: string;
  /** `<dataDir>/audio/<interviewId>/<turnId>.wav` */
  audioDir: string;
  /** `<dataDir>/uploads/`: uploaded recordings while they are being processed. */
  uploadDir: string;
}

/** The paths of a data directory. */
export function dataPaths(dataDir: string): DataPaths {
  const root = path.resolve(dataDir);
  return {
    dataDir: root,
    dbPath: path.join(root, 'viva.db'),
    audioDir: path.join(root, 'audio'),
    uploadDir: path.join(root, 'uploads'),
  };
}

const SAFE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;

/**
 * A file-system-safe name for an id: the id itself when it is plain (letters, digits, `._-`, no leading dot), otherwise
 * its safe characters plus a short hash, so ids like `a/b` or `..` can never escape the data directory or collide.
 */
export function safeFileName(id: string): string {
  if (SAFE_NAME.test(id)) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 12);
  const readable = id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  return `${readable}~${hash}`;
}
