import type { PrepDeps } from './deps.ts';
import { isWrittenIn } from './language.ts';
import { FeedbackLetterOutput, type FeedbackLetter, type FeedbackRequest, type PrepLanguage } from '../../protocol/prep.ts';

/** One rubric dimension averaged over the interview's scored answers. */
export interface DimensionSummary {
  id: string;
  name: string;
  meanScore: number;
  answers: number;
  /** The scorer's reasons, most telling first (lowest and highest scores). */
  reasons: string[];
}

/** The interview's scores boiled down to what a letter can be written from. */
export interface InterviewSummary {
  answered: number;
  notAnswered: number;
  dimensions: DimensionSummary[];
  remarks: string[];
}

/** Averages each evidenced rubric dimension over the answers labelled 'answer' (others are counted, never scored). */
export function summarizeScores(answers: FeedbackRequest['answers']): InterviewSummary {
  const byId = new Map<string, { name: string; scores: Array<{ score: number; reason: string }> }>();
  let answered = 0;
  const remarks: string[] = [];
  for (const { score } of answers) {
    if (score.label !== 'answer') continue;
    answered += 1;
    // An answer whose evidence did not verify carries a fixed remark and no numbers: nothing to write a letter from.
    if (score.overall === null) continue;
    if (score.remark.trim()) remarks.push(score.remark.trim());
    for (const dimension of score.dimensions) {
      if (dimension.score === null) continue;
      const entry = byId.get(dimension.id) ?? { name: dimension.name, scores: [] };
      entry.scores.push({ score: dimension.score, reason: dimension.reason });
      byId.set(dimension.id, entry);
    }
  }
  const dimensions = [...byId.entries()].map(([id, entry]) => {
    const sorted = [...entry.scores].sort((a, b) => a.score - b.score);
    const picks = [sorted[0], sorted[sorted.length - 1]].filter((pick, index, all) => pick && all.indexOf(pick) === index);
    return {
      id,
      name: entry.name,
      meanScore: Math.round((entry.scores.reduce((sum, item) => sum + item.score, 0) / entry.scores.length) * 10) / 10,
      answers: entry.scores.length,
      reasons: picks.flatMap((pick) => (pick?.reason.trim() ? [pick.reason.trim()] : [])),
    };
  });
  dimensions.sort((a, b) => b.meanScore - a.meanScore);
  return { answered, notAnswered: answers.length - answered, dimensions, remarks: remarks.slice(0, 10) };
}

/** The summary as prompt text; level words instead of numbers so the letter does not quote internal scores. */
export function describeSummary(summary: InterviewSummary, language: PrepLanguage): string {
  const level = (score: number): string =>
    language === 'zh'
      ? score >= 8 ? '突出' : score >= 6 ? '良好' : score >= 4 ? '一般' : '较弱'
      : score >= 8 ? 'strong' : score >= 6 ? 'good' : score >= 4 ? 'mixed' : 'weak';
  const lines = summary.dimensions.map(
    (dimension) => `- ${dimension.name}: ${level(dimension.meanScore)} (${dimension.meanScore}/10, ${dimension.answers})${dimension.reasons.length ? ` — ${dimension.reasons.join(' / ')}` : ''}`,
  );
  const counts =
    language === 'zh'
      ? `已评分回答 ${summary.answered} 个；未作答或离题 ${summary.notAnswered} 个。`
      : `${summary.answered} scored answers; ${summary.notAnswered} unanswered or off-topic.`;
  const remarks = summary.remarks.length ? `\n${summary.remarks.map((remark) => `* ${remark}`).join('\n')}` : '';
  return `${counts}\n${lines.join('\n')}${remarks}`;
}

/**
 * Writes a feedback letter in the candidate's language from an interview's scores (prompt `feedback-letter`). A letter
 * in the wrong language fails validation, which gives the model its one repair round. Throws LlmError.
 */
export async function writeFeedbackLetter(
  deps: PrepDeps,
  request: FeedbackRequest,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<{ letter: FeedbackLetter; repaired: boolean }> {
  const language = request.language;
  const summary = summarizeScores(request.answers);
  const unknown = language === 'zh' ? '（未提供）' : '(not given)';
  const prompt = deps.prompts.render(
    'feedback-letter',
    language,
    { decision: request.decision },
    {
      candidateName: request.candidateName ?? null,
      role: request.role ?? null,
      companyName: request.companyName ?? null,
      decision: request.decision,
      interviewSummary: describeSummary(summary, language),
    },
  );
  const schema = FeedbackLetterOutput.superRefine((letter, context) => {
    const body = [letter.greeting, ...letter.paragraphs, ...letter.strengths, ...letter.improvements, letter.closing].join('\n');
    if (!isWrittenIn(body, language)) {
      context.addIssue({ code: 'custom', message: `the letter must be written in ${language === 'zh' ? 'Chinese (简体中文)' : 'English'}` });
    }
  });
  const result = await deps.llm.generate({
    schema,
    schemaName: 'feedback_letter',
    messages: prompt.messages,
    language,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
  });
  const letter = result.object;
  return {
    letter: { ...letter, language, text: letterText(letter, language), model: result.model, promptVersion: prompt.version },
    repaired: result.repaired,
  };
}

/** The letter as plain text, ready to paste into an email. */
export function letterText(letter: FeedbackLetterOutput, language: PrepLanguage): string {
  const heading = language === 'zh' ? { strengths: '您的优势：', improvements: '可以继续提升的方面：' } : { strengths: 'What went well:', improvements: 'Where you could grow:' };
  const parts = [letter.greeting, ...letter.paragraphs];
  if (letter.strengths.length) parts.push(`${heading.strengths}\n${letter.strengths.map((item) => `- ${item}`).join('\n')}`);
  if (letter.improvements.length) parts.push(`${heading.improvements}\n${letter.improvements.map((item) => `- ${item}`).join('\n')}`);
  parts.push(letter.closing);
  return parts.join('\n\n');
}
