/**
 * Analysis jobs on the embedded model (node-llama-cpp on the CPU, one call in flight): the scenarios of
 * analysis-jobs.ts with real generation times. Baseline, in the same process: one answer's follow-ups then score called
 * directly on the same provider with nothing else queued. Model: the first of VIVA_BENCH_LLM_FILES, else the bench model
 * fetch-llm.sh caches (1.5B), else the small one. Sizes: VIVA_BENCH_JOBS_EMBEDDED_ANSWERS (default 4), answers
 * VIVA_BENCH_JOBS_EMBEDDED_GAP_MS apart (default 20 s).
 * Run alone: npx tsx test/bench/run.ts jobs-embedded
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderAnalysisPrompt } from '../../server/analysis/analysis-prompt.ts';
import { generateFollowUps } from '../../server/analysis/followups.ts';
import { generateScore } from '../../server/analysis/score.ts';
import { TranscriptIndex } from '../../server/analysis/transcript-quotes.ts';
import { loadEmbeddedLlm } from '../../server/llm/embedded.ts';
import { createPromptLibrary } from '../../server/prompts.ts';
import { answerText } from './analysis.ts';
import { runScenarios, scenarioRows } from './analysis-jobs.ts';
import type { BenchSection } from './types.ts';

const cache = process.env.VIVA_TEST_CACHE ?? path.join(os.homedir(), '.cache/viva-test-models');
const candidates = (process.env.VIVA_BENCH_LLM_FILES?.split(',') ?? ['qwen2.5-coder-1.5b-instruct-q4_k_m.gguf', 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf'].map((name) => path.join(cache, name))).filter((file) => existsSync(file));
const ANSWERS = Number(process.env.VIVA_BENCH_JOBS_EMBEDDED_ANSWERS ?? 4);
const GAP_MS = Number(process.env.VIVA_BENCH_JOBS_EMBEDDED_GAP_MS ?? 20_000);

/** The embedded-model figures. */
export async function bench(): Promise<BenchSection> {
  const file = candidates[0];
  if (!file) throw new Error('no GGUF model found: run ../shared/models/fetch-llm.sh bench (or small), or set VIVA_BENCH_LLM_FILES');
  const llm = await loadEmbeddedLlm({ modelFile: file, timeoutMs: 600_000, contextSize: 4096 });
  const prompts = createPromptLibrary();
  try {
    // Baseline: one answer alone, follow-ups then score, straight on the provider.
    const context = renderAnalysisPrompt(prompts, 'en', { context: { role: 'Backend engineer' }, question: 'Tell me about a system you scaled.', answer: answerText, history: [] }, { historyTurns: 6, historyTurnChars: 600, jobDescriptionChars: 3000, resumeChars: 4000 });
    const transcript = new TranscriptIndex(answerText, [], { startMs: 0, endMs: 6_000 });
    const startedAt = performance.now();
    let firstTokenMs = Number.NaN;
    await generateFollowUps({ llm, prompts, language: 'en', context, transcript, signal: new AbortController().signal, temperature: 0.6, maxTokens: 700, onText: () => void (Number.isNaN(firstTokenMs) && (firstTokenMs = performance.now() - startedAt)) });
    const rubric = prompts.defaultRubric('en');
    await generateScore({ llm, prompts, language: 'en', context, rubric, transcript, signal: new AbortController().signal, temperature: 0, maxTokens: 300 + 250 * rubric.dimensions.length });
    const alone = { firstQuestionMs: [firstTokenMs], scoreDoneMs: [performance.now() - startedAt] };

    const figures = await runScenarios(llm, 1, { answers: ANSWERS, pacedGapMs: GAP_MS, rapidGapMs: 200 });
    return {
      title: `Analysis jobs on the embedded model (${path.basename(file)}, ${llm.threads} threads, one call in flight, ${ANSWERS} answers ${GAP_MS} ms apart)`,
      rows: scenarioRows('embedded', figures, alone).map((row) => (row.baseline === undefined || row.unit !== 'ms' ? row : { ...row, note: 'baseline: one answer alone, follow-ups then score, straight on the provider' })),
    };
  } finally {
    await llm.close();
  }
}
