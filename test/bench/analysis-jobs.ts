/**
 * Analysis as durable jobs (server/analysis/analysis-jobs.ts) against a fake vLLM streaming at vLLM speed: an interview
 * whose answers arrive one after another → end of answer to the first follow-up token and to the score (p50/p95);
 * answers arriving faster than the model → the share of LLM calls cancelled as stale; a stopped interview's answers
 * scored per minute with the endpoint's parallel slots and with one slot (as the embedded model runs). Baselines, in the
 * same process: the raw openai SDK streaming the same scripts one after the other.
 * Sizes: VIVA_BENCH_JOBS_ANSWERS (default 12). The embedded-model variant is the `jobs-embedded` section.
 * Run alone: npx tsx test/bench/run.ts jobs
 */
import OpenAI from 'openai';
import { performance } from 'node:perf_hooks';
import { createAnalysisJobs, type AnalysisJobs, type AnswerJob, type JobTarget } from '../../server/analysis/analysis-jobs.ts';
import { createLlmClient } from '../../server/llm/client.ts';
import type { LlmProvider } from '../../server/llm/provider.ts';
import { silentLogger } from '../../server/logger.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { analysisResponder } from '../fakes/fake-analysis-answers.ts';
import { startFakeLlmServer, FAKE_DEFAULT_MODEL } from '../fakes/fake-llm-server.ts';
import { answerText, CHUNK_DELAY_MS, followUpScript, measureBaseline, scoreScript, TTFT_MS } from './analysis.ts';
import { percentile } from './stats.ts';
import type { BenchRow, BenchSection } from './types.ts';

const ANSWERS = Number(process.env.VIVA_BENCH_JOBS_ANSWERS ?? 12);
/** Time between two answers of the paced interview: the interviewer asks, the candidate answers. */
const PACED_GAP_MS = Number(process.env.VIVA_BENCH_JOBS_GAP_MS ?? 1_500);

/** What one scenario measured. */
export interface ScenarioFigures {
  firstFollowUpMs: number[];
  scoreMs: number[];
  stale: number;
  callsStarted: number;
  maxInFlight: number;
  /** Answers scored per minute after the stop (every answer queued at once, no follow-ups). */
  scoredPerMinute: number;
  /** Answers whose analysis failed (an error, not a score). */
  failed: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A recording target: when each answer's first follow-up text and score arrived. */
function timingTarget(): JobTarget & { firstDeltaAt: Map<string, number>; scoreAt: Map<string, number>; errors: string[] } {
  const firstDeltaAt = new Map<string, number>();
  const scoreAt = new Map<string, number>();
  const errors: string[] = [];
  return {
    context: { role: 'Backend engineer' },
    language: 'en',
    followUps: 'fresh',
    firstDeltaAt,
    scoreAt,
    errors,
    sink: {
      followupDelta: (event) => void (firstDeltaAt.has(event.turnId) || firstDeltaAt.set(event.turnId, performance.now())),
      followupEnd: () => {},
      scoreFinal: (event) => void scoreAt.set(event.turnId, performance.now()),
      analysisError: (event) => void errors.push(`${event.turnId}: ${event.code}: ${event.message}`),
      progress: () => {},
    },
  };
}

const answerJob = (interviewId: string, index: number, endMs: number): AnswerJob => ({
  interviewId,
  answerId: `a${index}`,
  input: { text: `${answerText} (answer ${index + 1})`, startMs: endMs - 5_000, endMs, segments: [], history: [], question: 'Tell me about a system you scaled.' },
});

/** An interview: answers `gapMs` apart (the interviewer's next question marks the previous answer moved on from), then the stop. */
async function interview(jobs: AnalysisJobs, interviewId: string, answers: number, gapMs: number): Promise<{ firstFollowUpMs: number[]; scoreMs: number[]; failed: number }> {
  const target = timingTarget();
  jobs.attach(interviewId, target);
  const endedAt = new Map<string, number>();
  for (let index = 0; index < answers; index++) {
    const endMs = (index + 1) * 10_000;
    if (index > 0) jobs.interviewerTurn(interviewId, endMs - 9_000);
    endedAt.set(`a${index}`, performance.now());
    jobs.enqueue(answerJob(interviewId, index, endMs));
    await sleep(gapMs);
  }
  jobs.sessionEnded(interviewId);
  await jobs.idle(interviewId);
  const firstFollowUpMs: number[] = [];
  const scoreMs: number[] = [];
  for (const [answerId, at] of endedAt) {
    const delta = target.firstDeltaAt.get(answerId);
    // A follow-up that streamed text came before its answer's score; one cancelled as stale has no sample.
    if (delta !== undefined) firstFollowUpMs.push(delta - at);
    const score = target.scoreAt.get(answerId);
    if (score !== undefined) scoreMs.push(score - at);
  }
  if (target.errors.length > 0) console.warn(`bench ${interviewId}: ${target.errors.length} analysis error(s), e.g. ${target.errors[0]}`);
  return { firstFollowUpMs, scoreMs, failed: answers - scoreMs.length };
}

/** A stopped interview's answers, all queued at once: scored per minute. */
async function afterStop(jobs: AnalysisJobs, interviewId: string, answers: number): Promise<number> {
  jobs.attach(interviewId, timingTarget());
  jobs.sessionEnded(interviewId);
  const started = performance.now();
  for (let index = 0; index < answers; index++) jobs.enqueue(answerJob(interviewId, index, (index + 1) * 10_000));
  await jobs.idle(interviewId);
  return answers / ((performance.now() - started) / 60_000);
}

/**
 * Runs the three scenarios on `llm` with `slots` calls in flight at most: a paced interview, a rapid one (answers
 * arriving faster than the model: stale follow-ups), and scoring after the stop.
 */
export async function runScenarios(llm: LlmProvider, slots: number, options: { answers: number; pacedGapMs: number; rapidGapMs: number }): Promise<{ paced: ScenarioFigures; rapid: ScenarioFigures }> {
  const run = async (gapMs: number, name: string): Promise<ScenarioFigures> => {
    const jobs = createAnalysisJobs({ llm, prompts: createPromptLibrary(), logger: silentLogger, maxConcurrentCalls: slots });
    try {
      const live = await interview(jobs, `${name}-live`, options.answers, gapMs);
      const stats = jobs.stats();
      const scoredPerMinute = await afterStop(jobs, `${name}-stopped`, options.answers);
      return { ...live, stale: stats.staleBeforeCall + stats.staleDuringCall, callsStarted: stats.callsStarted, maxInFlight: stats.maxInFlight, scoredPerMinute };
    } finally {
      await jobs.close();
    }
  };
  return { paced: await run(options.pacedGapMs, 'paced'), rapid: await run(options.rapidGapMs, 'rapid') };
}

/** Share of LLM calls cancelled as stale: of the calls asked for (started or cancelled before they started). */
export function staleShare(figures: ScenarioFigures, staleBeforeCall = 0): number {
  return figures.stale / Math.max(1, figures.callsStarted + staleBeforeCall);
}

/** The rows of one model's scenarios, against a baseline measured with the raw SDK where there is one. */
export function scenarioRows(label: string, figures: { paced: ScenarioFigures; rapid: ScenarioFigures; oneSlot?: ScenarioFigures }, baseline: { firstQuestionMs: number[]; scoreDoneMs: number[]; sequentialPerMinute?: number }): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const p of [50, 95]) {
    rows.push({ name: `${label}: end of answer → first follow-up token, p${p}`, value: percentile(figures.paced.firstFollowUpMs, p), unit: 'ms', baseline: percentile(baseline.firstQuestionMs, p), note: `${figures.paced.firstFollowUpMs.length} of ${figures.paced.scoreMs.length + figures.paced.failed} answers got one` });
  }
  for (const p of [50, 95]) {
    rows.push({ name: `${label}: end of answer → score:final, p${p}`, value: percentile(figures.paced.scoreMs, p), unit: 'ms', baseline: percentile(baseline.scoreDoneMs, p), note: `baseline: the score call alone${figures.paced.failed > 0 ? `; ${figures.paced.failed} answers failed` : ''}` });
  }
  rows.push({
    name: `${label}: answers scored per minute after the stop`,
    value: Math.round(figures.paced.scoredPerMinute),
    unit: '/min',
    ...(baseline.sequentialPerMinute === undefined ? {} : { baseline: Math.round(baseline.sequentialPerMinute), note: 'baseline: raw SDK, one score call after the other' }),
  });
  if (figures.oneSlot) {
    rows.push({ name: 'one call in flight: answers scored per minute after the stop', value: Math.round(figures.oneSlot.scoredPerMinute), unit: '/min', baseline: Math.round(figures.paced.scoredPerMinute), note: 'baseline: the parallel slots' });
  }
  rows.push({ name: `${label}: LLM calls cancelled as stale, paced interview`, value: staleShare(figures.paced), unit: 'share', note: `${figures.paced.stale} of ${figures.paced.callsStarted} calls started; max ${figures.paced.maxInFlight} in flight` });
  rows.push({ name: `${label}: LLM calls cancelled as stale, answers faster than the model`, value: staleShare(figures.rapid), unit: 'share', note: `${figures.rapid.stale} stale, ${figures.rapid.callsStarted} calls started; every answer still scored` });
  return rows;
}

