import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interview } from '../protocol/interviews.ts';
import { createInterviewsRouter, type InterviewsRouter } from '../server/api/interviews.ts';
import { createPrepRouter } from '../server/api/prep.ts';
import { createScreeningJobs } from '../server/api/screening-jobs.ts';
import { silentLogger } from '../server/logger.ts';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { prepDepsFor, prepResponder } from './prep/prep-fake.ts';

// Issue 13, "deletion that deletes": after DELETE, nothing of the candidate is left in any file of the data directory —
// not in viva.db, not in its -wal or -shm, not in uploads, screening results or screening state.

const MARKER = 'Quokkavale-Zanzibar-7731';
const NAME = 'Jane Quokkavale';
const RESUME = `${NAME}\nEmail: jane@example.com\n- Built Go services on Kubernetes for ${MARKER}\n- Ran Kafka in production at ${MARKER}`;
const JD = 'Backend Engineer\nRequired: Go, Kubernetes\nNice to have: Kafka';

let dataDir: string;
let repository: InterviewRepository;
let interviews: InterviewsRouter;
let fake: FakeLlmServer;
let server: Server;
let api: string;

/** Every regular file under `dir` whose bytes contain `needle` (UTF-8), as paths relative to `dir`. */
function filesContaining(dir: string, needle: string): string[] {
  const bytes = Buffer.from(needle, 'utf8');
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && readFileSync(full).includes(bytes)) found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found;
}

/** Files and folders under `dir` that someone other than the owner can read, write or enter. */
function notPrivate(dir: string): string[] {
  const open: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if ((statSync(full).mode & 0o077) !== 0) open.push(`${path.relative(dir, full)} ${(statSync(full).mode & 0o777).toString(8)}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return open;
}

const postJson = (route: string, body: unknown): Promise<Response> =>
  fetch(`${api}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-deletion-'));
  const paths = dataPaths(dataDir);
  repository = createRepository(paths.dbPath);
  interviews = createInterviewsRouter({ repository, uploadDir: paths.uploadDir, logger: silentLogger });
  fake = await startFakeLlmServer({ respond: prepResponder() });
  const app = express();
  app.use('/api', interviews);
  app.use('/api', createPrepRouter({ prep: prepDepsFor(fake.baseUrl), screeningsDir: path.join(dataDir, 'screenings') }));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await interviews.close();
  repository.close();
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('deleting candidate data', () => {
  it('leaves no trace of the résumé or the name in any file after an interview is deleted, and keeps files owner-only', async () => {
    const created = await postJson('/interviews', { title: 'Backend loop', language: 'en', resume: RESUME, candidateName: NAME });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Interview;
    // What a live interview stores: turns quoting the résumé, their audio and a score.
    repository.saveTurn(id, { turnId: 'a1', channel: 'candidate', text: `At ${MARKER} I built Go services.`, startMs: 0, endMs: 2000 });
    await repository.saveTurnAudio(id, 'a1', new Float32Array(16_000).fill(0.1));
    repository.saveSuggestions(id, 'a1', { suggestions: [{ question: `What did ${MARKER} ship?`, buildsOn: MARKER, probes: 'depth' }], model: 'm', promptVersion: 'v' });
    expect(filesContaining(dataDir, MARKER).length).toBeGreaterThan(0);
    expect(notPrivate(dataDir)).toEqual([]);

    const deleted = await fetch(`${api}/interviews/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(filesContaining(dataDir, MARKER)).toEqual([]);
    expect(filesContaining(dataDir, NAME)).toEqual([]);
  });

  it('deletes a finished screening with its uploads, result and state, leaving no trace of the résumé', async () => {
    const started = await postJson('/screenings', {
      jd: JD,
      files: [{ name: 'jane.txt', contentBase64: Buffer.from(RESUME).toString('base64') }],
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    let status = 'running';
    for (let attempt = 0; attempt < 400 && status === 'running'; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = ((await (await fetch(`${api}/screenings/${id}`)).json()) as { status: string }).status;
    }
    expect(status).toBe('complete');
    expect(filesContaining(dataDir, MARKER).length).toBeGreaterThan(0);
    expect(notPrivate(dataDir)).toEqual([]);

    expect((await fetch(`${api}/screenings/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(filesContaining(dataDir, MARKER)).toEqual([]);
    expect(filesContaining(dataDir, NAME)).toEqual([]);
    expect((await fetch(`${api}/screenings/${id}`)).status).toBe(404);
    expect((await fetch(`${api}/screenings/${id}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('expires finished screenings with their state after the transcript retention', async () => {
    const screeningsDir = path.join(dataDir, 'expiring-screenings');
    const DAY_MS = 86_400_000;
    const nowMs = Date.now();
    const write = async (id: string, finishedAtMs: number): Promise<string> => {
      const stateFile = path.join(screeningsDir, 'state', `.viva-screen-${id.slice(0, 8)}.jsonl`);
      await mkdir(path.join(screeningsDir, id, 'uploads'), { recursive: true });
      await mkdir(path.dirname(stateFile), { recursive: true });
      await writeFile(path.join(screeningsDir, id, 'uploads', '0000-jane.txt'), RESUME);
      await writeFile(stateFile, JSON.stringify({ v: 1, file: 'jane.txt', candidateName: NAME }));
      const finishedAt = new Date(finishedAtMs).toISOString();
      const result = { status: 'complete', jobTitle: null, blind: false, language: 'en', startedAt: finishedAt, finishedAt, total: 1, ranked: [], failed: [], pending: [], resumed: 0, stateFile };
      await writeFile(path.join(screeningsDir, id, 'result.json'), JSON.stringify(result));
      return stateFile;
    };
    const old = '11111111-1111-4111-8111-111111111111';
    const recent = '22222222-2222-4222-8222-222222222222';
    const oldState = await write(old, nowMs - 3 * DAY_MS);
    const recentState = await write(recent, nowMs - 0.5 * DAY_MS);

    // Created with a retention, the registry sweeps at once (and daily); runs are serialised, so awaiting one more
    // run means the start-up sweep has finished too.
    const jobs = createScreeningJobs({ prep: prepDepsFor(fake.baseUrl), screeningsDir, retentionDays: 2 });
    try {
      await jobs.applyRetention(nowMs);
    } finally {
      jobs.close();
    }
    expect(readdirSync(screeningsDir).sort()).toEqual([recent, 'state']);
    expect(readdirSync(path.dirname(oldState))).toEqual([path.basename(recentState)]);
  });
});
