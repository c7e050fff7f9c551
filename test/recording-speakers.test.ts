/**
 * Speakers of recorded calls, through the real server (ffmpeg decode → Silero VAD → whisper.cpp tiny.en real weights →
 * answers → SQLite) with a fake vLLM on the real wire protocol: a stereo recording with a speaker per channel is split
 * (either channel the interviewer's), a mono one gets its roles from its words with a confidence, and a person's
 * correction (`PATCH /api/interviews/:id/turns/:turnId`) regroups the answers and scores the changed ones again.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CorrectTurnResult, Interview, InterviewDetail, RecordingStatus } from '../protocol/interviews.ts';
import { buildServer, type BuiltServer } from '../server/core.ts';
import { silentLogger } from '../server/logger.ts';
import type { InterviewReport } from '../server/reports/build-report.ts';
import { startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { AUDIO_FIXTURES_DIR } from './helpers/audio-fixtures.ts';
import { signIn } from './helpers/auth.ts';
import { answerOf, quotingAnalysisResponder, testConfig } from './helpers/review-pipeline.ts';
import { wordErrorRate } from './helpers/transcript-accuracy.ts';

vi.setConfig({ testTimeout: 180_000 });

const FIXTURE = JSON.parse(await readFile(path.join(AUDIO_FIXTURES_DIR, 'interview-en.json'), 'utf8')) as {
  segments: { channel: 'interviewer' | 'candidate'; text: string }[];
  text: string;
};
// Planned in the other order than asked: matching must go by the words.
const PLANNED = [
  { id: 'q1', text: 'How did you test it?' },
  { id: 'q2', text: 'Tell me about a system you built.' },
];

let dir: string;
let llm: FakeLlmServer;
let server: BuiltServer;
let base: string;
/** The signed-in caller's fetch. */
let fetch: typeof globalThis.fetch;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'viva-speakers-'));
  llm = await startFakeLlmServer({ respond: quotingAnalysisResponder() });
  server = await buildServer(testConfig({ dataDir: path.join(dir, 'data'), llmBaseUrl: llm.baseUrl }), silentLogger);
  base = `http://127.0.0.1:${await server.listen()}/api`;
  fetch = (await signIn(server.app)).fetch;
});

