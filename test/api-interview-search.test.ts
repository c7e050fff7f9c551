import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterviewPage } from '../protocol/interviews.ts';
import { createInterviewsRouter, type InterviewsRouter } from '../server/api/interviews.ts';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { seedInterviews, type SeededInterview } from './helpers/seed-interviews.ts';

const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const START_MS = Date.UTC(2026, 2, 1, 8, 0, 0);

describe('GET /api/interviews: search, filters and paging on a real SQLite', () => {
  let dataDir: string;
  let repository: InterviewRepository;
  let router: InterviewsRouter;
  let server: Server;
  let baseUrl: string;
  let seeded: SeededInterview[];
  let clockMs = START_MS;

  const page = async (query: string): Promise<InterviewPage> => {
    const reply = await fetch(`${baseUrl}/api/interviews?${query}`);
    expect(reply.status, query).toBe(200);
    return InterviewPage.parse(await reply.json());
  };
  const newestFirst = (items: SeededInterview[]) => [...items].sort((a, b) => b.createdAtMs - a.createdAtMs).map((s) => s.id);

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-search-'));
    const paths = dataPaths(dataDir);
    repository = createRepository(paths.dbPath, { now: () => clockMs });
    seeded = seedInterviews(repository, { count: 60, startMs: START_MS, setClock: (ms) => (clockMs = ms) });
    router = createInterviewsRouter({ repository, uploadDir: paths.uploadDir, logger: silentLogger });
    const app = express();
    app.use('/api', router);
    server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await router.close();
    await new Promise((resolve) => server.close(resolve));
    repository.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('pages newest first through every interview, with counts, state, overall, recommendation and the roles', async () => {
    const pages = [await page('limit=25'), await page('limit=25&offset=25'), await page('limit=25&offset=50')];
    expect(pages.map((p) => p.items.length)).toEqual([25, 25, 10]);
    expect(pages.every((p) => p.total === 60)).toBe(true);
    expect(pages.flatMap((p) => p.items.map((item) => item.id))).toEqual(newestFirst(seeded));
    expect(pages[0]?.roles).toEqual([...new Set(seeded.map((s) => s.role))].sort());

    const done = pages.flatMap((p) => p.items).find((item) => item.id === seeded[0]?.id);
    expect(done).toMatchObject({ state: 'done', counts: { answers: 4, scored: 4, pending: 0 }, durationMs: 230_000 });
    expect(done?.overall).toBeGreaterThan(4);
    expect(done?.recommendation).not.toBe('insufficient-evidence');
  });

  it('finds interviews by candidate name, by role and by words of the transcript, in English and Chinese', async () => {
    const byName = await page('q=candidate17');
    expect(byName.items.map((item) => item.candidateName)).toEqual(['Dennis Candidate17']);

    const byTranscript = await page(`q=${encodeURIComponent('consensus')}`);
    expect(byTranscript.items.map((item) => item.id)).toEqual(newestFirst(seeded.filter((s) => s.topic === 'consensus')));

    // Two Chinese characters: shorter than a trigram, so the LIKE scan answers.
    const short = await page(`q=${encodeURIComponent('分布')}`);
    expect(short.total).toBe(seeded.filter((s) => s.topic === '分布式').length);
    const byChineseRole = await page(`q=${encodeURIComponent('产品经理')}`);
    expect(byChineseRole.total).toBe(seeded.filter((s) => s.role === '产品经理').length);

    const twoWords = await page(`q=${encodeURIComponent('caching "frontend engineer"')}`);
    expect(twoWords.items.map((item) => item.id)).toEqual(newestFirst(seeded.filter((s) => s.topic === 'caching' && s.role === 'Frontend engineer')));
    expect((await page('q=zzzzzz')).total).toBe(0);
  });

  it('filters by role, state and creation date, alone and together', async () => {
    const role = await page(`role=${encodeURIComponent('Data scientist')}&limit=100`);
    expect(role.items.map((item) => item.id)).toEqual(newestFirst(seeded.filter((s) => s.role === 'Data scientist')));

    const scoring = await page('state=scoring&limit=100');
    expect(scoring.items.map((item) => item.id)).toEqual(newestFirst(seeded.filter((s) => s.kind === 'scoring')));
    expect(scoring.items.every((item) => item.counts.pending === 1 && item.counts.scored === 3)).toBe(true);
    const failed = await page('state=failed&limit=100');
    expect(failed.total).toBe(seeded.filter((s) => s.kind === 'failed').length);

    const from = START_MS + 10 * 3_600_000;
    const to = START_MS + 20 * 3_600_000;
    const window = await page(`from=${from}&to=${to}&limit=100`);
    expect(window.items.map((item) => item.id)).toEqual(newestFirst(seeded.slice(10, 20)));

    const together = await page(`from=${from}&to=${to}&role=${encodeURIComponent('Backend engineer')}&state=done`);
    expect(together.items.map((item) => item.id)).toEqual(newestFirst(seeded.slice(10, 20).filter((s) => s.role === 'Backend engineer' && s.kind === 'done')));
  });

  it('keeps the search in step with renames and deletes, and refuses a bad query', async () => {
    const target = seeded[5];
    if (!target) throw new Error('seed missing');
    const patched = await fetch(`${baseUrl}/api/interviews/${target.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ candidateName: 'Hedy Lamarr' }),
    });
    expect(patched.status).toBe(200);
    expect((await page('q=lamarr')).items.map((item) => item.id)).toEqual([target.id]);
    expect((await page(`q=${encodeURIComponent(`"${target.candidateName}"`)}`)).items.map((item) => item.id)).not.toContain(target.id);

    expect((await fetch(`${baseUrl}/api/interviews/${target.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await page('q=lamarr')).total).toBe(0);
    expect((await page(`q=${target.topic}`)).items.map((item) => item.id)).not.toContain(target.id);

    for (const bad of ['limit=0', 'limit=101', 'state=maybe', 'from=yesterday']) {
      expect((await fetch(`${baseUrl}/api/interviews?${bad}`)).status, bad).toBe(400);
    }
  });
});
