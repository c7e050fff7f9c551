/**
 * The synthetic interview of issue 12 (audio-fixtures/interview-long-en.opus: three questions, 90 s, interviewer and
 * candidate on their own channels, two answers with a pause inside them the VAD splits, the plan asked in another order)
 * streamed over Socket.IO on both channels into the real app: real Silero VAD, real whisper.cpp weights (tiny.en), real
 * SQLite. Expected: ONE answer per question (a split answer is one answer, scored once), each attributed to the planned
 * question the interviewer's words match. Scoring runs once with the fake vLLM (real SSE wire protocol) and once with the
 * embedded small model (Qwen2.5-Coder-0.5B Q4_K_M): after the stop, every answer is scored, once.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InterviewDetail } from '../protocol/interviews.ts';
import type { SessionContext } from '../protocol/schemas.ts';
import { createApp } from '../server/app.ts';
import { createLlmClient } from '../server/llm/client.ts';
import { loadEmbeddedLlm, type EmbeddedLlm } from '../server/llm/embedded.ts';
import type { LlmProvider } from '../server/llm/provider.ts';
import { silentLogger } from '../server/logger.ts';
import { decodeAudioStream } from '../server/media/decode.ts';
import { createPromptLibrary } from '../server/prompts.ts';
import { deinterleave } from '../server/recording/channel-layout.ts';
import type { InterviewReport } from '../server/reports/build-report.ts';
import { loadSpeechRuntime, type SpeechRuntime } from '../server/speech-runtime.ts';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository } from '../server/store/repository.ts';
import { FAKE_DEFAULT_MODEL, startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { AUDIO_FIXTURES_DIR } from './helpers/audio-fixtures.ts';
import { signIn } from './helpers/auth.ts';
import { quotingAnalysisResponder } from './helpers/review-pipeline.ts';
import { connectClient, requestStop, startSession, streamAudio, waitFor, type ReceivedEvent } from './helpers/socket-client.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR } from './helpers/speech-app.ts';
import { testLlmFile } from './helpers/test-llm.ts';

vi.setConfig({ testTimeout: 900_000, hookTimeout: 300_000 });

interface LongSidecar {
  segments: { channel: 'interviewer' | 'candidate'; text: string; answer: number | null }[];
  plannedQuestions: { id: string; text: string; askedAs: number }[];
  text: string;
}
const SIDECAR = JSON.parse(await readFile(path.join(AUDIO_FIXTURES_DIR, 'interview-long-en.json'), 'utf8')) as LongSidecar;
/** Streamed faster than real time (both channels together), slow enough that no frame is dropped. */
const STREAM_SPEED = 3;

let runtime: SpeechRuntime;
let audio: { interviewer: Float32Array; candidate: Float32Array };
const dirs: string[] = [];

beforeAll(async () => {
  runtime = await loadSpeechRuntime({ modelsDir: MODELS_DIR, whisperModel: ENGLISH_TEST_MODEL, whisperThreads: 2 });
  const chunks: Float32Array[] = [];
  for await (const chunk of decodeAudioStream(path.join(AUDIO_FIXTURES_DIR, 'interview-long-en.opus'), { channels: 2 })) chunks.push(chunk);
  const joined = new Float32Array(chunks.reduce((total, chunk) => total + chunk.length, 0));
  chunks.reduce((offset, chunk) => (joined.set(chunk, offset), offset + chunk.length), 0);
  const [interviewer, candidate] = deinterleave(joined);
  audio = { interviewer, candidate };
});

