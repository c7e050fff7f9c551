/**
 * Stop answered at once and scoring that survives the stop and a restart: the real app (real Silero VAD, real whisper
 * weights, real SQLite, real Socket.IO and HTTP); only the LLM is the fake vLLM (real SSE protocol), slowed down or
 * hanging to stand in for a slow model.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type VivaApp } from '../server/app.ts';
import { createLlmClient } from '../server/llm/client.ts';
import { silentLogger } from '../server/logger.ts';
import { loadSpeechRuntime, type SpeechRuntime } from '../server/speech-runtime.ts';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { analysisAnswerOf, analysisCallOf } from './fakes/fake-analysis-answers.ts';
import { fakeScripts, startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { quotingAnalysisResponder } from './helpers/review-pipeline.ts';
import { signIn, withToken } from './helpers/auth.ts';
import { connectClient, requestStop, startSession, stopSession, streamAudio, waitFor, type ReceivedEvent } from './helpers/socket-client.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR, readSharedWav } from './helpers/speech-app.ts';

let runtime: SpeechRuntime;
let llm: FakeLlmServer;
let jfk: Float32Array;
const dataDirs: string[] = [];
const running: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  runtime = await loadSpeechRuntime({ modelsDir: MODELS_DIR, whisperModel: ENGLISH_TEST_MODEL, whisperThreads: 2 });
  llm = await startFakeLlmServer();
  jfk = await readSharedWav('whisper.cpp-samples/jfk.wav');
});
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});
afterAll(async () => {
  await runtime?.close();
  await llm?.close();
  for (const dir of dataDirs) await rm(dir, { recursive: true, force: true });
});

/** A signed-in admin's API token per running app's port (test/helpers/auth.ts). */
const tokens = new Map<number, string>();
const authOf = (port: number): { token: string } => ({ token: tokens.get(port) ?? '' });

/** The app on a data directory, as `npm start` builds it (the fake LLM as its endpoint). */
async function startApp(dataDir: string): Promise<{ app: VivaApp; port: number; repository: InterviewRepository; close(): Promise<void> }> {
  const paths = dataPaths(dataDir);
  const repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  const app = createApp({
    createVad: runtime.createVad,
    decoder: runtime.decoder,
    logger: silentLogger,
    partialIntervalMs: 1000,
    llm: createLlmClient({ baseUrl: llm.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 120_000, maxRetries: 0, structuredOutput: 'json_schema' }),
    storage: { repository, dataDir, retentionTimer: false },
  });
  const port = await app.listen(0);
  // An admin's token in this data folder's database: an app restarted on it accepts it too.
  tokens.set(port, (await signIn(app)).token);
  let closed = false;
  const handle = {
    app,
    port,
    repository,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      repository.close();
    },
  };
  running.push(handle);
  return handle;
}

async function newDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'viva-analysis-jobs-'));
  dataDirs.push(dir);
  return dir;
}

