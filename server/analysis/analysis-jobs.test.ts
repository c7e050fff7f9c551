import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalysisProgress } from '../../protocol/schemas.ts';
import { analysisAnswerOf, analysisCallOf, analysisResponder, defaultRubricScore, followUpsReply, jsonScript } from '../../test/fakes/fake-analysis-answers.ts';
import { fakeScripts, startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeLlmServer } from '../../test/fakes/fake-llm-server.ts';
import { createLlmClient } from '../llm/client.ts';
import type { LlmProvider } from '../llm/provider.ts';
import { silentLogger } from '../logger.ts';
import { createPromptLibrary } from '../prompts.ts';
import { dataPaths } from '../store/paths.ts';
import { createRepository, type InterviewRepository } from '../store/repository.ts';
import { createAnalysisJobs, type AnalysisJobs, type AnswerJob, type JobTarget } from './analysis-jobs.ts';

const prompts = createPromptLibrary();
let server: FakeLlmServer;
let jobs: AnalysisJobs | undefined;

beforeEach(async () => {
  server = await startFakeLlmServer();
});
afterEach(async () => {
  await jobs?.close();
  jobs = undefined;
  await server.close();
});

/** The fake vLLM through the real client, wrapped to record how many calls are in flight at once. */
function countingProvider(kind: LlmProvider['kind']): LlmProvider & { maxInFlight: number } {
  const client = createLlmClient({ baseUrl: server.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 10_000, maxRetries: 0, structuredOutput: 'json_schema' });
  let inFlight = 0;
  const provider = {
    ...client,
    kind,
    maxInFlight: 0,
    async streamChat(request: Parameters<LlmProvider['streamChat']>[0]) {
      inFlight++;
      provider.maxInFlight = Math.max(provider.maxInFlight, inFlight);
      try {
        return await client.streamChat(request);
      } finally {
        inFlight--;
      }
    },
  };
  return provider;
}

/** A target that records what reaches it (`seen`). */
function recordingTarget() {
  const seen = { scores: [] as string[], errors: [] as string[], followUpsEnded: [] as string[], progress: [] as AnalysisProgress[] };
  const target: JobTarget & { seen: typeof seen } = {
    context: { role: 'Backend engineer' },
    language: 'en',
    followUps: 'fresh',
    seen,
    sink: {
      followupDelta: () => {},
      followupEnd: (event) => void seen.followUpsEnded.push(event.turnId),
      scoreFinal: (event) => void seen.scores.push(event.turnId),
      analysisError: (event) => void seen.errors.push(`${event.turnId}:${event.code}`),
      progress: (progress) => void seen.progress.push(progress),
    },
  };
  return target;
}

const answerOf = (answerId: string, text: string, endMs: number, interviewId = 'i1'): AnswerJob => ({
  interviewId,
  answerId,
  input: { text, startMs: endMs - 3000, endMs, segments: [], history: [], question: 'Tell me about a system you scaled.' },
});

/** Resolves once the fake has received `count` chat requests. */
async function untilRequests(count: number): Promise<void> {
  while (server.chatRequests().length < count) await new Promise((resolve) => setTimeout(resolve, 10));
}

const TEXTS = { a1: 'We moved billing to Kafka last spring.', a2: 'I led the move to Postgres partitions.', a3: 'Our cache hit rate went to ninety percent.' };

function respondSlowly(delayMs: number): void {
  server.setResponder(
    analysisResponder({
      followups: jsonScript(followUpsReply({ question: 'How did you measure it?', buildsOn: 'moved', probes: 'measurement' }), { timeToFirstTokenMs: delayMs }),
      score: (request) => jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 6, problem_solving: 8 }, [analysisAnswerOf(request).split(' ').slice(0, 3).join(' ')]), { timeToFirstTokenMs: delayMs }),
    }),
  );
}