/** The fake-vLLM figures. */
export async function bench(): Promise<BenchSection> {
  const server = await startFakeLlmServer({ respond: analysisResponder({ followups: followUpScript, score: scoreScript }) });
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: 'not-needed', maxRetries: 0 });
  const llm = createLlmClient({ baseUrl: server.baseUrl, model: FAKE_DEFAULT_MODEL, timeoutMs: 30_000, maxRetries: 0, structuredOutput: 'json_schema' });
  try {
    const baseline = { firstQuestionMs: [] as number[], scoreDoneMs: [] as number[], sequentialPerMinute: 0 };
    await measureBaseline(client); // warm-up
    for (let index = 0; index < ANSWERS; index++) {
      const run = await measureBaseline(client);
      baseline.firstQuestionMs.push(run.firstQuestionMs);
      baseline.scoreDoneMs.push(run.scoreDoneMs);
    }
    // The baseline's score calls one after the other (after the stop there are no follow-ups).
    baseline.sequentialPerMinute = ANSWERS / (baseline.scoreDoneMs.reduce((sum, ms) => sum + ms, 0) / 60_000);
    const parallel = await runScenarios(llm, 4, { answers: ANSWERS, pacedGapMs: PACED_GAP_MS, rapidGapMs: 20 });
    const oneSlot = await runScenarios(llm, 1, { answers: ANSWERS, pacedGapMs: PACED_GAP_MS, rapidGapMs: 20 });
    return {
      title: `Analysis jobs (fake vLLM, TTFT ${TTFT_MS} ms, ${CHUNK_DELAY_MS} ms/chunk, ${ANSWERS} answers ${PACED_GAP_MS} ms apart; 4 slots, then 1)`,
      rows: [...scenarioRows('4 slots', { ...parallel, oneSlot: oneSlot.paced }, baseline), ...scenarioRows('1 slot', oneSlot, baseline).slice(0, 4)],
    };
  } finally {
    await server.close();
  }
}
