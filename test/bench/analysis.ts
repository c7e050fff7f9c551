/**
 * Answer-analysis latency: end of answer → first followup:delta and → score:final, against a fake vLLM whose own
 * time-to-first-token and inter-chunk delay are known. Baseline: the raw openai SDK streaming the same scripts in the
 * same process, so Viva's overhead is what it adds on top of the SDK and the fake.
 * Run alone: npx tsx test/bench/analysis.ts
 */
import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createAnswerAnalyzer, type AnalysisSink, type ScoreStart } from '../../server/analysis/answer-analyzer.ts';
import { createLlmClient } from '../../server/llm/client.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { analysisResponder, defaultRubricScore, followUpsReply } from '../fakes/fake-analysis-answers.ts';
import { startFakeLlmServer, FAKE_DEFAULT_MODEL, type FakeContentScript } from '../fakes/fake-llm-server.ts';
import type { BenchRow, BenchSection } from './types.ts';
import { percentile } from './stats.ts';

/** The fake's time to first token and inter-chunk delay: about what vLLM serving a 7B model does on a GPU. */
export const TTFT_MS = 100;
export const CHUNK_DELAY_MS = 5;
const ANSWERS = 16;

const followUps = followUpsReply(
  { question: 'How did you measure the 40% latency cut?', buildsOn: 'It cut latency by 40%', probes: 'the claimed latency win' },
  { question: 'How did you partition the billing topics?', buildsOn: 'moved billing to Kafka', probes: 'Kafka depth' },
);
const score = defaultRubricScore({ technical_skill: 7, clarity: 6, problem_solving: 8 }, ['moved billing to Kafka']);

/** The first chunk already carries question text, so the fake's TTFT is exactly when the first question token exists. */
export function followUpScript(): FakeContentScript {
  const json = JSON.stringify(followUps);
  const firstEnd = json.indexOf('"question":"') + '"question":"'.length + 3;
  const rest = json.slice(firstEnd);
  const chunks = [json.slice(0, firstEnd), ...Array.from({ length: Math.ceil(rest.length / 4) }, (_, i) => rest.slice(i * 4, i * 4 + 4))];
  return { kind: 'content', content: json, chunks, timeToFirstTokenMs: TTFT_MS, chunkDelayMs: CHUNK_DELAY_MS };
}
export function scoreScript(): FakeContentScript {
  return { kind: 'content', content: JSON.stringify(score), chunkSize: 4, timeToFirstTokenMs: TTFT_MS, chunkDelayMs: CHUNK_DELAY_MS };
}
/** The fake's own time to stream a script to its end. */
function scriptDurationMs(script: FakeContentScript): number {
  const chunks = script.chunks?.length ?? Math.ceil(script.content.length / (script.chunkSize ?? 4));
  return TTFT_MS + (chunks - 1) * CHUNK_DELAY_MS;
}


export const answerText = 'We moved billing to Kafka. It cut latency by 40%, mostly by batching writes and partitioning by account.';

/** One analyzer measured one answer at a time. */
function vivaRunner(baseUrl: string, scoreStart: ScoreStart): { measure(turnId: string): Promise<{ firstDeltaMs: number; scoreFinalMs: number }>; stop(): void } {
  const llm = createLlmClient({ baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 10_000, maxRetries: 0, structuredOutput: 'auto' });
  const session = new AbortController();
  let firstDeltaAt: number | undefined;
  let scoreAt: number | undefined;
  const sink: AnalysisSink = {
    followupDelta: () => {
      firstDeltaAt ??= performance.now();
    },
    followupEnd: () => {},
    scoreFinal: () => {
      scoreAt = performance.now();
    },
    analysisError: (event) => {
      throw new Error(`bench: unexpected analysis:error ${event.code}: ${event.message}`);
    },
  };
  const analyzer = createAnswerAnalyzer({
    llm,
    prompts: createPromptLibrary(),
    context: { role: 'Backend engineer' },
    language: 'en',
    sink,
    signal: session.signal,
    options: { scoreStart },
  });
  return {
    async measure(turnId) {
      firstDeltaAt = undefined;
      scoreAt = undefined;
      const submittedAt = performance.now();
      analyzer.submit({ turnId, sessionId: 'bench', text: answerText, startMs: 0, endMs: 6_000, segments: [], question: 'Tell me about a system you scaled.', history: [] });
      await analyzer.idle();
      if (firstDeltaAt === undefined || scoreAt === undefined) throw new Error('bench: analysis did not complete');
      return { firstDeltaMs: firstDeltaAt - submittedAt, scoreFinalMs: scoreAt - submittedAt };
    },
    stop: () => session.abort(),
  };
}