async function reportOf(port: number, interviewId: string): Promise<{ summary: { recommendation: string; counts: { scored: number }; analysis: { total: number; done: number; pending: number; failed: number } | null } }> {
  const response = await withToken(authOf(port).token)(`http://127.0.0.1:${port}/api/interviews/${interviewId}/report?format=json`);
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

const named = (events: ReceivedEvent[], name: ReceivedEvent['name']): ReceivedEvent[] => events.filter((event) => event.name === name);

/** The answers the server closed (`answer:turns` finals), by id: a speech with no question in it is one answer. */
const answerIdsOf = (events: ReceivedEvent[]): string[] =>
  [...new Set(named(events, 'answer:turns').filter((event) => event.payload.final === true).map((event) => String(event.payload.answerId)))];

describe('analysis as durable jobs', () => {
  it('answers the stop before the slow work is done; the remaining finals and every score still arrive and are stored; retry works after the stop', async () => {
    // A slow model: every reply starts 1.5 s after its request.
    llm.setResponder(quotingAnalysisResponder({ timeToFirstTokenMs: 1_500 }));
    const { port, repository } = await startApp(await newDataDir());
    const client = await connectClient(port, authOf(port));
    const sessionId = await startSession(client.socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    // All 11 s at once: the ASR queue is full of audio when the stop arrives.
    await streamAudio(client.socket, sessionId, 'candidate', jfk, { speed: Infinity });
    const reply = await requestStop(client.socket, sessionId);
    const atReply = client.events.length;

    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect((reply.data.finishing?.turns ?? 0) + (reply.data.finishing?.audioMs ?? 0)).toBeGreaterThan(0);
    const beforeReply = client.events.slice(0, atReply);
    expect(named(beforeReply, 'session:end')).toHaveLength(0);
    expect(named(beforeReply, 'score:final')).toHaveLength(0);

    await waitFor(client.events, (events) => named(events, 'session:end').length === 1, 120_000);
    const finals = named(client.events, 'transcript:final').filter((event) => String(event.payload.text).trim() !== '');
    expect(finals.length).toBeGreaterThanOrEqual(3);
    // The screen saw finals land after the reply: they were being transcribed in the background.
    expect(named(client.events.slice(atReply), 'transcript:final').length).toBeGreaterThan(0);
    expect(finals.map((event) => String(event.payload.text)).join(' ').toLowerCase()).toContain('country');

    const answerIds = answerIdsOf(client.events);
    expect(answerIds.length).toBeGreaterThanOrEqual(1);
    // "Scoring n of m" reaches the screen until every answer is scored.
    const scoredAll = (event: ReceivedEvent): boolean =>
      event.name === 'analysis:progress' && event.payload.pending === 0 && event.payload.done === event.payload.total && Number(event.payload.total) >= answerIds.length;
    await waitFor(client.events, (events) => events.some(scoredAll), 120_000);
    expect(client.events.find(scoredAll)?.payload).toMatchObject({ sessionId, total: answerIds.length, failed: 0 });
    expect(named(client.events, 'analysis:progress').some((event) => Number(event.payload.pending) > 0)).toBe(true);
    const detail = repository.getInterviewDetail(sessionId);
    for (const answerId of answerIds) expect(detail?.turns.find((turn) => turn.turnId === answerId)?.score?.label).toBe('answer');
    // Follow-ups are for the live interview: none was asked for after the stop.
    const followUpCalls = llm.chatRequests().filter((request) => analysisCallOf(request) === 'followups');
    expect(followUpCalls).toHaveLength(0);

    // Retry after the stop scores the answer again (it used to answer "no analysis to retry").
    const turnId = String(answerIds[0]);
    const scoresBefore = named(client.events, 'score:final').length;
    const retried = await client.socket.timeout(10_000).emitWithAck('analysis:retry', { sessionId, turnId });
    expect(retried).toEqual({ ok: true, data: { turnId } });
    await waitFor(client.events, (events) => named(events, 'score:final').length > scoresBefore, 60_000);
    expect(named(client.events, 'score:final').at(-1)?.payload.turnId).toBe(turnId);
    client.socket.disconnect();
  }, 240_000);

  it('a restart mid-analysis picks the unscored answers up; the report waits for them, and a failed one is retried after the restart', async () => {
    const dataDir = await newDataDir();
    // The first process never gets an answer from the model.
    llm.setResponder(() => fakeScripts.hang());
    const first = await startApp(dataDir);
    const client = await connectClient(first.port, authOf(first.port));
    const sessionId = await startSession(client.socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    await streamAudio(client.socket, sessionId, 'candidate', jfk, { speed: Infinity });
    expect((await stopSession(client.socket, sessionId)).ok).toBe(true);
    await waitFor(client.events, (events) => named(events, 'session:end').length === 1, 120_000);
    const finals = named(client.events, 'transcript:final').filter((event) => String(event.payload.text).trim() !== '').length;
    expect(finals).toBeGreaterThanOrEqual(3);
    // A speech with no question in it: its turns are one answer.
    const answers = answerIdsOf(client.events).length;
    expect(answers).toBeGreaterThanOrEqual(1);
    expect(first.repository.analysisJobs.jobsOf(sessionId).filter((job) => job.state === 'queued' || job.state === 'running').length).toBeGreaterThanOrEqual(answers);
    const waiting = await reportOf(first.port, sessionId);
    expect(waiting.summary.recommendation).toBe('scoring');
    expect(waiting.summary.analysis).toMatchObject({ done: 0, pending: answers });
    client.socket.disconnect();
    await first.close();

    // The next process: the model answers, except the first score call, which it refuses for good.
    let refused = '';
    const quoting = quotingAnalysisResponder();
    llm.setResponder((request) => {
      if (!refused && analysisCallOf(request) === 'score') {
        refused = analysisAnswerOf(request);
        return fakeScripts.error(400, 'this request is malformed');
      }
      return quoting(request);
    });
    const second = await startApp(dataDir);
    const settled = async (): Promise<{ total: number; done: number; pending: number; failed: number }> => {
      for (;;) {
        const progress = second.repository.analysisJobs.progressOf([sessionId]).get(sessionId);
        if (progress && progress.pending === 0) return progress;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    expect(await settled()).toMatchObject({ done: answers - 1, failed: 1 });
    expect((await reportOf(second.port, sessionId)).summary.recommendation).not.toBe('scoring');
    const failed = second.repository.analysisJobs.jobsOf(sessionId).find((job) => job.state === 'failed-terminal');
    expect(failed?.input.text.trim()).toBe(refused);

    // A review screen opened after the restart retries it and sees its score land.
    const reviewer = await connectClient(second.port, authOf(second.port));
    const turnId = failed?.answerId ?? '';
    expect(await reviewer.socket.timeout(10_000).emitWithAck('analysis:retry', { sessionId, turnId })).toEqual({ ok: true, data: { turnId } });
    await waitFor(reviewer.events, (events) => events.some((event) => event.name === 'score:final' && event.payload.turnId === turnId), 60_000);
    expect(await settled()).toMatchObject({ total: answers, done: answers, failed: 0 });
    const report = await reportOf(second.port, sessionId);
    expect(report.summary.recommendation).not.toBe('scoring');
    expect(report.summary.counts.scored).toBe(answers);
    reviewer.socket.disconnect();
  }, 240_000);
});
