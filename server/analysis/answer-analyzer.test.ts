import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AnalysisErrorEvent, FollowUpDeltaEvent, FollowUpEndEvent, Language, ScoreFinalEvent, SessionContext } from '../../protocol/schemas.ts';
import {
  analysisAnswerOf,
  analysisCallOf,
  analysisResponder,
  defaultRubricScore,
  followUpsReply,
  jsonScript,
  scoreReply,
  type ScriptSource,
} from '../../test/fakes/fake-analysis-answers.ts';
import { fakeScripts, startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeLlmServer } from '../../test/fakes/fake-llm-server.ts';
import { createLlmClient, type LlmConfig } from '../llm/client.ts';
import { createPromptLibrary } from '../prompts.ts';
import { createAnswerAnalyzer, type AnalysisSink, type AnswerAnalyzerOptions, type CandidateAnswer } from './answer-analyzer.ts';

type SinkEntry =
  | { type: 'followupDelta'; event: FollowUpDeltaEvent }
  | { type: 'followupEnd'; event: FollowUpEndEvent }
  | { type: 'scoreFinal'; event: ScoreFinalEvent }
  | { type: 'analysisError'; event: AnalysisErrorEvent };

/** A sink that records everything it receives, in order. */
function recordingSink(): AnalysisSink & { entries: SinkEntry[]; of<T extends SinkEntry['type']>(type: T, turnId?: string): Extract<SinkEntry, { type: T }>['event'][] } {
  const entries: SinkEntry[] = [];
  return {
    entries,
    followupDelta: (event) => void entries.push({ type: 'followupDelta', event }),
    followupEnd: (event) => void entries.push({ type: 'followupEnd', event }),
    scoreFinal: (event) => void entries.push({ type: 'scoreFinal', event }),
    analysisError: (event) => void entries.push({ type: 'analysisError', event }),
    of(type, turnId) {
      return entries.filter((entry) => entry.type === type && (turnId === undefined || entry.event.turnId === turnId)).map((entry) => entry.event) as never;
    },
  };
}

const prompts = createPromptLibrary();
let server: FakeLlmServer;
let session: AbortController;

beforeEach(async () => {
  server = await startFakeLlmServer();
  session = new AbortController();
});
afterEach(async () => {
  session.abort();
  await server.close();
});

function setup(
  options: {
    language?: Language;
    context?: SessionContext;
    analyzer?: Partial<AnswerAnalyzerOptions>;
    llm?: Partial<LlmConfig>;
    followups?: ScriptSource;
    score?: ScriptSource;
  } = {},
) {
  server.setResponder(
    analysisResponder({
      followups: options.followups ?? jsonScript(followUpsReply(kafkaSuggestion)),
      score: options.score ?? jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 6, problem_solving: 8 }, QUOTED)),
    }),
  );
  const sink = recordingSink();
  const llm = createLlmClient({
    baseUrl: server.baseUrl,
    model: FAKE_DEFAULT_MODEL,
    timeoutMs: 5_000,
    maxRetries: 2,
    structuredOutput: 'auto',
    retryBaseDelayMs: 5,
    ...options.llm,
  });
  const analyzer = createAnswerAnalyzer({
    llm,
    prompts,
    context: options.context ?? { role: 'Backend engineer' },
    language: options.language ?? 'en',
    sink,
    signal: session.signal,
    options: { logger: { warn: () => {} }, ...options.analyzer },
  });
  return { analyzer, sink, llm };
}

const answerText = 'We moved billing to Kafka. It cut latency by 40%.';
/** Evidence the fake model quotes: the candidate's own words, so the dimensions keep their scores. */
const QUOTED = ['moved billing to Kafka'];
function answer(overrides: Partial<CandidateAnswer> = {}): CandidateAnswer {
  return {
    turnId: 't1',
    sessionId: 's1',
    text: answerText,
    startMs: 10_000,
    endMs: 14_500,
    segments: [
      { text: 'We moved billing to Kafka.', startMs: 10_000, endMs: 12_000 },
      { text: 'It cut latency by 40%.', startMs: 12_500, endMs: 14_500 },
    ],
    question: 'Tell me about a system you scaled.',
    history: [{ channel: 'interviewer', text: 'Tell me about a system you scaled.' }],
    ...overrides,
  };
}

