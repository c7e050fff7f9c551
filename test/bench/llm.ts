/**
 * The embedded LLM (node-llama-cpp, CPU) on the small test model and the bench model: prompt and generation tokens/s,
 * end of answer → first follow-up token and → validated score (follow-ups then score, as the analyzer runs them on one
 * model), Viva's provider against node-llama-cpp called directly on the same prompt and grammar (overhead ratio), the
 * prompt prefix reused vs re-read, and final ASR decodes while the LLM generates (yielding, and a direct
 * node-llama-cpp run that does not yield) against the same decodes with the LLM idle.
 * Models: VIVA_BENCH_LLM_FILES (comma-separated GGUF paths), default the two files fetch-llm.sh caches.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getLlama, LlamaChat, LlamaLogLevel, type GbnfJsonSchema, type LlamaModel } from 'node-llama-cpp';
import { renderAnalysisPrompt, analysisMessages, type AnalysisPrompt } from '../../server/analysis/analysis-prompt.ts';
import { generateFollowUps } from '../../server/analysis/followups.ts';
import { scoreOutputSchema } from '../../protocol/analysis-output.ts';
import { generateScore } from '../../server/analysis/score.ts';
import { TranscriptIndex } from '../../server/analysis/transcript-quotes.ts';
import { DecodeScheduler } from '../../server/asr/scheduler.ts';
import { createWhisperTranscriber } from '../../server/asr/whisper.ts';
import { readWavFile } from '../../server/audio/wav.ts';
import { loadEmbeddedLlm, type EmbeddedLlm } from '../../server/llm/embedded.ts';
import { toGrammarSchema } from '../../server/llm/grammar-schema.ts';
import { toResponseJsonSchema } from '../../server/llm/structured.ts';
import { resolveWhisperModel } from '../../server/models/model-files.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { percentile } from './stats.ts';
import type { BenchRow, BenchSection } from './types.ts';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const cache = process.env.VIVA_TEST_CACHE ?? path.join(os.homedir(), '.cache/viva-test-models');
const modelFiles = (process.env.VIVA_BENCH_LLM_FILES ?? ['qwen2.5-coder-0.5b-instruct-q4_k_m.gguf', 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'].map((name) => path.join(cache, name)).join(','))
  .split(',')
  .filter((file) => existsSync(file));
const modelsDir = process.env.VIVA_MODELS_DIR ?? path.resolve(root, '../shared/models');
const prompts = createPromptLibrary();
const ANSWER =
  'At my last job I owned the payments service. We had a nightly batch that took six hours, so I moved it to a Kafka ' +
  'stream with idempotent consumers, and the settlement delay went from six hours to about five minutes. The hard part ' +
  'was exactly-once delivery: we used the outbox pattern and deduplicated on the payment id.';
const rubric = prompts.defaultRubric('en');
const FINALS = Number(process.env.VIVA_BENCH_FINALS ?? 4);

function interview(answer: string): AnalysisPrompt {
  return renderAnalysisPrompt(
    prompts,
    'en',
    {
      context: {
        role: 'Senior backend engineer',
        jobDescription: 'Build and run the payment platform: Kafka, PostgreSQL, Go and TypeScript services, on-call. '.repeat(4),
        resume: 'Eight years of backend work; payments at a fintech; Kafka, PostgreSQL, Go. '.repeat(6),
      },
      question: 'Tell me about a system you made faster.',
      answer,
      history: [],
    },
    { historyTurns: 6, historyTurnChars: 600, jobDescriptionChars: 3000, resumeChars: 4000 },
  );
}

const transcript = (answer: string) => new TranscriptIndex(answer, [{ text: answer, startMs: 0, endMs: 20_000 }], { startMs: 0, endMs: 20_000 });

async function analyse(llm: EmbeddedLlm, answer: string) {
  const context = interview(answer);
  const startedAt = performance.now();
  let firstTokenMs = Number.NaN;
  await generateFollowUps({
    llm, prompts, language: 'en', context, transcript: transcript(answer), signal: new AbortController().signal, temperature: 0.6, maxTokens: 400,
    onText: () => {
      if (Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - startedAt;
    },
  });
  const followUps = llm.stats().lastCall;
  await generateScore({ llm, prompts, language: 'en', context, rubric, transcript: transcript(answer), signal: new AbortController().signal, temperature: 0, maxTokens: 300 + 250 * rubric.dimensions.length });
  return { firstTokenMs, scoreMs: performance.now() - startedAt, followUps, score: llm.stats().lastCall };
}

/** The score prompt and grammar sent straight to node-llama-cpp on a fresh sequence: the baseline of the overhead ratio. */
async function directScore(model: LlamaModel, threads: number, answer: string): Promise<{ totalMs: number; firstTokenMs: number }> {
  const context = await model.createContext({ contextSize: 4096, batchSize: 128, threads });
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  const task = prompts.render('answer-score', 'en', {
    dimensions: rubric.dimensions.map((d) => ({ id: d.id, name: d.name, weight: d.weight, description: d.description || d.name })),
    exampleId: rubric.dimensions[0]?.id ?? 'dimension',
  });
  const messages = analysisMessages(interview(answer), task.text);
  const grammar = await model.llama.createGrammarForJsonSchema<GbnfJsonSchema, Record<any, any>>(toGrammarSchema(toResponseJsonSchema(scoreOutputSchema(rubric))) as GbnfJsonSchema);
  const startedAt = performance.now();
  let firstTokenMs = Number.NaN;
  await chat.generateResponse(
    [{ type: 'system', text: messages[0]?.content ?? '' }, { type: 'user', text: messages[1]?.content ?? '' }],
    { grammar, temperature: 0, maxTokens: 300 + 250 * rubric.dimensions.length, onTextChunk: () => { if (Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - startedAt; } },
  );
  const totalMs = performance.now() - startedAt;
  await context.dispose();
  return { totalMs, firstTokenMs };
}

/** Final decodes of jfk.wav, one every 3 s, while `busy` runs (or not): enqueue → transcript, in ms. */
async function finalLatencies(scheduler: DecodeScheduler, pcm: Float32Array, busy?: () => Promise<unknown>): Promise<number[]> {
  let running = busy !== undefined;
  const load = busy ? (async () => { while (running) await busy().catch(() => undefined); })() : Promise.resolve();
  if (busy) await new Promise((resolve) => setTimeout(resolve, 3000));
  const latencies: number[] = [];
  for (let i = 0; i < FINALS; i++) {
    const startedAt = performance.now();
    await scheduler.decode({ key: `bench-${i}-${Math.random()}`, priority: 'final', pcm, language: 'en' });
    latencies.push(performance.now() - startedAt);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
  running = false;
  await load;
  return latencies;
}

async function benchModel(file: string, scheduler: DecodeScheduler, pcm: Float32Array): Promise<BenchRow[]> {
  const name = path.basename(file, '.gguf');
  const loadStartedAt = performance.now();
  const llm = await loadEmbeddedLlm({ modelFile: file, timeoutMs: 600_000, contextSize: 4096, asrPriority: scheduler });
  const loadMs = performance.now() - loadStartedAt;
  const cold = await analyse(llm, ANSWER);
  console.log(`${name}: cold analysis`, JSON.stringify(cold));
  // The same answer again with a different last sentence: everything before the answer's end is reused.
  const warm = await analyse(llm, `${ANSWER} We also added alerts on consumer lag.`);
  console.log(`${name}: warm analysis`, JSON.stringify(warm));
  const llama = await getLlama({ build: 'never', gpu: false, logLevel: LlamaLogLevel.warn });
  const model = await llama.loadModel({ modelPath: file });
  const direct = await directScore(model, llm.threads, ANSWER);
  console.log(`${name}: direct score`, JSON.stringify(direct));
  const idle = await finalLatencies(scheduler, pcm);
  console.log(`${name}: finals idle`, JSON.stringify(idle));
  const yielding = await finalLatencies(scheduler, pcm, () =>
    llm.streamChat({ messages: [{ role: 'user', content: 'Write a long story about a lighthouse keeper.' }], maxTokens: 200 }),
  );
  console.log(`${name}: finals while yielding`, JSON.stringify(yielding), JSON.stringify(llm.stats()));
  const directBusy = await finalLatencies(scheduler, pcm, () => directScore(model, llm.threads, ANSWER));
  console.log(`${name}: finals while direct`, JSON.stringify(directBusy));
  await model.dispose();
  await llm.close();
  const f = cold.followUps;
  const s = cold.score;
  const note = `${name}, ${llm.threads} thread(s), ${llm.gpu}`;
  const rate = (tokens: number, ms: number) => (tokens / ms) * 1000;
  return [
    { name: `${name}: load`, value: loadMs / 1000, unit: 's', note },
    { name: `${name}: prompt tokens/s (follow-up call, nothing cached)`, value: f ? rate(f.promptTokens - f.reusedPromptTokens, f.prefillMs) : Number.NaN, unit: 'tok/s', note: `${f?.promptTokens} prompt tokens` },
    { name: `${name}: generation tokens/s (score call)`, value: s ? rate(s.generatedTokens, s.generateMs) : Number.NaN, unit: 'tok/s', note: `${s?.generatedTokens} tokens, grammar-constrained` },
    { name: `${name}: end of answer → first follow-up token (first answer of an interview)`, value: cold.firstTokenMs / 1000, unit: 's' },
    { name: `${name}: end of answer → validated score (after the follow-ups, one model)`, value: cold.scoreMs / 1000, unit: 's' },
    { name: `${name}: end of answer → first follow-up token, JD/résumé prefix cached`, value: warm.firstTokenMs / 1000, unit: 's', baseline: cold.firstTokenMs / 1000, note: `reused ${warm.followUps?.reusedPromptTokens}/${warm.followUps?.promptTokens} prompt tokens` },
    { name: `${name}: score prompt prefill, prefix reused (after the follow-ups)`, value: (s?.prefillMs ?? Number.NaN) / 1000, unit: 's', baseline: (f?.prefillMs ?? Number.NaN) / 1000, note: `reused ${s?.reusedPromptTokens}/${s?.promptTokens}; baseline: the follow-up prompt read whole` },
    { name: `${name}: score call, Viva's provider (prefix reused) vs node-llama-cpp directly (prompt read whole)`, value: ((s?.prefillMs ?? 0) + (s?.generateMs ?? 0)) / 1000, unit: 's', baseline: direct.totalMs / 1000, note: 'same prompt, grammar, temperature 0' },
    { name: `${name}: final decode p50 / p95, LLM idle`, value: percentile(idle, 50) / 1000, unit: 's', note: `p95 ${(percentile(idle, 95) / 1000).toFixed(2)} s, jfk.wav 11 s` },
    { name: `${name}: final decode p50, embedded LLM generating (yields to finals)`, value: percentile(yielding, 50) / 1000, unit: 's', baseline: percentile(idle, 50) / 1000, note: `p95 ${(percentile(yielding, 95) / 1000).toFixed(2)} s` },
    { name: `${name}: final decode p50, node-llama-cpp generating without yielding`, value: percentile(directBusy, 50) / 1000, unit: 's', baseline: percentile(idle, 50) / 1000, note: `p95 ${(percentile(directBusy, 95) / 1000).toFixed(2)} s` },
  ];
}

/** Runs the embedded-LLM figures for every model file found. */
export async function bench(): Promise<BenchSection> {
  if (modelFiles.length === 0) throw new Error(`no GGUF model found: run ../shared/models/fetch-llm.sh small (and bench), or set VIVA_BENCH_LLM_FILES`);
  const whisper = await resolveWhisperModel(modelsDir, process.env.VIVA_BENCH_WHISPER_MODEL ?? 'base');
  const transcriber = await createWhisperTranscriber({ model: whisper, nThreads: 2 });
  const scheduler = new DecodeScheduler(transcriber);
  const pcm = (await readWavFile(path.resolve(root, '../shared/audio/whisper.cpp-samples/jfk.wav'))).samples;
  const rows: BenchRow[] = [];
  try {
    for (const file of modelFiles) rows.push(...(await benchModel(file, scheduler, pcm)));
  } finally {
    await scheduler.close();
    await transcriber.close();
  }
  return { title: `Embedded LLM (node-llama-cpp ${os.cpus().length} cores; whisper ${path.basename(whisper.filePath)} at 2 threads; shared machine)`, rows };
}
