import type { AnswerScore, FollowUpSuggestion } from '../../protocol/schemas.ts';
import { interviewDurationMs, type AnalysisFailure, type Consent, type InterviewDetail, type TurnDetail } from '../../protocol/interviews.ts';
import { joinTexts } from '../features/answer-grouping.ts';
import type { Recommendation, ReportLanguage } from './labels.ts';
import { matchPlannedQuestions } from './question-match.ts';

/**
 * Recommendation thresholds on the weighted overall (1-10). The bands follow the usual reading of a 1-10 rubric:
 * 8+ is consistently strong evidence, 6.5-8 solid, 5-6.5 mixed, below 5 weak. With fewer than `minScoredAnswers`
 * scored answers the report says "insufficient evidence" whatever the average.
 */
export const RECOMMENDATION_THRESHOLDS = { strongHire: 8.0, hire: 6.5, leanNoHire: 5.0, minScoredAnswers: 3 } as const;

/** How an answer stands in the report; 'no-evidence': an answer none of whose quoted evidence verified, so not scored. */
export type AnswerStatus = 'scored' | 'no-evidence' | 'not-an-answer' | 'failed' | 'pending';

/** One answer in the report: the candidate's turns between two interviewer turns, scored as one. */
export interface ReportAnswer {
  /** The answer's id: its first turn's (its score, suggestions and failure are keyed by it). */
  turnId: string;
  /** Every turn of the answer, in order. */
  turnIds: string[];
  startMs: number;
  endMs: number;
  /** The turns' text joined. */
  text: string;
  language: string | null;
  status: AnswerStatus;
  score: AnswerScore | null;
  failure: AnalysisFailure | null;
  suggestions: FollowUpSuggestion[];
}

/** A question and the answer to it. */
export interface ReportQuestion {
  index: number;
  /**
   * 'interviewer': the interviewer's words before the answer (shown as asked; `planned` says which planned question
   * they match, by their words); 'planned': no interviewer turn was heard at all, so the planned question of the same
   * rank; 'none': nothing known.
   */
  source: 'interviewer' | 'planned' | 'none';
  text: string | null;
  startMs: number | null;
  /** The planned question this one is (by what was asked, or by rank for 'planned'); null: not a planned question. */
  planned: { index: number; text: string; similarity: number | null } | null;
  answers: ReportAnswer[];
}

/** Average of one rubric dimension over the scored answers. */
export interface DimensionSummary {
  id: string;
  name: string;
  weight: number;
  average: number | null;
  count: number;
}

/** The report as data (the JSON format), rendered to Markdown and HTML. */
export interface InterviewReport {
  reportVersion: 1;
  language: ReportLanguage;
  generatedAtMs: number;
  interview: {
    id: string;
    title: string | null;
    role: string | null;
    candidateName: string | null;
    language: 'en' | 'zh' | 'auto';
    mode: 'copilot' | 'automated' | 'recording';
    status: 'live' | 'stopped' | 'processing' | 'done' | 'failed';
    statusMessage: string | null;
    createdAtMs: number;
    endedAtMs: number | null;
    durationMs: number;
    consent: Consent | null;
    transcriptPurged: boolean;
  };
  summary: {
    /** 'scoring' while answers wait for their score (`analysis`): the recommendation waits for them. */
    recommendation: Recommendation;
    /** Where scoring stands (analysis jobs); null for an interview analysed before jobs were stored. */
    analysis: { total: number; done: number; pending: number; failed: number } | null;
    /** Weighted mean of the dimension averages (rubric weights, 1 when unknown); null when nothing was scored. */
    weightedOverall: number | null;
    dimensions: DimensionSummary[];
    counts: { answers: number; scored: number; noEvidence: number; notAnswers: number; failed: number; pending: number };
    thresholds: typeof RECOMMENDATION_THRESHOLDS;
    /** Models and prompt versions that produced the scores. */
    scoredBy: string[];
  };
  /** How many questions were planned (0: no plan, so no question is "unplanned"). */
  plannedQuestionCount: number;
  questions: ReportQuestion[];
}

