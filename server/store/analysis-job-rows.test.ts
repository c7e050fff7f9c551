import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataPaths } from './paths.ts';
import { createRepository, RepositoryError, type InterviewRepository } from './repository.ts';

describe('stored analysis jobs', () => {
  let dataDir: string;
  let repository: InterviewRepository;
  const input = { text: 'We sharded the queue by tenant.', startMs: 1000, endMs: 4000, segments: [], history: [], question: 'How did you scale it?' };

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-jobs-'));
    repository = createRepository(dataPaths(dataDir).dbPath);
    repository.createInterview({ id: 'i1', language: 'en', mode: 'copilot' });
    for (const turnId of ['a1', 'a1b', 'a2']) repository.saveTurn('i1', { turnId, channel: 'candidate', text: 'x', startMs: 0, endMs: 1 });
  });
  afterEach(async () => {
    repository.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps what a score needs across a reopen, with its state, attempts and last error', () => {
    const jobs = repository.analysisJobs;
    expect(jobs.putJob({ interviewId: 'i1', answerId: 'a1', turnIds: ['a1', 'a1b'], input })).toMatchObject({ state: 'queued', attempts: 0 });
    jobs.putJob({ interviewId: 'i1', answerId: 'a2', turnIds: [], input });
    jobs.setJobState('i1', 'a1', 'running');
    jobs.setJobState('i1', 'a2', 'running');
    jobs.setJobState('i1', 'a2', 'failed-retryable', { code: 'llm-timeout', message: 'timed out' });
    repository.close();
    repository = createRepository(dataPaths(dataDir).dbPath);

    const unfinished = repository.analysisJobs.unfinishedJobs();
    expect(unfinished.map((job) => job.answerId)).toEqual(['a1']);
    expect(unfinished[0]).toMatchObject({ turnIds: ['a1', 'a1b'], attempts: 1, input: { text: input.text, question: input.question } });
    expect(repository.analysisJobs.getJob('i1', 'a2')).toMatchObject({ state: 'failed-retryable', turnIds: ['a2'], error: { code: 'llm-timeout' } });
    expect(repository.analysisJobs.progressOf(['i1', 'other']).get('i1')).toEqual({ total: 2, done: 0, pending: 1, failed: 1 });
  });

  it('starts a re-put answer over, and goes with its turn', async () => {
    const jobs = repository.analysisJobs;
    jobs.putJob({ interviewId: 'i1', answerId: 'a1', turnIds: ['a1'], input });
    jobs.setJobState('i1', 'a1', 'running');
    jobs.setJobState('i1', 'a1', 'done');
    expect(jobs.putJob({ interviewId: 'i1', answerId: 'a1', turnIds: ['a1', 'a1b'], input: { ...input, text: 'longer' } })).toMatchObject({ state: 'queued', attempts: 0 });
    expect(() => jobs.putJob({ interviewId: 'i1', answerId: 'missing', turnIds: [], input })).toThrow(RepositoryError);
    await repository.deleteTranscript('i1');
    expect(jobs.jobsOf('i1')).toEqual([]);
  });
});