afterAll(async () => {
  await server?.close();
  await llm?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The fixture's two per-speaker clips as one stereo WAV (interviewer left unless `swap`). */
async function stereoFixture(swap: boolean): Promise<string> {
  const [left, right] = swap ? ['candidate', 'interviewer'] : ['interviewer', 'candidate'];
  const target = path.join(dir, `interview-en.${swap ? 'swapped' : 'stereo'}.wav`);
  await promisify(execFile)('ffmpeg', [
    '-y', '-v', 'error',
    '-i', path.join(AUDIO_FIXTURES_DIR, `interview-en.${left}.wav`),
    '-i', path.join(AUDIO_FIXTURES_DIR, `interview-en.${right}.wav`),
    '-filter_complex', '[0:a][1:a]amerge=inputs=2[a]', '-map', '[a]', '-ac', '2', target,
  ]);
  return target;
}

async function call<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${url}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

/** Uploads a recording to a new interview with the plan above and waits until it is processed. */
async function review(file: string, query = ''): Promise<InterviewDetail> {
  const { body: interview } = await call<Interview>('POST', '/interviews', { title: path.basename(file), language: 'en', plannedQuestions: PLANNED });
  const bytes = new Uint8Array(await readFile(file));
  const upload = await fetch(`${base}/interviews/${interview.id}/recording?language=en${query}`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new Blob([bytes]) });
  expect(upload.status, await upload.clone().text()).toBe(202);
  for (const deadline = performance.now() + 170_000; performance.now() < deadline; ) {
    const { body: status } = await call<RecordingStatus>('GET', `/interviews/${interview.id}/recording/status`);
    if (status.state === 'done') return (await call<InterviewDetail>('GET', `/interviews/${interview.id}`)).body;
    if (status.state === 'failed' || status.state === 'cancelled') throw new Error(`recording ${status.state}: ${status.error?.message}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('recording not processed in time');
}

/** Speakers and words as the fixture's sidecar says, against what was stored (words within the fixture test's WER bound). */
function expectFixtureSpeakers(detail: InterviewDetail): void {
  expect(detail.turns.map((turn) => turn.channel)).toEqual(FIXTURE.segments.map((segment) => segment.channel));
  const heard = detail.turns.map((turn) => turn.text).join(' ');
  expect(wordErrorRate(FIXTURE.text, heard), heard).toBeLessThan(0.4);
}

async function reportOf(id: string): Promise<InterviewReport> {
  return (await call<InterviewReport>('GET', `/interviews/${id}/report?format=json`)).body;
}

describe('stereo recordings are split per channel', () => {
  it.each([
    ['first', false, ''],
    ['second', true, '&interviewerChannel=second'],
  ] as const)('interviewer on the %s channel: each turn on its speaker, each answer under the planned question asked', async (_which, swap, query) => {
    const detail = await review(await stereoFixture(swap), query);
    expectFixtureSpeakers(detail);
    expect(detail.turns.every((turn) => (turn.roleSource ?? 'channel') === 'channel')).toBe(true);
    const report = await reportOf(detail.interview.id);
    // Asked "Tell me about…" first and "How did you test it?" second: planned 2 then planned 1.
    expect(report.questions.map((question) => [question.planned?.index, question.answers.map((answer) => answer.status)])).toEqual([
      [1, ['scored']],
      [0, ['scored']],
    ]);
  });
});

describe('mono recordings get speakers from their words', () => {
  let detail: InterviewDetail;
  beforeAll(async () => {
    detail = await review(path.join(AUDIO_FIXTURES_DIR, 'interview-en.wav'));
  });

  it('attributes each turn to the right speaker, stored as a guess with its confidence, and scores the answers', async () => {
    expectFixtureSpeakers(detail);
    for (const turn of detail.turns) {
      expect(turn.roleSource).toBe('auto');
      expect(turn.roleConfidence).toBeGreaterThan(0);
    }
    const report = await reportOf(detail.interview.id);
    expect(report.questions.map((question) => [question.source, question.planned?.index, question.answers[0]?.status])).toEqual([
      ['interviewer', 1, 'scored'],
      ['interviewer', 0, 'scored'],
    ]);
  });

  it('a correction of who spoke a turn regroups the answers and scores the changed one again, replacing its score', async () => {
    const id = detail.interview.id;
    const [, firstAnswer, secondQuestion, secondAnswer] = detail.turns;
    if (!firstAnswer || !secondQuestion || !secondAnswer) throw new Error('expected four turns');
    expect((await call('PATCH', `/interviews/${id}/turns/${secondQuestion.turnId}`, {})).status).toBe(400);
    expect((await call('PATCH', `/interviews/${id}/turns/nope`, { channel: 'candidate' })).status).toBe(404);

    // Say the second question was the candidate's: the candidate's three turns are now one answer.
    const llmCallsBefore = llm.chatRequests().length;
    const { status, body } = await call<CorrectTurnResult>('PATCH', `/interviews/${id}/turns/${secondQuestion.turnId}`, { channel: 'candidate' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ turnId: secondQuestion.turnId, channel: 'candidate', rescoring: [firstAnswer.turnId] });
    const pending = (await call<InterviewDetail>('GET', `/interviews/${id}`)).body;
    expect(pending.turns.find((turn) => turn.turnId === secondQuestion.turnId)).toMatchObject({ channel: 'candidate', roleSource: 'user' });
    // The merged answer's score is being replaced; the answer that was merged into it has no score of its own any more.
    expect(pending.turns.find((turn) => turn.turnId === secondAnswer.turnId)?.score).toBeNull();

    let rescored: InterviewDetail | undefined;
    for (const deadline = performance.now() + 60_000; performance.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 50))) {
      const current = (await call<InterviewDetail>('GET', `/interviews/${id}`)).body;
      if (current.turns.find((turn) => turn.turnId === firstAnswer.turnId)?.score) {
        rescored = current;
        break;
      }
    }
    expect(rescored, 'the changed answer was scored again').toBeDefined();
    const merged = [firstAnswer, secondQuestion, secondAnswer].map((turn) => turn.text.trim()).join(' ');
    expect(llm.chatRequests().slice(llmCallsBefore).map(answerOf)).toContain(merged);
    const report = await reportOf(id);
    expect(report.questions.map((question) => question.answers.map((answer) => [answer.turnIds.length, answer.status]))).toEqual([[[3, 'scored']]]);
  });
});
