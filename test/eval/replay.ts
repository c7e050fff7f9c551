/** Replays eval cases through the live scoring path (same prompts, layout, evidence rule) on any LLM provider. */
import type { AnswerScore } from '../../protocol/schemas.ts';
import { renderAnalysisPrompt } from '../../server/analysis/analysis-prompt.ts';
import { ANSWER_ANALYZER_DEFAULTS } from '../../server/analysis/answer-analyzer.ts';
import { emptyAnswerScore, generateScore, isTriviallyEmpty } from '../../server/analysis/score.ts';
import { TranscriptIndex } from '../../server/analysis/transcript-quotes.ts';
import type { LlmClient } from '../../server/llm/client.ts';
import { LlmError } from '../../server/llm/errors.ts';
import type { PromptLibrary } from '../../server/prompts.ts';
import type { EvalCase } from './cases.ts';
import type { CaseResult } from './metrics.ts';

/** Scores one case as the live analyzer would: no model call for an empty transcript, temperature 0 otherwise. */
export async function scoreCase(llm: LlmClient, prompts: PromptLibrary, evalCase: EvalCase, signal: AbortSignal): Promise<AnswerScore> {
  const { language } = evalCase;
  const rubric = prompts.defaultRubric(language);
  const text = evalCase.text.trim();
  if (isTriviallyEmpty(text)) return emptyAnswerScore(prompts, language, rubric);
  const options = ANSWER_ANALYZER_DEFAULTS;
  const context = renderAnalysisPrompt(
    prompts,
    language,
    {
      context: { role: evalCase.role, jobDescription: evalCase.jobDescription, resume: evalCase.resume },
      question: evalCase.question,
      answer: text,
      history: [{ channel: 'interviewer', text: evalCase.question }],
    },
    options,
  );
  return generateScore({
    llm,
    prompts,
    language,
    context,
    rubric,
    transcript: new TranscriptIndex(text, [], { startMs: 0, endMs: 60_000 }),
    signal,
    temperature: options.scoreTemperature,
    maxTokens: 300 + options.scoreMaxTokensPerDimension * rubric.dimensions.length,
  });
}

/** Replays one case once and records the outcome (a failed call is a result with `error`, not a crash). */
export async function replayCase(llm: LlmClient, prompts: PromptLibrary, evalCase: EvalCase, repeat: number, signal: AbortSignal): Promise<CaseResult> {
  const started = performance.now();
  const base = { caseId: evalCase.id, group: evalCase.group, kind: evalCase.kind, of: evalCase.of, language: evalCase.language, repeat };
  try {
    const score = await scoreCase(llm, prompts, evalCase, signal);
    return {
      ...base,
      label: score.label,
      overall: score.overall,
      dimensions: Object.fromEntries(score.dimensions.map((dimension) => [dimension.id, dimension.score])),
      quotes: score.quotes ?? null,
      remark: score.remark,
      promptVersion: score.promptVersion,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      ...base,
      label: null,
      overall: null,
      dimensions: {},
      quotes: null,
      error: error instanceof Error ? error.message : String(error),
      // What the model wrote, so a failed case can be read in the saved file.
      ...(error instanceof LlmError && error.raw ? { rawReply: error.raw.slice(0, 4000) } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  }
}
