/** Scoring one answer on a rubric: label first, per-dimension scores only for real answers, evidence checked verbatim. */
import type { z } from 'zod';
import { MAX_EVIDENCE_PER_DIMENSION, SCORE_SCHEMA_NAME, scoreOutputSchema, type ScoreOutput } from '../../protocol/analysis-output.ts';
import { AnswerLabel, AnswerScore, type DimensionScore, type Rubric } from '../../protocol/schemas.ts';
import type { LlmProvider } from '../llm/provider.ts';
import { generateObject } from '../llm/structured.ts';
import type { PromptLanguage, PromptLibrary } from '../prompts.ts';
import { analysisMessages, type AnalysisPrompt } from './analysis-prompt.ts';
import type { TranscriptIndex } from './transcript-quotes.ts';

export { MAX_EVIDENCE_PER_DIMENSION, type ScoreOutput } from '../../protocol/analysis-output.ts';

const FILLERS = /\b(?:um+|uh+|er+|erm+|hmm+|mm+|ah+|eh+|oh+|uh-huh)\b|[嗯啊呃额哦唔噢嘛呀哈]|那个|就是|然后/giu;

/**
 * True when the transcript holds no words worth a model call: nothing, whisper tags such as [BLANK_AUDIO], punctuation,
 * or fillers alone ("um, uh", "嗯……").
 */
export function isTriviallyEmpty(text: string): boolean {
  const words = text
    .replace(/\[[^\]]*\]|\([^)]*(?:silence|music|blank|noise|inaudible)[^)]*\)/giu, ' ')
    .replace(FILLERS, ' ')
    .replace(/[^\p{L}\p{N}]+/gu, '');
  return words.length < 2;
}

/** Weighted mean of the evidenced dimension scores (null scores are left out) by rubric weight, to one decimal. */
export function weightedOverall(dimensions: readonly Pick<DimensionScore, 'id' | 'score'>[], rubric: Rubric): number | null {
  let total = 0;
  let weights = 0;
  for (const dimension of dimensions) {
    if (dimension.score === null) continue;
    const weight = rubric.dimensions.find((entry) => entry.id === dimension.id)?.weight ?? 0;
    total += weight * dimension.score;
    weights += weight;
  }
  if (weights === 0) return null;
  return Math.min(10, Math.max(1, Math.round((total / weights) * 10) / 10));
}

/** Inputs of {@link generateScore}. */
export interface ScoreRequest {
  llm: LlmProvider;
  prompts: PromptLibrary;
  language: PromptLanguage;
  /** The shared system message and interview data (see analysis-prompt.ts). */
  context: AnalysisPrompt;
  rubric: Rubric;
  transcript: TranscriptIndex;
  signal: AbortSignal;
  temperature: number;
  maxTokens: number;
}

/** Asks the model for a score and returns a fully validated AnswerScore. Throws LlmError on failure. */
export async function generateScore(request: ScoreRequest): Promise<AnswerScore> {
  const { rubric } = request;
  const task = request.prompts.render('answer-score', request.language, {
    dimensions: rubric.dimensions.map((dimension) => ({
      id: dimension.id,
      name: dimension.name,
      weight: dimension.weight,
      description: dimension.description || dimension.name,
    })),
    exampleId: rubric.dimensions[0]?.id ?? 'dimension',
  });
  const messages = analysisMessages(request.context, task.text);
  const result = await generateObject(request.llm, {
    schema: scoreOutputSchema(rubric) as z.ZodType<ScoreOutput>,
    // Quotes constrained to the candidate's clauses where the server decodes by schema; checked by the evidence rule anyway.
    decodingSchema: scoreOutputSchema(rubric, request.transcript.quoteChoices()),
    schemaName: SCORE_SCHEMA_NAME,
    messages,
    signal: request.signal,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
    language: request.language,
    prompts: request.prompts,
  });
  return buildAnswerScore(result.object, {
    rubric,
    transcript: request.transcript,
    model: result.model,
    promptVersion: `${task.version}+${request.context.version}`,
    noEvidence: noEvidenceTexts(request.prompts, request.language),
  });
}

/** Fixed texts of a score card whose evidence did not verify (prompts/no-evidence.<language>.md). */
export interface NoEvidenceTexts {
  /** Reason shown on a dimension without verified evidence. */
  dimensionReason: string;
  /** Remark of an answer none of whose dimensions had verified evidence. */
  answerRemark: string;
  version: string;
}

/** Renders the no-evidence texts in `language`. */
export function noEvidenceTexts(prompts: PromptLibrary, language: PromptLanguage): NoEvidenceTexts {
  const dimension = prompts.render('no-evidence', language, { dimension: true, answer: false });
  const answer = prompts.render('no-evidence', language, { dimension: false, answer: true });
  return { dimensionReason: dimension.text, answerRemark: answer.text, version: dimension.version };
}

/**
 * Turns the model's object into the wire AnswerScore: non-answers get no dimensions and no overall; evidence quotes are
 * kept only when they are the candidate's words, mapped to audio times; a dimension left with no verified quote gets no
 * score (null, "no evidence"), whatever number the model wrote; the overall is the weighted mean of the evidenced
 * dimensions, and an answer with none is not scored (overall null, label kept).
 */
export function buildAnswerScore(
  output: ScoreOutput,
  meta: { rubric: Rubric; transcript: TranscriptIndex; model: string; promptVersion: string; noEvidence: NoEvidenceTexts },
): AnswerScore {
  const base = { label: output.label, remark: output.remark.trim(), model: meta.model, promptVersion: meta.promptVersion, rubricVersion: meta.rubric.version };
  if (output.label !== 'answer') {
    return AnswerScore.parse({ ...base, dimensions: [], overall: null });
  }
  let claimed = 0;
  let verified = 0;
  const dimensions: DimensionScore[] = meta.rubric.dimensions.map((dimension) => {
    const scored = output.dimensions[dimension.id];
    if (!scored) throw new Error(`score output lacks rubric dimension ${dimension.id}`);
    const quotes = scored.evidence.filter((quote) => quote.trim() !== '');
    const found = quotes.map((quote) => meta.transcript.evidence(quote));
    claimed += quotes.length;
    verified += found.filter((parts) => parts.length > 0).length;
    const evidence = dedupe(found.flat()).slice(0, MAX_EVIDENCE_PER_DIMENSION);
    if (evidence.length === 0) return { id: dimension.id, name: dimension.name, score: null, reason: meta.noEvidence.dimensionReason, evidence: [] };
    return { id: dimension.id, name: dimension.name, score: scored.score, reason: scored.reason.trim(), evidence };
  });
  const evidencedDimensions = dimensions.filter((dimension) => dimension.score !== null).length;
  const overall = weightedOverall(dimensions, meta.rubric);
  // Nothing the model said about this answer is backed by the candidate's words: its summary is not shown either.
  const remark = overall === null ? meta.noEvidence.answerRemark : base.remark;
  return AnswerScore.parse({ ...base, remark, dimensions, overall, evidencedDimensions, quotes: { claimed, verified } });
}

function dedupe<T extends { quote: string; startMs: number }>(items: T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = `${item.startMs}:${item.quote}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The score card for a turn with no words, decided without a model call. */
export function emptyAnswerScore(prompts: PromptLibrary, language: PromptLanguage, rubric: Rubric): AnswerScore {
  const remark = prompts.render('empty-answer-remark', language, {});
  return AnswerScore.parse({
    label: 'empty',
    dimensions: [],
    overall: null,
    remark: remark.text,
    model: 'none',
    promptVersion: remark.version,
    rubricVersion: rubric.version,
  });
}
