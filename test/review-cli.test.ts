import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcessRecording } from '../server/api/recording-jobs.ts';
import { REVIEW_EXIT, reviewProgressLine, runReview } from '../server/cli/review.ts';
import { decodeAudioFile } from '../server/media/decode.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { makeRecordings } from './helpers/recordings.ts';

function buffer(): { write(text: string): void; text: () => string } {
  let text = '';
  return { write: (chunk: string) => void (text += chunk), text: () => text };
}

describe('viva review', () => {
  let dir: string;
  let repository: InterviewRepository;
  let mp3: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'viva-review-'));
    repository = createRepository(path.join(dir, 'data', 'viva.db'));
    mp3 = (await makeRecordings(dir, ['mp3'])).mp3;
    await writeFile(path.join(dir, 'jd.txt'), 'Senior backend engineer: payments, sharding, on-call.');
  });
  afterAll(async () => {
    repository.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Decodes for real, reports progress in steps, stores a question, an answer and its score. */
  const pipeline: ProcessRecording = async ({ interviewId, filePath, signal, onProgress }) => {
    const decoded = await decodeAudioFile(filePath, { signal });
    for (const fraction of [0.2, 0.5, 0.8]) onProgress({ fraction, stage: 'transcribing' });
    repository.saveTurn(interviewId, { turnId: 'q', channel: 'interviewer', text: 'What should we ask?', startMs: 0, endMs: 1000 });
    repository.saveTurn(interviewId, { turnId: 'a', channel: 'candidate', text: 'Ask not what your country can do for you.', startMs: 1200, endMs: decoded.durationMs });
    repository.saveScore(interviewId, 'a', {
      label: 'answer',
      dimensions: [{ id: 'clarity', name: 'Clarity', score: 9, reason: 'memorable', evidence: [{ quote: 'Ask not', startMs: 1200, endMs: 1800 }] }],
      overall: 9,
      remark: '',
      model: 'fake',
      promptVersion: 'p1',
      rubricVersion: 'r1',
    });
  };

  it('processes a recording, keeps the interview and writes the report, with progress on stderr', async () => {
    const stdout = buffer();
    const stderr = buffer();
    const out = path.join(dir, 'reports', 'review.html');
    const code = await runReview([mp3, '--out', out, '--jd', path.join(dir, 'jd.txt'), '--language', 'en', '--candidate', 'J. F. Kennedy'], {
      repository,
      processRecording: pipeline,
      stdout,
      stderr,
      signal: new AbortController().signal,
    });
    expect(code, stderr.text()).toBe(REVIEW_EXIT.ok);
    expect(stdout.text()).toBe(`${out}\n`);
    // Not a terminal: one line per tenth reached, ending at 100 %.
    const lines = stderr.text().trim().split('\n');
    expect(lines[0]).toMatch(/^\[-{24}\]\s+0% · 0:00$/);
    expect(lines).toContain(lines.find((line) => line.includes(' 50% transcribing')));
    expect(lines.at(-2)).toMatch(/^\[#{24}\] 100% done/);
    expect(lines.at(-1)).toMatch(/^viva review: 2 turns \(1 from the candidate\); interview .+ kept$/);

    const html = await readFile(out, 'utf8');
    expect(html).toContain('Ask not what your country can do for you.');
    expect(html).toContain('J. F. Kennedy');
    const stored = repository.listInterviews().items.find((item) => item.candidateName === 'J. F. Kennedy');
    expect(stored).toMatchObject({ status: 'done', mode: 'recording', title: 'jfk.mp3', counts: { turns: 2, scored: 1 } });
    expect(repository.getInterview(stored?.id ?? '')?.jobDescription).toContain('payments, sharding');
  });

  it('explains bad usage and refuses non-audio files before creating anything', async () => {
    const before = repository.listInterviews().total;
    const run = async (argv: string[], processRecording: ProcessRecording = pipeline) => {
      const stderr = buffer();
      const code = await runReview(argv, { repository, processRecording, stdout: buffer(), stderr, signal: new AbortController().signal });
      return { code, message: stderr.text() };
    };
    expect(await run([])).toMatchObject({ code: REVIEW_EXIT.usage, message: expect.stringContaining('give the recording') });
    expect(await run([mp3, '--out', 'report.pdf'])).toMatchObject({ code: REVIEW_EXIT.usage, message: expect.stringContaining('.html, .md or .json') });
    expect(await run([mp3, '--out', 'r.md', '--language', 'fr'])).toMatchObject({ code: REVIEW_EXIT.usage });
    const notes = path.join(dir, 'notes.m4a');
    await writeFile(notes, 'not a recording at all');
    expect(await run([notes, '--out', path.join(dir, 'x.md')])).toMatchObject({ code: REVIEW_EXIT.failed, message: expect.stringContaining('not audio') });
    expect(repository.listInterviews().total).toBe(before);

    // A pipeline failure keeps the interview, marked failed, without half its turns, and writes no report.
    const failing: ProcessRecording = async ({ interviewId }) => {
      repository.saveTurn(interviewId, { turnId: 'a', channel: 'candidate', text: 'partial', startMs: 0, endMs: 500 });
      throw new Error('model file is truncated');
    };
    const result = await run([mp3, '--out', path.join(dir, 'never.md')], failing);
    expect(result).toMatchObject({ code: REVIEW_EXIT.failed, message: expect.stringContaining('processing failed: model file is truncated') });
    const failed = repository.listInterviews().items[0];
    expect(failed).toMatchObject({ status: 'failed', counts: { turns: 0 } });
    await expect(readFile(path.join(dir, 'never.md'))).rejects.toThrow();
  });

  it('draws a progress bar', () => {
    expect(reviewProgressLine(0.5, 'transcribing', 61_000, 10)).toBe('[#####-----]  50% transcribing · 1:01');
  });
});