const kafkaSuggestion = {
  question: 'How did you measure the 40% latency cut?',
  buildsOn: 'it cut latency by 40%',
  probes: 'the claimed latency win',
};
const partitionSuggestion = {
  question: 'How did you partition the "billing" topics?',
  buildsOn: 'moved billing to Kafka',
  probes: 'Kafka depth',
};

describe('AnswerAnalyzer', () => {
  it('streams follow-up text (never JSON), then validated suggestions and a score card', async () => {
    const { analyzer, sink } = setup({
      followups: jsonScript(followUpsReply(kafkaSuggestion, partitionSuggestion), { chunkSize: 7 }),
      score: jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 6, problem_solving: 8 }, ['moved billing to Kafka', 'we rewrote it in Rust'])),
    });
    expect(analyzer.submit(answer())).toEqual({ ok: true, data: { turnId: 't1', position: 0 } });
    await analyzer.idle();

    const deltas = sink.of('followupDelta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.every((delta) => delta.sessionId === 's1' && delta.turnId === 't1')).toBe(true);
    expect(deltas.map((delta) => delta.text).join('')).toBe(`${kafkaSuggestion.question}\n${partitionSuggestion.question}`);

    expect(sink.of('followupEnd')).toEqual([
      {
        sessionId: 's1',
        turnId: 't1',
        suggestions: [
          // buildsOn becomes the transcript's own words.
          { ...kafkaSuggestion, buildsOn: 'It cut latency by 40' },
          partitionSuggestion,
        ],
      },
    ]);
    const [final] = sink.of('scoreFinal');
    const kafkaEvidence = { quote: 'moved billing to Kafka', startMs: Math.round(10_000 + (3 / 26) * 2000), endMs: Math.round(10_000 + (25 / 26) * 2000) };
    expect(final).toEqual({
      sessionId: 's1',
      turnId: 't1',
      score: {
        label: 'answer',
        dimensions: [
          {
            id: 'technical_skill',
            name: 'Technical skill',
            score: 7,
            reason: 'Knows the tools.',
            // The invented quote is dropped; the real one is timed by its characters 3..25 in the first segment.
            evidence: [kafkaEvidence],
          },
          { id: 'clarity', name: 'Clarity', score: 6, reason: 'Clear enough.', evidence: [kafkaEvidence] },
          { id: 'problem_solving', name: 'Problem solving', score: 8, reason: 'Reasoned about the bottleneck.', evidence: [kafkaEvidence] },
        ],
        overall: 7,
        evidencedDimensions: 3,
        quotes: { claimed: 6, verified: 3 },
        remark: 'A remark.',
        model: FAKE_DEFAULT_MODEL,
        promptVersion: 'answer-score@3+analysis-context@2+analysis-data@1',
        rubricVersion: 'default@1',
      },
    });
    expect(sink.of('analysisError')).toEqual([]);
    expect(analyzer.stats()).toMatchObject({ submitted: 1, completed: 1, failed: 0, dropped: 0 });
  });

  it('starts the follow-up call first and the score call once the first follow-up token is out, sharing the system prompt', async () => {
    const { analyzer } = setup({ followups: jsonScript(followUpsReply(kafkaSuggestion), { timeToFirstTokenMs: 80, chunkDelayMs: 10 }) });
    analyzer.submit(answer());
    await analyzer.idle();
    const [followups, score] = server.chatRequests();
    expect(followups && analysisCallOf(followups)).toBe('followups');
    expect(score && analysisCallOf(score)).toBe('score');
    expect(score?.receivedAtMs).toBeGreaterThanOrEqual(followups?.firstContentAtMs ?? Infinity);
    const messages = (request: typeof followups) => request?.body?.messages as Array<{ role: string; content: string }>;
    expect(messages(followups)[0]).toEqual(messages(score)[0]);
    expect(messages(followups)[0]?.content).not.toContain(answerText);
    // The same data leads both user messages, so the shared prefix runs through it.
    const data = (request: typeof followups) => messages(request)[1]?.content.split('\n\n')[0];
    expect(data(followups)).toEqual(data(score));
    expect(followups && analysisAnswerOf(followups)).toBe(answerText);
    expect(followups?.body).toMatchObject({ temperature: 0.6, max_tokens: 700 });
    expect(score?.body).toMatchObject({ temperature: 0, max_tokens: 1050 });
  });

  it("honours scoreStart 'concurrent' and 'after-followups'", async () => {
    const slow = jsonScript(followUpsReply(kafkaSuggestion), { timeToFirstTokenMs: 80 });
    const concurrent = setup({ analyzer: { scoreStart: 'concurrent' }, followups: slow });
    concurrent.analyzer.submit(answer({ turnId: 'c' }));
    await concurrent.analyzer.idle();
    let [followups, score] = server.chatRequests();
    expect(score?.receivedAtMs).toBeLessThan(followups?.firstContentAtMs ?? 0);

    const sequential = setup({ analyzer: { scoreStart: 'after-followups' }, followups: slow });
    sequential.analyzer.submit(answer({ turnId: 's' }));
    await sequential.analyzer.idle();
    [followups, score] = server.chatRequests().slice(2);
    expect(score?.receivedAtMs).toBeGreaterThanOrEqual(followups?.endedAtMs ?? Infinity);
    expect(sequential.sink.entries.map((e) => e.type).filter((t) => t !== 'followupDelta')).toEqual(['followupEnd', 'scoreFinal']);
  });

  it('drops a buildsOn quote the candidate never said, keeping the question', async () => {
    const { analyzer, sink } = setup({
      followups: jsonScript(followUpsReply({ ...kafkaSuggestion, buildsOn: 'we use microservices everywhere' })),
    });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(sink.of('followupEnd')[0]?.suggestions).toEqual([{ ...kafkaSuggestion, buildsOn: '' }]);
  });

  it('labels a non-answer without dimensions or overall, even if the model scored it', async () => {
    const { analyzer, sink } = setup({
      score: jsonScript({ ...defaultRubricScore({ technical_skill: 9, clarity: 9, problem_solving: 9 }, QUOTED), label: 'non-answer', remark: 'Declined.' }),
    });
    analyzer.submit(answer({ text: "I'd rather not say, can we skip this one?", segments: [] }));
    await analyzer.idle();
    expect(sink.of('scoreFinal')[0]?.score).toEqual({
      label: 'non-answer',
      dimensions: [],
      overall: null,
      remark: 'Declined.',
      model: FAKE_DEFAULT_MODEL,
      promptVersion: 'answer-score@3+analysis-context@2+analysis-data@1',
      rubricVersion: 'default@1',
    });
  });

  it('labels an empty transcript without calling the model', async () => {
    const { analyzer, sink } = setup();
    analyzer.submit(answer({ text: ' Um, uh… [BLANK_AUDIO] ', segments: [] }));
    await analyzer.idle();
    expect(server.chatRequests()).toEqual([]);
    expect(sink.entries).toEqual([
      {
        type: 'scoreFinal',
        event: {
          sessionId: 's1',
          turnId: 't1',
          score: {
            label: 'empty',
            dimensions: [],
            overall: null,
            remark: 'The candidate said nothing that could be assessed.',
            model: 'none',
            promptVersion: 'empty-answer-remark@1',
            rubricVersion: 'default@1',
          },
        },
      },
    ]);
  });

  it('weights the overall score by the session rubric', async () => {
    const rubric = {
      version: 'backend@2',
      dimensions: [
        { id: 'depth', name: 'Depth', description: 'Technical depth', weight: 3 },
        { id: 'communication', name: 'Communication', description: '', weight: 1 },
      ],
    };
    const { analyzer, sink } = setup({
      context: { role: 'Backend engineer', rubric },
      score: jsonScript(
        scoreReply('answer', {
          depth: { reason: 'Deep.', evidence: ['cut latency by 40%'], score: 8 },
          communication: { reason: 'Rambling.', evidence: ['We moved billing'], score: 3 },
        }),
      ),
    });
    analyzer.submit(answer());
    await analyzer.idle();
    const score = sink.of('scoreFinal')[0]?.score;
    expect(score?.overall).toBe(6.8); // (3*8 + 1*3) / 4 = 6.75
    expect(score?.rubricVersion).toBe('backend@2');
    expect(score?.dimensions.map((d) => [d.id, d.name, d.score])).toEqual([
      ['depth', 'Depth', 8],
      ['communication', 'Communication', 3],
    ]);
    expect(score?.dimensions[0]?.evidence).toEqual([{ quote: 'cut latency by 40', startMs: 12_500 + Math.round((3 / 22) * 2000), endMs: 12_500 + Math.round((20 / 22) * 2000) }]);
    const scoreRequest = server.chatRequests().find((r) => analysisCallOf(r) === 'score');
    const schema = (scoreRequest?.body?.response_format as { json_schema: { schema: { properties: { dimensions: { required?: string[] } } } } }).json_schema.schema;
    expect(schema.properties.dimensions.required).toEqual(['depth', 'communication']);
  });

  it('repairs broken score JSON, and sends nothing partial when the repair fails too', async () => {
    const good = defaultRubricScore({ technical_skill: 5, clarity: 5, problem_solving: 5 }, QUOTED);
    const first = setup({ score: [fakeScripts.brokenJson(good), jsonScript(good)] });
    first.analyzer.submit(answer());
    await first.analyzer.idle();
    expect(first.sink.of('scoreFinal')[0]?.score.overall).toBe(5);
    expect(first.sink.of('analysisError')).toEqual([]);

    const second = setup({ score: [fakeScripts.brokenJson(good), fakeScripts.text('{"label": "answer", "dimensions": nul')] });
    second.analyzer.submit(answer({ turnId: 't2' }));
    await second.analyzer.idle();
    expect(second.sink.of('scoreFinal')).toEqual([]);
    expect(second.sink.of('followupEnd')).toHaveLength(1);
    const [error] = second.sink.of('analysisError');
    expect(error).toMatchObject({ sessionId: 's1', turnId: 't2', code: 'llm-invalid-output', retryable: true });
    expect(error?.message).toMatch(/^Scoring failed: the model's reply was not a valid answer_score object, even after one repair request/);
  });

  it('repairs a score that fails the schema (dimensions missing: required for every label)', async () => {
    const { analyzer, sink } = setup({
      score: [jsonScript(scoreReply('answer', null)), jsonScript(defaultRubricScore({ technical_skill: 4, clarity: 4, problem_solving: 4 }, QUOTED))],
    });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(sink.of('scoreFinal')[0]?.score.overall).toBe(4);
    const repair = server.chatRequests().filter((r) => analysisCallOf(r) === 'score')[1];
    const repairMessages = repair?.body?.messages as Array<{ role: string; content: string }>;
    expect(repairMessages.at(-1)?.content).toMatch(/expected object, received null\n  → at dimensions/);
  });

  it('retries an HTTP 500 and delivers as if nothing happened', async () => {
    const { analyzer, sink } = setup({
      followups: [fakeScripts.error(500, 'engine restarting'), jsonScript(followUpsReply(kafkaSuggestion))],
    });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(sink.of('followupDelta').map((d) => d.text).join('')).toBe(kafkaSuggestion.question);
    expect(sink.of('followupEnd')).toHaveLength(1);
    expect(sink.of('scoreFinal')).toHaveLength(1);
    expect(sink.of('analysisError')).toEqual([]);
  });

  it('reports a hang as llm-timeout for each part, retryable', async () => {
    const { analyzer, sink } = setup({ llm: { timeoutMs: 300 }, followups: fakeScripts.hang(), score: fakeScripts.hang('after-headers') });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(sink.entries.map((entry) => entry.type)).toEqual(['analysisError', 'analysisError']);
    expect(sink.of('analysisError').map((e) => [e.code, e.retryable, e.message.split(':')[0]])).toEqual([
      ['llm-timeout', true, 'Follow-up suggestions failed'],
      ['llm-timeout', true, 'Scoring failed'],
    ]);
    expect(analyzer.stats()).toMatchObject({ failed: 1, completed: 0 });
  });

  it('does not repeat streamed text when the connection drops mid-stream and the retry resumes', async () => {
    const reply = followUpsReply(kafkaSuggestion);
    const { analyzer, sink } = setup({
      followups: [fakeScripts.drop(JSON.stringify(reply), 10, { chunkSize: 4 }), jsonScript(reply, { chunkSize: 4 })],
    });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(sink.of('followupDelta').map((d) => d.text).join('')).toBe(kafkaSuggestion.question);
    expect(sink.of('followupEnd')).toHaveLength(1);
    expect(server.chatRequests().filter((r) => analysisCallOf(r) === 'followups').map((r) => r.outcome)).toEqual(['dropped', 'completed']);
  });

  it('falls back to instructions-only JSON when the server refuses response_format', async () => {
    await server.close();
    server = await startFakeLlmServer({ rejectResponseFormats: ['json_schema', 'json_object'] });
    const { analyzer, sink, llm } = setup({
      followups: fakeScripts.text(`Here you go:\n\`\`\`json\n${JSON.stringify(followUpsReply(kafkaSuggestion))}\n\`\`\``),
    });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(llm.structuredOutput).toBe('none');
    expect(sink.of('followupDelta').map((d) => d.text).join('')).toBe(kafkaSuggestion.question);
    expect(sink.of('followupEnd')[0]?.suggestions[0]?.question).toBe(kafkaSuggestion.question);
    expect(sink.of('scoreFinal')).toHaveLength(1);
    expect(sink.of('analysisError')).toEqual([]);
  });

  it('keeps answers in order under a burst and reports the one the full queue dropped', async () => {
    const { analyzer, sink } = setup({
      analyzer: { queueCapacity: 2 },
      followups: (request) => {
        const text = analysisAnswerOf(request);
        const turn = /answer number (\d)/.exec(text)?.[1] ?? '?';
        return jsonScript(followUpsReply({ ...kafkaSuggestion, question: `Question for answer ${turn}?` }), { timeToFirstTokenMs: 20 });
      },
    });
    const results = [1, 2, 3, 4].map((n) => analyzer.submit(answer({ turnId: `t${n}`, text: `This is answer number ${n} about Kafka.`, segments: [] })));
    expect(results.map((r) => r.ok && r.data.position)).toEqual([0, 0, 1, 1]);
    await analyzer.idle();

    // t1 runs at once; t2 and t3 wait; t4 arrives with the queue full, so t2 (the oldest waiting) is dropped.
    const [dropped] = sink.of('analysisError');
    expect(dropped).toMatchObject({ turnId: 't2', code: 'queue-overflow', retryable: true });
    const order = sink.entries.filter((e) => e.type !== 'followupDelta').map((e) => `${e.event.turnId}:${e.type}`);
    expect(order.filter((entry) => !entry.startsWith('t2'))).toEqual([
      't1:followupEnd',
      't1:scoreFinal',
      't3:followupEnd',
      't3:scoreFinal',
      't4:followupEnd',
      't4:scoreFinal',
    ]);
    expect(sink.of('followupEnd').map((e) => e.suggestions[0]?.question)).toEqual(['Question for answer 1?', 'Question for answer 3?', 'Question for answer 4?']);
    expect(analyzer.stats()).toMatchObject({ submitted: 4, completed: 3, dropped: 1 });

    // Nothing is lost: the dropped answer can be retried.
    expect(analyzer.retry('t2')).toEqual({ ok: true, data: { turnId: 't2' } });
    await analyzer.idle();
    expect(sink.of('followupEnd', 't2')[0]?.suggestions[0]?.question).toBe('Question for answer 2?');
    expect(sink.of('scoreFinal', 't2')).toHaveLength(1);
  });

  it('cancels outstanding calls on stop and sends nothing more', async () => {
    const { analyzer, sink } = setup({
      followups: jsonScript(followUpsReply(kafkaSuggestion), { timeToFirstTokenMs: 10_000 }),
      score: jsonScript(defaultRubricScore({ technical_skill: 5, clarity: 5, problem_solving: 5 }, QUOTED), { timeToFirstTokenMs: 10_000 }),
    });
    analyzer.submit(answer({ turnId: 't1' }));
    analyzer.submit(answer({ turnId: 't2' }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.inFlight()).toBe(1);
    session.abort();
    await analyzer.idle();
    await server.waitForIdle();
    expect(sink.entries).toEqual([]);
    expect(server.chatRequests().map((r) => r.outcome)).toEqual(['client-aborted']);
    expect(analyzer.stats()).toMatchObject({ cancelled: 2, failed: 0, completed: 0 });
    expect(analyzer.submit(answer({ turnId: 't3' }))).toMatchObject({ ok: false, error: { code: 'session-stopped' } });
    expect(analyzer.retry('t1')).toMatchObject({ ok: false, error: { code: 'session-stopped' } });
  });

  it('retries only the failed part of a turn', async () => {
    const { analyzer, sink } = setup({
      llm: { maxRetries: 0 },
      score: [fakeScripts.error(503, 'overloaded'), jsonScript(defaultRubricScore({ technical_skill: 6, clarity: 6, problem_solving: 6 }, QUOTED))],
    });
    analyzer.submit(answer());
    await analyzer.idle();
    expect(sink.of('analysisError')).toEqual([
      { sessionId: 's1', turnId: 't1', code: 'llm-error', message: 'Scoring failed: the LLM server answered 503: overloaded', retryable: true },
    ]);
    expect(analyzer.retry('nope')).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(analyzer.retry('t1')).toEqual({ ok: true, data: { turnId: 't1' } });
    await analyzer.idle();
    expect(sink.of('followupEnd')).toHaveLength(1);
    expect(sink.of('scoreFinal')[0]?.score.overall).toBe(6);
    expect(server.chatRequests().map(analysisCallOf)).toEqual(['followups', 'score', 'score']);
  });

  it('a retry asked while the turn is still running (score failed, follow-ups still streaming) runs once the turn is done', async () => {
    const { analyzer, sink } = setup({
      llm: { maxRetries: 0 },
      analyzer: { scoreStart: 'concurrent' },
      followups: jsonScript(followUpsReply(kafkaSuggestion), { chunkDelayMs: 30, chunkSize: 4 }),
      score: [fakeScripts.error(500, 'out of memory'), jsonScript(defaultRubricScore({ technical_skill: 6, clarity: 6, problem_solving: 6 }, QUOTED))],
    });
    analyzer.submit(answer());
    // The interviewer sees the score's error and presses Retry at once, while the follow-ups are still streaming.
    while (sink.of('analysisError').length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sink.of('followupEnd')).toHaveLength(0);
    expect(analyzer.retry('t1')).toEqual({ ok: true, data: { turnId: 't1' } });
    await analyzer.idle();
    expect(sink.of('followupEnd')).toHaveLength(1);
    expect(sink.of('scoreFinal')[0]?.score.overall).toBe(6);
    expect(server.chatRequests().map(analysisCallOf)).toEqual(['followups', 'score', 'score']);
    expect(analyzer.stats()).toMatchObject({ retried: 1 });
  });

  it('speaks Chinese in a Chinese session and auto-detects a Chinese turn', async () => {
    const zhSuggestion = { question: '你们是怎么衡量延迟降低的？', buildsOn: '延迟降低了百分之四十', probes: '性能数据的可信度' };
    const zhAnswer = answer({
      text: '我们把计费迁移到了 Kafka，延迟降低了百分之四十。',
      segments: [{ text: '我们把计费迁移到了 Kafka，延迟降低了百分之四十。', startMs: 0, endMs: 3_000 }],
      question: '介绍一个你扩展过的系统。',
      history: [],
    });
    for (const language of ['zh', 'auto'] as const) {
      const { analyzer, sink } = setup({
        language,
        followups: jsonScript(followUpsReply(zhSuggestion), { chunkSize: 3 }),
        score: jsonScript(defaultRubricScore({ technical_skill: 7, clarity: 7, problem_solving: 7 }, ['计费迁移到了Kafka'])),
      });
      analyzer.submit({ ...zhAnswer, turnId: `zh-${language}` });
      await analyzer.idle();
      expect(sink.of('followupDelta').map((d) => d.text).join('')).toBe(zhSuggestion.question);
      expect(sink.of('followupEnd')[0]?.suggestions).toEqual([zhSuggestion]);
      const score = sink.of('scoreFinal')[0]?.score;
      expect(score?.dimensions.map((d) => d.name)).toEqual(['技术能力', '表达清晰度', '问题解决']);
      expect(score?.dimensions[0]?.evidence[0]?.quote).toBe('计费迁移到了 Kafka');
    }
    for (const request of server.chatRequests()) {
      const messages = request.body?.messages as Array<{ role: string; content: string }>;
      expect(messages[0]?.content).toContain('你是 Viva');
      expect(messages[1]?.content).toMatch(/追问|评估/);
    }
  });

  it('refuses an invalid answer with a clear error', () => {
    const { analyzer } = setup();
    const result = analyzer.submit({ ...answer(), turnId: '' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-payload' } });
    expect(!result.ok && result.error.message).toContain('turnId');
  });
});