/** Maps a weighted overall and the number of scored answers to a recommendation (see RECOMMENDATION_THRESHOLDS). */
export function recommend(weightedOverall: number | null, scoredAnswers: number): Recommendation {
  const t = RECOMMENDATION_THRESHOLDS;
  if (weightedOverall === null || scoredAnswers < t.minScoredAnswers) return 'insufficient-evidence';
  if (weightedOverall >= t.strongHire) return 'strong-hire';
  if (weightedOverall >= t.hire) return 'hire';
  if (weightedOverall >= t.leanNoHire) return 'lean-no-hire';
  return 'no-hire';
}

/** Report language: the interview's own, or for 'auto' the language most turns were transcribed in. */
export function reportLanguageFor(detail: InterviewDetail): ReportLanguage {
  if (detail.interview.language !== 'auto') return detail.interview.language;
  let zh = 0;
  let other = 0;
  for (const turn of detail.turns) {
    if (turn.language?.startsWith('zh') || /[\u4e00-\u9fff]/.test(turn.text)) zh++;
    else other++;
  }
  return zh > other ? 'zh' : 'en';
}

function answerOf(turns: TurnDetail[]): ReportAnswer | null {
  const first = turns[0];
  if (!first) return null;
  // Analyses are keyed by the answer's first turn; a later turn's own (from before a regrouping) does not count.
  let status: AnswerStatus;
  if (first.score) status = first.score.label !== 'answer' ? 'not-an-answer' : first.score.overall === null ? 'no-evidence' : 'scored';
  else if (first.failure) status = 'failed';
  else status = 'pending';
  return {
    turnId: first.turnId,
    turnIds: turns.map((turn) => turn.turnId),
    startMs: first.startMs,
    endMs: Math.max(...turns.map((turn) => turn.endMs)),
    text: joinTexts(turns.map((turn) => turn.text)),
    language: first.language,
    status,
    score: first.score,
    failure: first.failure,
    suggestions: first.suggestions?.suggestions ?? [],
  };
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Candidate turns grouped into answers, each under the question before it: an answer is the candidate's turns between
 * two interviewer turns (or those the store grouped under one answer id). Without any interviewer turn (a one-channel
 * recording whose roles were not found) each stored answer is its own block under the planned question of its rank.
 */
function groupByQuestion(turns: TurnDetail[], planned: Array<{ text: string }>, hasInterviewer: boolean): ReportQuestion[] {
  const blocks: Array<{ asked: TurnDetail[]; answer: TurnDetail[] }> = [];
  let asked: TurnDetail[] = [];
  let current: { asked: TurnDetail[]; answer: TurnDetail[] } | undefined;
  for (const turn of turns) {
    if (turn.channel === 'interviewer') {
      asked.push(turn);
      current = undefined;
      continue;
    }
    // Silence heard as nothing is no answer.
    if (turn.text.trim() === '') continue;
    // Same answer: the same stored answer id; turns stored before answers had ids go by their interviewer turns.
    const key = turn.answerId ?? null;
    const sameAnswer = current !== undefined && (current.answer[0]?.answerId ?? null) === key && (key !== null || hasInterviewer);
    if (!current || !sameAnswer) {
      current = { asked, answer: [] };
      asked = [];
      blocks.push(current);
    }
    current.answer.push(turn);
  }
  // The interviewer's last words with no answer after them still belong in the record.
  if (asked.length > 0) blocks.push({ asked, answer: [] });

  const askedTexts = blocks.map((block) => (block.asked.length > 0 ? joinTexts(block.asked.map((turn) => turn.text)) : null));
  const matches = matchPlannedQuestions(askedTexts, planned.map((question) => question.text));
  return blocks.map((block, position): ReportQuestion => {
    const index = position + 1;
    const answer = answerOf(block.answer);
    const answers = answer ? [answer] : [];
    const text = askedTexts[position] ?? null;
    const match = matches[position] ?? null;
    if (text !== null && text !== '') {
      const plannedMatch = match ? { index: match.index, text: planned[match.index]?.text ?? '', similarity: match.similarity } : null;
      return { index, source: 'interviewer', text, startMs: block.asked[0]?.startMs ?? null, planned: plannedMatch, answers };
    }
    const byRank = hasInterviewer ? undefined : planned[position];
    return byRank
      ? { index, source: 'planned', text: byRank.text, startMs: null, planned: { index: position, text: byRank.text, similarity: null }, answers }
      : { index, source: 'none', text: null, startMs: null, planned: null, answers };
  });
}

/** Per-dimension averages (rubric order first) and the weighted overall of the scored answers. */
function summarizeDimensions(
  scored: ReportAnswer[],
  rubric: Array<{ id: string; name: string; weight: number }>,
): { dimensions: DimensionSummary[]; weightedOverall: number | null } {
  const weights = new Map(rubric.map((dimension) => [dimension.id, dimension]));
  const byDimension = new Map<string, { name: string; total: number; count: number }>();
  // Rubric order first, then any dimension the scores name that the rubric does not.
  for (const dimension of weights.values()) byDimension.set(dimension.id, { name: dimension.name, total: 0, count: 0 });
  for (const answer of scored) {
    for (const dimension of answer.score?.dimensions ?? []) {
      // A dimension without verified evidence has no score to average.
      if (dimension.score === null) continue;
      const entry = byDimension.get(dimension.id) ?? { name: dimension.name, total: 0, count: 0 };
      entry.total += dimension.score;
      entry.count++;
      byDimension.set(dimension.id, entry);
    }
  }
  const dimensions: DimensionSummary[] = [...byDimension.entries()].map(([id, entry]) => ({
    id,
    name: entry.name,
    weight: weights.get(id)?.weight ?? 1,
    average: entry.count > 0 ? round1(entry.total / entry.count) : null,
    count: entry.count,
  }));
  let weightSum = 0;
  let weighted = 0;
  for (const dimension of dimensions) {
    if (dimension.count === 0) continue;
    const byId = byDimension.get(dimension.id);
    if (!byId) continue;
    weighted += (byId.total / byId.count) * dimension.weight;
    weightSum += dimension.weight;
  }
  const weightedOverall = weightSum > 0 ? round1(weighted / weightSum) : null;
  return { dimensions, weightedOverall };
}

/**
 * Builds the report of an interview: answers (the candidate's turns between two interviewer turns) under the question
 * that preceded them (the interviewer's words, matched to a planned question by what was asked, not by order),
 * per-dimension averages, the weighted overall and the recommendation.
 */
export function buildReport(detail: InterviewDetail, options: { language?: ReportLanguage; generatedAtMs?: number } = {}): InterviewReport {
  const { interview, turns } = detail;
  const planned = interview.context.plannedQuestions ?? [];
  // Without any interviewer turn (a one-channel recording) consecutive candidate turns cannot be told apart by
  // question, so each is its own block.
  const hasInterviewer = turns.some((turn) => turn.channel === 'interviewer');

  const questions = groupByQuestion(turns, planned, hasInterviewer);

  const answers = questions.flatMap((question) => question.answers);
  const scored = answers.filter((answer) => answer.status === 'scored');
  const { dimensions, weightedOverall } = summarizeDimensions(scored, interview.context.rubric?.dimensions ?? []);

  const scoredBy = [...new Set(scored.map((answer) => `${answer.score?.model} · ${answer.score?.promptVersion} · ${answer.score?.rubricVersion}`))];
  return {
    reportVersion: 1,
    language: options.language ?? reportLanguageFor(detail),
    generatedAtMs: options.generatedAtMs ?? Date.now(),
    interview: {
      id: interview.id,
      title: interview.title,
      role: interview.role,
      candidateName: interview.candidateName,
      language: interview.language,
      mode: interview.mode,
      status: interview.status,
      statusMessage: interview.statusMessage,
      createdAtMs: interview.createdAtMs,
      endedAtMs: interview.endedAtMs,
      durationMs: interviewDurationMs(detail),
      consent: interview.consent,
      transcriptPurged: interview.transcriptPurgedAtMs !== null,
    },
    summary: {
      recommendation: detail.analysis && detail.analysis.pending > 0 ? 'scoring' : recommend(weightedOverall, scored.length),
      analysis: detail.analysis ?? null,
      weightedOverall,
      dimensions,
      counts: {
        answers: answers.length,
        scored: scored.length,
        noEvidence: answers.filter((answer) => answer.status === 'no-evidence').length,
        notAnswers: answers.filter((answer) => answer.status === 'not-an-answer').length,
        failed: answers.filter((answer) => answer.status === 'failed').length,
        pending: answers.filter((answer) => answer.status === 'pending').length,
      },
      thresholds: RECOMMENDATION_THRESHOLDS,
      scoredBy,
    },
    plannedQuestionCount: planned.length,
    questions,
  };
}