afterAll(async () => {
  await runtime?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The plan, and a one-dimension rubric so the small model's score calls stay short on 2 cores. */
function context(): SessionContext {
  const rubric = createPromptLibrary().defaultRubric('en');
  return {
    role: 'Senior backend engineer',
    plannedQuestions: SIDECAR.plannedQuestions.map(({ id, text }) => ({ id, text })),
    rubric: { ...rubric, dimensions: rubric.dimensions.slice(0, 1) },
  };
}

const named = (events: ReceivedEvent[], name: ReceivedEvent['name']) => events.filter((event) => event.name === name);

/** Streams the interview into a fresh app with `llm`, stops, and waits until scoring settled; returns what was stored. */
async function interview(llm: LlmProvider): Promise<{ detail: InterviewDetail; report: InterviewReport; events: ReceivedEvent[]; answerIds: string[] }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-synthetic-'));
  dirs.push(dataDir);
  const paths = dataPaths(dataDir);
  const repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  const app = createApp({ createVad: runtime.createVad, decoder: runtime.decoder, logger: silentLogger, partialIntervalMs: 1000, llm, storage: { repository, dataDir, retentionTimer: false } });
  try {
    const port = await app.listen(0);
    const caller = await signIn(app);
    const client = await connectClient(port, caller.socketAuth);
    const sessionId = await startSession(client.socket, { language: 'en', sampleRate: 16_000, channels: ['interviewer', 'candidate'], context: context() });
    await Promise.all([
      streamAudio(client.socket, sessionId, 'interviewer', audio.interviewer, { speed: STREAM_SPEED }),
      streamAudio(client.socket, sessionId, 'candidate', audio.candidate, { speed: STREAM_SPEED }),
    ]);
    const stop = await requestStop(client.socket, sessionId);
    expect(stop.ok).toBe(true);
    await waitFor(client.events, (events) => named(events, 'session:end').length === 1, 300_000);
    const ended = named(client.events, 'session:end')[0]?.payload as { stats: Record<string, { framesDropped: number; gaps: number }> };
    for (const stats of Object.values(ended.stats)) expect(stats).toMatchObject({ framesDropped: 0, gaps: 0 });
    // Scoring goes on after the stop until every answer is scored or failed for good.
    for (;;) {
      const progress = repository.analysisJobs.progressOf([sessionId]).get(sessionId);
      if (progress && progress.total > 0 && progress.pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const answerIds = [...new Set(named(client.events, 'answer:turns').filter((event) => event.payload.final === true).map((event) => String(event.payload.answerId)))];
    const detail = repository.getInterviewDetail(sessionId);
    if (!detail) throw new Error('the interview was not stored');
    const report = (await (await caller.fetch(`http://127.0.0.1:${port}/api/interviews/${sessionId}/report?format=json`)).json()) as InterviewReport;
    client.socket.disconnect();
    return { detail, report, events: client.events, answerIds };
  } finally {
    await app.close();
    repository.close();
  }
}

/** One answer per question, the split ones included, each under the planned question it was asked as. */
function expectOneAnswerPerQuestion(result: Awaited<ReturnType<typeof interview>>): void {
  const { detail, report, answerIds } = result;
  const candidateTurns = detail.turns.filter((turn) => turn.channel === 'candidate' && turn.text.trim() !== '');
  // The VAD split at least one answer at its pause: more candidate turns than answers...
  expect(candidateTurns.length).toBeGreaterThan(3);
  // ...and still one answer per question, published final once each.
  expect(answerIds).toHaveLength(3);
  expect(new Set(candidateTurns.map((turn) => turn.answerId))).toEqual(new Set(answerIds));
  expect(report.questions.map((question) => question.answers.length)).toEqual([1, 1, 1]);
  expect(report.questions.some((question) => (question.answers[0]?.turnIds.length ?? 0) >= 2)).toBe(true);
  // Asked in another order than planned: each matched by the interviewer's words.
  const plannedAsAsked = [1, 2, 3].map((asked) => SIDECAR.plannedQuestions.findIndex((planned) => planned.askedAs === asked));
  expect(report.questions.map((question) => question.planned?.index)).toEqual(plannedAsAsked);
  // Nothing left "not analysed".
  expect(report.summary.counts.pending).toBe(0);
}

describe('the synthetic two-speaker interview, streamed through the real pipeline', () => {
  let fake: FakeLlmServer;
  beforeAll(async () => {
    fake = await startFakeLlmServer({ respond: quotingAnalysisResponder() });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('gives one answer per question, split answers whole, each under the planned question asked, all scored (fake vLLM)', async () => {
    const result = await interview(createLlmClient({ baseUrl: fake.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 60_000, maxRetries: 0, structuredOutput: 'json_schema' }));
    expectOneAnswerPerQuestion(result);
    expect(result.report.summary.counts).toMatchObject({ answers: 3, scored: 3, failed: 0 });
    // Each answer was scored once, with all its words.
    const scored = fake.chatRequests().filter((request) => JSON.stringify(request.body).includes('"score'));
    expect(scored.length).toBeGreaterThanOrEqual(3);
  });

  it('with the embedded small model: after the stop every answer is scored, exactly one score per question, none not analysed', async () => {
    let llm: EmbeddedLlm | undefined;
    try {
      llm = await loadEmbeddedLlm({ modelFile: testLlmFile(), timeoutMs: 300_000, contextSize: 4096, asrPriority: runtime.scheduler });
      const result = await interview(llm);
      expectOneAnswerPerQuestion(result);
      const { counts } = result.report.summary;
      expect(counts.answers).toBe(3);
      // Exactly one scored answer per question: the evidence enum lets the small model back each score with the
      // candidate's words (before it, every quote was a paraphrase and no answer was scored).
      expect(counts).toMatchObject({ scored: 3, pending: 0, failed: 0 });
      for (const answerId of result.answerIds) {
        const turn = result.detail.turns.find((candidate) => candidate.turnId === answerId);
        expect(turn?.score ?? turn?.failure, `answer ${answerId} analysed`).toBeTruthy();
      }
      console.info(`synthetic interview with the embedded model: ${JSON.stringify(counts)}`);
    } finally {
      await llm?.close();
    }
  });
});