/** The raw SDK streaming the same two scripts one after the other. */
export async function measureBaseline(client: OpenAI): Promise<{ firstQuestionMs: number; scoreDoneMs: number }> {
  const messages = [{ role: 'user' as const, content: answerText }];
  const started = performance.now();
  const stream = await client.chat.completions.create({
    model: FAKE_DEFAULT_MODEL,
    messages,
    stream: true,
    response_format: { type: 'json_schema', json_schema: { name: 'answer_followups', schema: {} } },
  });
  let text = '';
  let firstQuestionAt = Number.NaN;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    if (Number.isNaN(firstQuestionAt) && /"question":"./.test(text)) firstQuestionAt = performance.now();
  }
  const scoreStarted = performance.now();
  const scoreStream = await client.chat.completions.create({
    model: FAKE_DEFAULT_MODEL,
    messages,
    stream: true,
    response_format: { type: 'json_schema', json_schema: { name: 'answer_score', schema: {} } },
  });
  let scoreText = '';
  for await (const chunk of scoreStream) scoreText += chunk.choices[0]?.delta?.content ?? '';
  JSON.parse(scoreText);
  return { firstQuestionMs: firstQuestionAt - started, scoreDoneMs: performance.now() - scoreStarted };
}

/** Measures analysis latency and Viva's overhead over the fake LLM's own delays. */
export async function bench(): Promise<BenchSection> {
  const server = await startFakeLlmServer({ respond: analysisResponder({ followups: followUpScript, score: scoreScript }) });
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'not-needed', maxRetries: 0 });
  const gated = vivaRunner(server.baseUrl, 'after-first-token');
  const parallel = vivaRunner(server.baseUrl, 'concurrent');
  const baseline = { firstQuestionMs: [] as number[], scoreDoneMs: [] as number[] };
  const afterFirstToken = { firstDeltaMs: [] as number[], scoreFinalMs: [] as number[] };
  const concurrent = { firstDeltaMs: [] as number[], scoreFinalMs: [] as number[] };
  try {
    // Interleaved, so load from other processes on this 2-core machine hits Viva and the baseline alike.
    // Round -1 warms up (prompt file reads, JIT, connections) and is not recorded.
    for (let round = -1; round < ANSWERS; round += 1) {
      const base = await measureBaseline(client);
      const gatedRun = await gated.measure(`g${round}`);
      const parallelRun = await parallel.measure(`c${round}`);
      if (round < 0) continue;
      baseline.firstQuestionMs.push(base.firstQuestionMs);
      baseline.scoreDoneMs.push(base.scoreDoneMs);
      afterFirstToken.firstDeltaMs.push(gatedRun.firstDeltaMs);
      afterFirstToken.scoreFinalMs.push(gatedRun.scoreFinalMs);
      concurrent.firstDeltaMs.push(parallelRun.firstDeltaMs);
      concurrent.scoreFinalMs.push(parallelRun.scoreFinalMs);
    }
    const scoreOwnMs = scriptDurationMs(scoreScript());
    const rows: BenchRow[] = [];
    for (const p of [50, 95]) {
      rows.push({
        name: `follow-up: end of answer → first followup:delta, p${p}`,
        value: percentile(afterFirstToken.firstDeltaMs, p),
        unit: 'ms',
        baseline: percentile(baseline.firstQuestionMs, p),
        note: `fake TTFT ${TTFT_MS} ms; baseline = raw openai SDK to the first question character`,
      });
    }
    for (const p of [50, 95]) {
      rows.push({
        name: `follow-up: Viva overhead over the LLM's TTFT (first delta − ${TTFT_MS} ms), p${p}`,
        value: percentile(afterFirstToken.firstDeltaMs.map((ms) => ms - TTFT_MS), p),
        unit: 'ms',
        baseline: percentile(baseline.firstQuestionMs.map((ms) => ms - TTFT_MS), p),
        target: '<= 50',
      });
    }
    for (const p of [50, 95]) {
      rows.push({
        name: `score: end of answer → score:final (score starts at first follow-up token), p${p}`,
        value: percentile(afterFirstToken.scoreFinalMs, p),
        unit: 'ms',
        baseline: percentile(baseline.scoreDoneMs, p),
        note: `fake streams the score in ${scoreOwnMs} ms; the start waits for the follow-up's first token (${TTFT_MS} ms) by design`,
      });
    }
    rows.push({
      name: 'score: end of answer → score:final (scoreStart=concurrent), p50',
      value: percentile(concurrent.scoreFinalMs, 50),
      unit: 'ms',
      baseline: percentile(baseline.scoreDoneMs, 50),
    });
    rows.push({
      name: 'score: Viva overhead over the fake’s own stream time (concurrent), p50',
      value: Math.round((percentile(concurrent.scoreFinalMs, 50) - scoreOwnMs) * 10) / 10,
      unit: 'ms',
      baseline: Math.round((percentile(baseline.scoreDoneMs, 50) - scoreOwnMs) * 10) / 10,
    });
    rows.push({
      name: 'follow-up: first followup:delta with scoreStart=concurrent, p50',
      value: percentile(concurrent.firstDeltaMs, 50),
      unit: 'ms',
      baseline: percentile(baseline.firstQuestionMs, 50),
    });
    return { title: `Answer analysis (fake vLLM, TTFT ${TTFT_MS} ms, ${CHUNK_DELAY_MS} ms/chunk, ${ANSWERS} answers)`, rows };
  } finally {
    gated.stop();
    parallel.stop();
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const section = await bench();
  console.log(section.title);
  for (const row of section.rows) {
    console.log(`  ${row.name}: ${row.value} ${row.unit}${row.baseline === undefined ? '' : ` (baseline ${row.baseline})`}${row.target ? ` target ${row.target}` : ''}`);
  }
}
