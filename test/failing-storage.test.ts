import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interview, InterviewDetail } from '../protocol/interviews.ts';
import { createLogger } from '../server/logger.ts';
import { writeFileAtomic } from '../server/store/atomic-file.ts';
import { dataPaths } from '../server/store/paths.ts';
import { RepositoryError, createRepository, type InterviewRepository, type StorageFailure, type StorageHealth } from '../server/store/repository.ts';
import { connectClient, startSession, waitFor } from './helpers/socket-client.ts';
import { startSpeechApp, type SpeechApp } from './helpers/speech-app.ts';

// Issue 13, "failing storage is visible": with the disk full, no write crashes the server, nothing acknowledged is lost,
// REST says 503 with the reason, /healthz shows storage failing and which interviews are not being recorded, and the
// log keeps the details. The disk is made full as SQLite sees it: the database may not grow (max_page_count) and its free
// pages are taken, so every write that needs a new page (a résumé, a long turn) fails with SQLITE_FULL. Turn audio goes
// through an injected writer that fails like a full disk (ENOSPC).

let dataDir: string;
let db: Database.Database | undefined;
let diskFull = false;
let repository: InterviewRepository;
let speech: SpeechApp;
let base: string;
const logLines: string[] = [];
const failures: StorageFailure[] = [];

/** Lets the database grow no further and takes its free pages. */
function fillDisk(): void {
  if (!db) throw new Error('no database handle');
  db.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB)');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  for (const size of [4096, 512, 64, 8, 1]) {
    try {
      for (;;) db.prepare('INSERT INTO filler VALUES (randomblob(?))').run(size);
    } catch {
      // full at this size: try smaller rows
    }
  }
  diskFull = true;
}

function freeDisk(): void {
  db?.exec('DELETE FROM filler');
  db?.pragma('max_page_count = 1073741823');
  diskFull = false;
}

const health = async (): Promise<{ ok: boolean; storage: StorageHealth }> => (await fetch(`${base}/healthz`)).json() as Promise<{ ok: boolean; storage: StorageHealth }>;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-full-disk-'));
  repository = createRepository(dataPaths(dataDir).dbPath, {
    configureDatabase: (handle) => {
      db = handle;
    },
    writeAudioFile: async (target, bytes, options) => {
      if (diskFull) throw Object.assign(new Error(`ENOSPC: no space left on device, write '${target}'`), { code: 'ENOSPC' });
      await writeFileAtomic(target, bytes, options);
    },
  });
  repository.onWriteFailure((failure) => failures.push(failure));
  speech = await startSpeechApp('tiny.en-q8_0', {
    logger: createLogger('info', (line) => logLines.push(line)),
    storage: { repository, dataDir, retentionTimer: false },
  });
  base = `http://127.0.0.1:${speech.port}`;
});
afterAll(async () => {
  await speech.close();
  repository.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('answers 503 with the reason, keeps what was stored, shows it in /healthz and the log, and recovers', async () => {
    const created = await speech.admin.fetch(`${base}/api/interviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en', title: 'Stored before the disk filled' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Interview;
    repository.saveTurn(id, { turnId: 'a1', channel: 'candidate', text: 'I led the migration to Postgres.', startMs: 0, endMs: 2000 });
    await repository.saveTurnAudio(id, 'a1', new Float32Array(16_000));
    expect((await health()).storage.writable).toBe(true);

    fillDisk();
    const patched = await speech.admin.fetch(`${base}/api/interviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ language: 'en', resume: 'Ten years of Go. '.repeat(2000) }),
    });
    expect(patched.status).toBe(503);
    expect(((await patched.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'storage-unavailable',
      message: expect.stringContaining('SQLITE_FULL'),
    });
    expect(() => repository.saveTurn(id, { turnId: 'a2', channel: 'candidate', text: 'More. '.repeat(4000), startMs: 2500, endMs: 4000 })).toThrow(RepositoryError);
    await expect(repository.saveTurnAudio(id, 'a1', new Float32Array(16_000))).rejects.toMatchObject({ code: 'storage-failed' });

    const report = await health();
    expect(report.ok).toBe(true);
    expect(report.storage).toMatchObject({ writable: false, notRecording: [id] });
    expect(report.storage.failedWrites).toBeGreaterThanOrEqual(3);
    expect(failures.map((failure) => failure.code)).toEqual(expect.arrayContaining(['SQLITE_FULL', 'ENOSPC']));
    // The log says what failed and where, not only "request failed".
    expect(logLines.some((line) => line.includes('storage refused a write') && line.includes('POST') && line.includes('/api/interviews') && line.includes('SQLITE_FULL'))).toBe(true);

    // Nothing acknowledged was lost.
    const detail = (await (await speech.admin.fetch(`${base}/api/interviews/${id}`)).json()) as InterviewDetail;
    expect(detail.turns.map((turn) => [turn.turnId, turn.hasAudio])).toEqual([['a1', true]]);

    freeDisk();
    repository.saveTurn(id, { turnId: 'a2', channel: 'candidate', text: 'More.', startMs: 2500, endMs: 4000 });
    expect((await health()).storage).toMatchObject({ writable: true, notRecording: [] });
  });

  it('starts a live session without crashing, and /healthz names it as not recording', async () => {
    fillDisk();
    try {
      const client = await connectClient(speech.port, speech.admin.socketAuth);
      const context = { title: 'Live call', resume: 'Ten years of Go. '.repeat(2000) };
      const sessionId = await startSession(client.socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'], context });
      const report = await health();
      expect(report.storage.writable).toBe(false);
      expect(report.storage.notRecording).toContain(sessionId);
      // The interviewer's screen is told too: the session is not being recorded.
      await waitFor(client.events, (events) => events.some((event) => event.name === 'storage:error'), 10_000);
      expect(client.events.find((event) => event.name === 'storage:error')?.payload).toMatchObject({ sessionId, code: expect.stringMatching(/SQLITE_FULL|ENOSPC/) });
      client.socket.disconnect();
    } finally {
      freeDisk();
    }
  });
});
