/**
 * Interview list bench: 2,000 stored interviews (8 turns each, scored) in a real SQLite file; the first page of
 * `GET /api/interviews` as the router builds it (list + each row's overall and recommendation + roles), plain, filtered
 * by role and searched, each against the same query without its index (indexes dropped; LIKE over `turns` instead of
 * the FTS5 trigram table). Medians of repeated runs; reported, never asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { interviewPage } from '../../server/api/interview-page.ts';
import { createRepository } from '../../server/store/repository.ts';
import { seedInterviews } from '../helpers/seed-interviews.ts';
import type { BenchRow, BenchSection } from './types.ts';

const COUNT = 2_000;
const RUNS = 30;

function medianMs(run: () => unknown): number {
  run(); // warm the statement cache and the page cache
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

/** The list's first page without the help of its indexes: full scan, sort, and a LIKE over every turn. */
function baselineQuery(db: Database.Database, where: string, params: Record<string, unknown>): unknown[] {
  return db
    .prepare(
      `SELECT i.id, (SELECT COUNT(*) FROM turns t WHERE t.interview_id = i.id) AS turns FROM interviews i NOT INDEXED
       ${where} ORDER BY i.created_at DESC, i.id DESC LIMIT 20`,
    )
    .all(params);
}

/** Runs the bench; see the module comment. */
export async function bench(): Promise<BenchSection> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'viva-bench-list-'));
  const dbPath = path.join(dir, 'viva.db');
  let clockMs = Date.UTC(2026, 0, 1);
  const repository = createRepository(dbPath, { now: () => clockMs });
  const seedStarted = performance.now();
  seedInterviews(repository, { count: COUNT, startMs: clockMs, setClock: (ms) => (clockMs = ms) });
  const seedMs = performance.now() - seedStarted;

  const rows: BenchRow[] = [];
  const raw = new Database(dbPath, { readonly: true });
  const first = medianMs(() => interviewPage(repository, {}));
  const firstListOnly = medianMs(() => repository.listInterviews({}));
  const firstBaseline = medianMs(() => baselineQuery(raw, '', {}));
  rows.push({ name: `first page of ${COUNT} interviews (router reply: list, 20 reports' overall, roles)`, value: first, unit: 'ms', target: '< 200 ms' });
  rows.push({ name: 'first page, list query alone (indexed order)', value: firstListOnly, unit: 'ms', baseline: firstBaseline, note: 'baseline: NOT INDEXED scan + sort' });

  const role = medianMs(() => repository.listInterviews({ role: 'Data scientist' }));
  const roleBaseline = medianMs(() => baselineQuery(raw, 'WHERE i.role = @role', { role: 'Data scientist' }));
  rows.push({ name: 'first page filtered by role', value: role, unit: 'ms', baseline: roleBaseline, note: 'baseline: NOT INDEXED' });

  const search = medianMs(() => interviewPage(repository, { q: 'consensus' }));
  const searchList = medianMs(() => repository.listInterviews({ q: 'consensus' }));
  const searchBaseline = medianMs(() =>
    baselineQuery(raw, 'WHERE i.candidate_name LIKE @q OR i.role LIKE @q OR i.id IN (SELECT interview_id FROM turns WHERE text LIKE @q)', { q: '%consensus%' }),
  );
  rows.push({ name: 'search a transcript word, router reply', value: search, unit: 'ms', target: '< 200 ms' });
  rows.push({ name: 'search a transcript word, list query alone (FTS5 trigram)', value: searchList, unit: 'ms', baseline: searchBaseline, note: 'baseline: LIKE over every turn' });
  const shortSearch = medianMs(() => repository.listInterviews({ q: '分布' }));
  rows.push({ name: 'search two Chinese characters (LIKE scan: shorter than a trigram)', value: shortSearch, unit: 'ms', baseline: searchBaseline });
  const scoring = medianMs(() => repository.listInterviews({ state: 'scoring' }));
  rows.push({ name: 'first page filtered by state=scoring (counters on every row)', value: scoring, unit: 'ms', baseline: firstBaseline });
  rows.push({ name: `seeding ${COUNT} interviews (${COUNT * 8} turns, scores)`, value: seedMs / 1000, unit: 's' });

  raw.close();
  repository.close();
  rmSync(dir, { recursive: true, force: true });
  return { title: `Interview list (${COUNT} stored interviews, SQLite file)`, rows };
}
