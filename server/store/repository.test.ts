import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnswerScore } from '../../protocol/schemas.ts';
import { decodeWav } from '../audio/wav.ts';
import { MIGRATIONS, SchemaVersionError, migrate } from './migrations.ts';
import { dataPaths, safeFileName } from './paths.ts';
import { RepositoryError, createRepository, type InterviewRepository } from './repository.ts';

const DAY_MS = 86_400_000;

function score(overall: number | null, label: AnswerScore['label'] = 'answer'): AnswerScore {
  return {
    label,
    dimensions:
      label === 'answer'
        ? [{ id: 'depth', name: 'Depth', score: Math.round(overall ?? 5), reason: 'explains trade-offs', evidence: [{ quote: 'we sharded', startMs: 100, endMs: 900 }] }]
        : [],
    overall,
    remark: 'ok',
    model: 'fake-model',
    promptVersion: 'score-v1',
    rubricVersion: 'default-v1',
  };
}

describe('interview repository', () => {
  let dataDir: string;
  let clockMs: number;
  let repository: InterviewRepository;
  const open = (): InterviewRepository => createRepository(dataPaths(dataDir).dbPath, { now: () => clockMs });

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-store-'));
    clockMs = Date.UTC(2026, 0, 10, 9, 0, 0);
    repository = open();
  });
  afterEach(async () => {
    try {
      repository.close();
    } catch {
      // already closed by the test
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the schema in a fresh data dir, in WAL mode, at the latest version', () => {
    repository.close();
    const db = new Database(path.join(dataDir, 'viva.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // FTS5's own shadow tables (interviews_fts_data, ...) are left out: they are the search index's storage.
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts_%' ORDER BY name").all() as { name: string }[]
    ).map((t) => t.name);
    expect(tables).toEqual([
      'analysis_failures',
      'analysis_jobs',
      'api_tokens',
      'auth_sessions',
      'channels',
      'interview_shares',
      'interviews',
      'interviews_fts',
      'scores',
      'screening_owners',
      'suggestions',
      'turns',
      'turns_fts',
      'users',
    ]);
    db.close();
    expect(existsSync(path.join(dataDir, 'audio'))).toBe(true);
  });

  it('keeps everything across a close and re-open, and does not re-run migrations', async () => {
    const interview = repository.createInterview({
      language: 'zh',
      mode: 'copilot',
      title: '后端工程师面试',
      candidateName: '李雷',
      context: { plannedQuestions: [{ id: 'q1', text: '介绍一下你最近的项目' }] },
      consent: { given: true, method: 'verbal' },
    });
    repository.saveTurn(interview.id, { turnId: 't1', channel: 'interviewer', text: '介绍一下你最近的项目', startMs: 0, endMs: 2000, language: 'zh' });
    repository.saveTurn(interview.id, {
      turnId: 't2',
      channel: 'candidate',
      text: '我们把订单库分片了',
      startMs: 2500,
      endMs: 6000,
      language: 'zh',
      segments: [{ text: '我们把订单库分片了', startMs: 2500, endMs: 6000 }],
    });
    repository.saveScore(interview.id, 't2', score(7));
    repository.saveSuggestions(interview.id, 't2', {
      suggestions: [{ question: '分片键怎么选的？', buildsOn: '订单库分片', probes: 'depth' }],
      model: 'fake-model',
      promptVersion: 'followup-v1',
    });
    repository.saveChannelProgress(interview.id, 'candidate', 301, 96_000);
    repository.saveChannelProgress(interview.id, 'candidate', 302, 96_320);
    const before = repository.getInterviewDetail(interview.id);
    repository.close();

    repository = open();
    const after = repository.getInterviewDetail(interview.id);
    expect(after).toEqual(before);
    expect(after?.interview.consent).toEqual({ given: true, method: 'verbal' });
    expect(after?.turns.map((t) => t.turnId)).toEqual(['t1', 't2']);
    expect(after?.turns[1]?.score?.overall).toBe(7);
    expect(after?.turns[1]?.suggestions?.suggestions[0]?.question).toBe('分片键怎么选的？');
    expect(repository.getChannelProgress(interview.id)).toEqual({ candidate: { nextSeq: 302, samplesReceived: 96_320 } });
  });

  it('stores a replayed final once, updating its text and keeping its analyses', () => {
    const { id } = repository.createInterview({ language: 'en', mode: 'copilot' });
    repository.saveTurn(id, { turnId: 't1', channel: 'candidate', text: 'first decode', startMs: 0, endMs: 1000 });
    repository.saveScore(id, 't1', score(6));
    repository.saveAnalysisFailure(id, 't1', { code: 'llm-timeout', message: 'follow-up timed out', retryable: true });
    repository.saveTurn(id, { turnId: 't1', channel: 'candidate', text: 'replayed decode', startMs: 0, endMs: 1000 });

    const detail = repository.getInterviewDetail(id);
    expect(detail?.turns).toHaveLength(1);
    expect(detail?.turns[0]?.text).toBe('replayed decode');
    expect(detail?.turns[0]?.score?.overall).toBe(6);
    expect(detail?.turns[0]?.failure?.code).toBe('llm-timeout');
    expect(repository.clearAnalysisFailure(id, 't1')).toBe(true);
    expect(repository.getInterviewDetail(id)?.turns[0]?.failure).toBeNull();
  });

  it('refuses analyses of unknown turns and turns of unknown interviews with typed errors', () => {
    const { id } = repository.createInterview({ language: 'en', mode: 'copilot' });
    expect(() => repository.saveScore(id, 'nope', score(5))).toThrow(RepositoryError);
    expect(() => repository.saveTurn('missing', { turnId: 't', channel: 'candidate', text: 'x', startMs: 0, endMs: 1 })).toThrow(
      expect.objectContaining({ code: 'unknown-interview' }),
    );
    // A score that breaks the schema never reaches the database.
    expect(() => repository.saveScore(id, 'nope', { ...score(5), overall: 42 })).toThrow();
  });

  it('writes turn audio as a WAV file, before or after the transcript, and deletes it with the interview', async () => {
    const { id } = repository.createInterview({ language: 'en', mode: 'copilot' });
    const pcm = new Int16Array(16_000).map((_, i) => Math.round(Math.sin(i / 10) * 32767));
    // Audio first (the pipeline may save it before the final decode), then the transcript links it.
    const written = await repository.saveTurnAudio(id, 'turn/1', pcm);
    repository.saveTurn(id, { turnId: 'turn/1', channel: 'candidate', text: 'hello', startMs: 0, endMs: 1000 });
    expect(written.durationMs).toBe(1000);
    expect(path.dirname(written.path)).toBe(path.join(dataDir, 'audio', safeFileName(id)));
    const wav = decodeWav(readFileSync(written.path));
    expect(wav.sampleRate).toBe(16_000);
    expect(wav.samples.length).toBe(16_000);
    expect(Math.round((wav.samples[16] ?? 0) * 32768)).toBe(pcm[16]);
    expect(repository.getInterviewDetail(id)?.turns[0]?.hasAudio).toBe(true);
    expect(repository.getTurnAudioPath(id, 'turn/1')).toBe(written.path);
    // No temp file is left beside it.
    expect(await readdir(path.dirname(written.path))).toEqual([path.basename(written.path)]);

    await repository.saveTurnAudio(id, 't2', new Float32Array(8000).fill(0.25));
    expect(await repository.deleteInterview(id)).toBe(true);
    expect(existsSync(path.join(dataDir, 'audio', safeFileName(id)))).toBe(false);
    expect(repository.getInterview(id)).toBeNull();
    expect(await repository.deleteInterview(id)).toBe(false);
  });

  it('lists newest first with counts and pages', () => {
    for (let i = 0; i < 5; i++) {
      clockMs += 1000;
      const { id } = repository.createInterview({ language: 'en', mode: 'recording', title: `interview ${i}` });
      repository.saveTurn(id, { turnId: 'q', channel: 'interviewer', text: 'question', startMs: 0, endMs: 1000 });
      repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'answer', startMs: 1000, endMs: 4000 + i });
      if (i % 2 === 0) repository.saveScore(id, 'a', score(8));
      else repository.saveAnalysisFailure(id, 'a', { code: 'llm-unreachable', message: 'down', retryable: true });
    }
    const page = repository.listInterviews({ limit: 2, offset: 1 });
    expect(page.total).toBe(5);
    expect(page.items.map((item) => item.title)).toEqual(['interview 3', 'interview 2']);
    expect(page.items[0]?.counts).toEqual({ turns: 2, answers: 1, scored: 0, failed: 1, pending: 0 });
    expect(page.items[1]?.counts).toEqual({ turns: 2, answers: 1, scored: 1, failed: 0, pending: 0 });
    expect(page.items[1]?.durationMs).toBe(4002);
  });

  it('applies retention: audio then transcripts, by each interview own settings, skipping live ones', async () => {
    const keep = repository.createInterview({ language: 'en', mode: 'copilot', status: 'stopped' });
    const short = repository.createInterview({ language: 'en', mode: 'copilot', audioRetentionDays: 1, transcriptRetentionDays: 3 });
    const live = repository.createInterview({ language: 'en', mode: 'copilot', audioRetentionDays: 0 });
    for (const { id } of [keep, short, live]) {
      repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'answer', startMs: 0, endMs: 1000 });
      repository.saveScore(id, 'a', score(7));
      await repository.saveTurnAudio(id, 'a', new Float32Array(1600));
    }
    repository.updateInterviewStatus(short.id, 'stopped');
    // A folder whose interview is gone (e.g. a delete interrupted after the rows went).
    await mkdir(path.join(dataDir, 'audio', 'orphan'), { recursive: true });
    await writeFile(path.join(dataDir, 'audio', 'orphan', 'x.wav'), 'x');

    let result = await repository.applyRetention(clockMs + 0.5 * DAY_MS);
    expect(result).toMatchObject({ audioPurged: [], transcriptsPurged: [], orphanFoldersRemoved: 1 });

    result = await repository.applyRetention(clockMs + 1.5 * DAY_MS);
    expect(result.audioPurged).toEqual([short.id]);
    let detail = repository.getInterviewDetail(short.id);
    expect(detail?.turns[0]?.hasAudio).toBe(false);
    expect(detail?.turns[0]?.text).toBe('answer');
    expect(detail?.interview.audioPurgedAtMs).toBe(clockMs + 1.5 * DAY_MS);
    expect(existsSync(path.join(dataDir, 'audio', safeFileName(short.id)))).toBe(false);

    result = await repository.applyRetention(clockMs + 3.5 * DAY_MS);
    expect(result.transcriptsPurged).toEqual([short.id]);
    detail = repository.getInterviewDetail(short.id);
    expect(detail?.turns).toEqual([]);
    expect(detail?.interview.transcriptPurgedAtMs).toBe(clockMs + 3.5 * DAY_MS);

    // null keeps forever; a live interview is never purged under its own feet.
    expect(repository.getInterviewDetail(keep.id)?.turns[0]?.hasAudio).toBe(true);
    expect(repository.getInterviewDetail(live.id)?.turns[0]?.hasAudio).toBe(true);
    expect(repository.getInterviewDetail(keep.id)?.turns[0]?.score?.overall).toBe(7);
  });

  it('stops interviews a crash left live once quiet for a day and purges them by retention, résumé and name included', async () => {
    const crashed = repository.createInterview({
      language: 'en',
      mode: 'copilot',
      resume: 'Jane Doe, Go and Kubernetes',
      candidateName: 'Jane Doe',
      jobDescription: 'Backend engineer',
      transcriptRetentionDays: 2,
    });
    const running = repository.createInterview({ language: 'en', mode: 'copilot', transcriptRetentionDays: 0 });
    for (const { id } of [crashed, running]) repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'answer', startMs: 0, endMs: 1000 });
    const isActive = (id: string): boolean => id === running.id;

    let result = await repository.applyRetention(clockMs + 0.5 * DAY_MS, { isActive });
    expect(result.staleLiveStopped).toEqual([]);
    result = await repository.applyRetention(clockMs + 1.5 * DAY_MS, { isActive });
    expect(result.staleLiveStopped).toEqual([crashed.id]);
    expect(repository.getInterview(crashed.id)).toMatchObject({ status: 'stopped', endedAtMs: clockMs });
    expect(result.transcriptsPurged).toEqual([]);

    result = await repository.applyRetention(clockMs + 2.5 * DAY_MS, { isActive });
    expect(result.transcriptsPurged).toEqual([crashed.id]);
    expect(repository.getInterview(crashed.id)).toMatchObject({ resume: null, candidateName: null, jobDescription: null });
    expect(repository.getInterviewDetail(crashed.id)?.turns).toEqual([]);
    // The session still in memory keeps its transcript however quiet it is.
    expect(repository.getInterview(running.id)?.status).toBe('live');
    expect(repository.getInterviewDetail(running.id)?.turns).toHaveLength(1);
  });

  it('marks interviews left processing by a dead process as failed and drops their partial turns', async () => {
    const { id } = repository.createInterview({ language: 'en', mode: 'recording', status: 'stopped' });
    // 'processing' without an upload job (the live pipeline wrapping up) is not touched.
    const other = repository.createInterview({ language: 'en', mode: 'copilot', status: 'processing' });
    repository.updateInterviewStatus(id, 'processing', { recordingJobId: 'job-1' });
    repository.saveTurn(id, { turnId: 'a', channel: 'candidate', text: 'half', startMs: 0, endMs: 1000 });
    expect(await repository.recoverInterruptedProcessing('server restarted')).toEqual([id]);
    const detail = repository.getInterviewDetail(id);
    expect(detail?.interview.status).toBe('failed');
    expect(detail?.interview.statusMessage).toBe('server restarted');
    expect(detail?.turns).toEqual([]);
    expect(repository.getInterview(other.id)?.status).toBe('processing');
    expect(await repository.recoverInterruptedProcessing('again')).toEqual([]);
  });

  it('refuses a database written by a newer version, and rolls a failing migration back whole', () => {
    repository.close();
    const dbPath = path.join(dataDir, 'viva.db');
    const db = new Database(dbPath);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => open()).toThrow(SchemaVersionError);

    const fresh = new Database(':memory:');
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'broken',
        up(target: Database.Database) {
          target.exec('CREATE TABLE half_done (x INTEGER)');
          target.exec('THIS IS NOT SQL');
        },
      },
    ];
    expect(() => migrate(fresh, broken)).toThrow();
    expect(fresh.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(fresh.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    fresh.close();
  });
});