describe('analysis jobs', () => {
  it('with a one-call model: one call in flight, stale follow-ups cancelled, then scores newest first', async () => {
    respondSlowly(150);
    const llm = countingProvider('embedded');
    jobs = createAnalysisJobs({ llm, prompts, logger: silentLogger, maxConcurrentCalls: 1 });
    const target = recordingTarget();
    jobs.attach('i1', target);
    // Three answers in a row: the interviewer moved on from the first two before their follow-ups could help.
    jobs.enqueue(answerOf('a1', TEXTS.a1, 5_000));
    await untilRequests(1);
    jobs.enqueue(answerOf('a2', TEXTS.a2, 10_000));
    jobs.enqueue(answerOf('a3', TEXTS.a3, 15_000));
    await jobs.idle('i1');

    expect(llm.maxInFlight).toBe(1);
    expect(jobs.stats()).toMatchObject({ staleBeforeCall: 1, staleDuringCall: 1, scored: 3, failed: 0, maxInFlight: 1 });
    const calls = server.chatRequests().map((request) => `${analysisCallOf(request)}:${analysisAnswerOf(request)}`);
    // The first follow-up started and was cancelled; the latest answer's follow-up came before any score.
    expect(calls).toEqual([`followups:${TEXTS.a1}`, `followups:${TEXTS.a3}`, `score:${TEXTS.a3}`, `score:${TEXTS.a2}`, `score:${TEXTS.a1}`]);
    expect(server.requests.find((request) => analysisAnswerOf(request) === TEXTS.a1)?.outcome).toBe('client-aborted');
    expect(target.seen.scores.sort()).toEqual(['a1', 'a2', 'a3']);
    expect(target.seen.progress.at(-1)).toEqual({ total: 3, done: 3, pending: 0, failed: 0 });
  });

  it('with an endpoint: calls run in parallel', async () => {
    respondSlowly(300);
    const llm = countingProvider('openai-compatible');
    jobs = createAnalysisJobs({ llm, prompts, logger: silentLogger, maxConcurrentCalls: 4 });
    jobs.attach('i1', recordingTarget());
    jobs.attach('i2', recordingTarget());
    jobs.enqueue(answerOf('a1', TEXTS.a1, 5_000, 'i1'));
    jobs.enqueue(answerOf('a2', TEXTS.a2, 5_000, 'i2'));
    await jobs.idle();
    expect(llm.maxInFlight).toBeGreaterThan(1);
    expect(jobs.stats()).toMatchObject({ scored: 2, staleBeforeCall: 0, staleDuringCall: 0 });
  });

  it('drops the follow-up of an answer the interviewer moved on from, and none after the stop; the score still comes', async () => {
    respondSlowly(200);
    jobs = createAnalysisJobs({ llm: countingProvider('embedded'), prompts, logger: silentLogger, maxConcurrentCalls: 1 });
    const target = recordingTarget();
    jobs.attach('i1', target);
    jobs.enqueue(answerOf('a1', TEXTS.a1, 5_000));
    await untilRequests(1);
    jobs.interviewerTurn('i1', 6_000);
    // An answer that ends before the interviewer's latest turn was already moved on from when it arrives.
    jobs.enqueue(answerOf('a0', TEXTS.a2, 5_500));
    jobs.sessionEnded('i1');
    await jobs.idle('i1');
    const kinds = server.chatRequests().map((request) => analysisCallOf(request));
    expect(kinds.filter((kind) => kind === 'followups')).toHaveLength(1);
    expect(jobs.stats()).toMatchObject({ staleDuringCall: 1, scored: 2 });
    expect(target.seen.scores.sort()).toEqual(['a0', 'a1']);
  });

  it('an answer that grows refreshes its follow-ups (the older run cancelled, the new one marked restart) and is scored once, when final', async () => {
    respondSlowly(150);
    jobs = createAnalysisJobs({ llm: countingProvider('embedded'), prompts, logger: silentLogger, maxConcurrentCalls: 1 });
    const restarts: boolean[] = [];
    const target = recordingTarget();
    jobs.attach('i1', { ...target, sink: { ...target.sink, followupDelta: (event) => void restarts.push(event.restart === true) } });
    const partial = answerOf('a1', 'We moved billing to Kafka', 4_000);
    jobs.refreshFollowUps(partial);
    await untilRequests(1);
    const grown = answerOf('a1', TEXTS.a1, 5_000);
    jobs.refreshFollowUps(grown);
    await untilRequests(2);
    while (target.seen.followUpsEnded.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // Final with the text the last follow-ups were built on: no third follow-up call, one score.
    jobs.enqueue(grown);
    await jobs.idle('i1');
    const calls = server.chatRequests().map((request) => `${analysisCallOf(request)}:${analysisAnswerOf(request)}`);
    expect(calls).toEqual(['followups:We moved billing to Kafka', `followups:${TEXTS.a1}`, `score:${TEXTS.a1}`]);
    expect(restarts[0]).toBe(true);
    expect(jobs.stats()).toMatchObject({ staleDuringCall: 1, scored: 1 });
    expect(target.seen.scores).toEqual(['a1']);
  });

  describe('with storage', () => {
    let dataDir: string;
    let repository: InterviewRepository;
    beforeEach(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'viva-jobs-runner-'));
      repository = createRepository(dataPaths(dataDir).dbPath);
      repository.createInterview({ id: 'i1', language: 'en', mode: 'copilot' });
      for (const turnId of ['a1', 'a2']) repository.saveTurn('i1', { turnId, channel: 'candidate', text: 'x', startMs: 0, endMs: 1 });
    });
    afterEach(async () => {
      await jobs?.close();
      jobs = undefined;
      repository.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('picks up what a stopped process left, and a failed answer can be retried after the session is gone', async () => {
      server.setResponder(() => fakeScripts.hang());
      const first = createAnalysisJobs({ llm: countingProvider('embedded'), prompts, logger: silentLogger, maxConcurrentCalls: 1, store: repository.analysisJobs });
      first.attach('i1', recordingTarget());
      first.enqueue(answerOf('a1', TEXTS.a1, 5_000));
      first.enqueue(answerOf('a2', TEXTS.a2, 9_000));
      first.sessionEnded('i1');
      // a1's follow-up was cancelled by the newer answer, a2's by the stop: only a2's score call reached the model.
      await untilRequests(1);
      await first.close();
      expect(repository.analysisJobs.unfinishedJobs().map((job) => job.answerId).sort()).toEqual(['a1', 'a2']);

      // The next process: a1's score fails for good, a2's lands.
      server.setResponder((request) =>
        analysisAnswerOf(request) === TEXTS.a1
          ? fakeScripts.error(400, 'bad request')
          : jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 6, problem_solving: 8 }, ['I led the move'])),
      );
      const stored = recordingTarget();
      jobs = createAnalysisJobs({
        llm: countingProvider('embedded'),
        prompts,
        logger: silentLogger,
        maxConcurrentCalls: 1,
        store: repository.analysisJobs,
        storedTarget: () => stored,
      });
      expect(jobs.resumeStored()).toBe(2);
      await jobs.idle();
      expect(stored.seen.scores).toEqual(['a2']);
      expect(repository.analysisJobs.getJob('i1', 'a1')).toMatchObject({ state: 'failed-terminal', error: { message: expect.stringContaining('bad request') } });
      expect(server.chatRequests().every((request) => analysisCallOf(request) === 'score')).toBe(true);

      server.setResponder(() => jsonScript(defaultRubricScore({ technical_skill: 5, clarity: 5, problem_solving: 5 }, ['We moved billing'])));
      expect(jobs.retry('i1', 'a1')).toEqual({ ok: true, data: { turnId: 'a1' } });
      await jobs.idle();
      expect(stored.seen.scores).toEqual(['a2', 'a1']);
      expect(repository.analysisJobs.progressOf(['i1']).get('i1')).toEqual({ total: 2, done: 2, pending: 0, failed: 0 });
      expect(jobs.retry('i1', 'nope')).toMatchObject({ ok: false, error: { code: 'not-found' } });
    });
  });
});
