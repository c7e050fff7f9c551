/** Model replies for answer-analysis tests and the bench: valid follow-up and score objects, and a responder routing them. */
import type { AnalysisData } from '../../server/analysis/analysis-prompt.ts';
import type { FakeLlmResponder, FakeLlmScript, FakeStreamTiming, RecordedLlmRequest } from './fake-llm-server.ts';
import { fakeScripts } from './fake-llm-server.ts';

/** A follow-up suggestion as the model writes it. */
export interface ModelSuggestion {
  question: string;
  buildsOn: string;
  probes: string;
}

/** The follow-up object the model returns. */
export function followUpsReply(...suggestions: ModelSuggestion[]): { suggestions: ModelSuggestion[] } {
  return { suggestions };
}

/** One dimension as the model writes it. */
export interface ModelDimension {
  reason: string;
  evidence: string[];
  score: number;
}

/** The score object the model returns. */
export function scoreReply(
  label: 'answer' | 'empty' | 'off-topic' | 'non-answer' | 'gibberish',
  dimensions: Record<string, ModelDimension> | null,
  remark = 'A remark.',
): { label: string; dimensions: Record<string, ModelDimension> | null; remark: string } {
  return { label, dimensions, remark };
}

/** A score reply for the default rubric with the given scores, each dimension quoting the same `evidence`. */
export function defaultRubricScore(scores: { technical_skill: number; clarity: number; problem_solving: number }, evidence: string[] = []): ReturnType<typeof scoreReply> {
  return scoreReply('answer', {
    technical_skill: { reason: 'Knows the tools.', evidence, score: scores.technical_skill },
    clarity: { reason: 'Clear enough.', evidence, score: scores.clarity },
    problem_solving: { reason: 'Reasoned about the bottleneck.', evidence, score: scores.problem_solving },
  });
}

/** The interview data of an analysis request: the JSON object leading its user message (see server/analysis/analysis-prompt.ts). */
export function analysisDataOf(request: RecordedLlmRequest): Partial<AnalysisData> {
  const messages = (request.body?.messages ?? []) as Array<{ role: string; content: string }>;
  const user = messages.find((message) => message.role === 'user')?.content ?? '';
  const json = firstJsonObject(user);
  return json === undefined ? {} : (JSON.parse(json) as Partial<AnalysisData>);
}

/** The candidate's answer an analysis request asks about. */
export function analysisAnswerOf(request: RecordedLlmRequest): string {
  return analysisDataOf(request).answer?.trim() ?? '';
}

/** The first balanced {...} in `text`, skipping braces inside JSON strings. */
export function firstJsonObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i += 1;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') depth += 1;
    else if (char === '}' && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

/** The first words of an answer, verbatim (so the server keeps them as evidence): three words, or four Chinese characters. */
export function openingWordsOf(answer: string): string {
  if (/[\u4e00-\u9fff]/.test(answer)) return Array.from(answer.replace(/\s+/g, '')).slice(0, 4).join('');
  return answer.split(/\s+/).slice(0, 3).join(' ').replace(/[,.;:!?]+$/, '');
}

/** Which analysis call a request is: by response_format name, or (instructions-only mode) by the task prompt's text. */
export function analysisCallOf(request: RecordedLlmRequest): 'followups' | 'score' | 'other' {
  if (request.schemaName === 'answer_followups') return 'followups';
  if (request.schemaName === 'answer_score') return 'score';
  const messages = (request.body?.messages ?? []) as Array<{ role: string; content: string }>;
  const firstUser = messages.find((message) => message.role === 'user')?.content ?? '';
  if (firstUser.includes('"suggestions"')) return 'followups';
  if (firstUser.includes('"label"')) return 'score';
  return 'other';
}

/** Scripts per call kind: a script, a list consumed in order (last one repeats), or a function of the request. */
export type ScriptSource = FakeLlmScript | FakeLlmScript[] | ((request: RecordedLlmRequest) => FakeLlmScript);

/** A responder that answers follow-up and score calls from separate script sources. */
export function analysisResponder(sources: { followups: ScriptSource; score: ScriptSource }): FakeLlmResponder {
  const take = (source: ScriptSource, request: RecordedLlmRequest): FakeLlmScript => {
    if (typeof source === 'function') return source(request);
    if (Array.isArray(source)) {
      const next = source.length > 1 ? source.shift() : source[0];
      if (!next) throw new Error('analysisResponder: empty script list');
      return next;
    }
    return source;
  };
  return (request) => {
    const kind = analysisCallOf(request);
    if (kind === 'followups') return take(sources.followups, request);
    if (kind === 'score') return take(sources.score, request);
    return fakeScripts.error(500, `analysisResponder: cannot tell which analysis call request #${request.index} is`);
  };
}

/** Streams `value` as JSON with the given timing. */
export function jsonScript(value: unknown, timing: FakeStreamTiming = {}): FakeLlmScript {
  return fakeScripts.json(value, timing);
}
