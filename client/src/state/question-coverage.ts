import type { PlannedQuestion } from '../../../protocol/index.ts';
import { effectiveChannel, orderedTurns, type InterviewState } from './interview-reducer.ts';

// Words too common to say whether a question was asked.
const STOP_WORDS = new Set(
  'a an the and or but of to in on at for with by from about as is are was were be been being do does did have has had you your yours i me my we our us they them their it its this that these those what which who whom how why when where can could would should will shall may might tell me please describe explain walk through talk give example some any there here so if then than just also very more most'.split(
    ' ',
  ),
);
const ZH_STOP = new Set(['一下', '一个', '什么', '怎么', '如何', '你们', '我们', '请你', '可以', '的时', '是什', '么样', '你的', '你在', '谈谈', '说说', '介绍']);

/** Content tokens of a text: latin words (lowercase, no stop words) and Chinese character bigrams. */
export function contentTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const word of text.toLowerCase().match(/[a-z0-9][a-z0-9+#.'-]*/g) ?? []) {
    const clean = word.replace(/[.'-]+$/, '');
    if (clean.length > 1 && !STOP_WORDS.has(clean)) tokens.add(clean.replace(/(ing|ed|es|s)$/, '') || clean);
  }
  for (const run of text.match(/[\u3400-\u9fff]+/g) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) {
      const bigram = run.slice(i, i + 2);
      if (!ZH_STOP.has(bigram)) tokens.add(bigram);
    }
  }
  return tokens;
}

/** Share of the question's content tokens that also occur in the spoken text (0..1). */
export function questionOverlap(question: string, spoken: string): number {
  const wanted = contentTokens(question);
  if (wanted.size === 0) return 0;
  const said = contentTokens(spoken);
  let shared = 0;
  for (const token of wanted) if (said.has(token)) shared++;
  return shared / wanted.size;
}

/** Overlap at or above which a question counts as asked; interviewers paraphrase, so half the words is enough. */
export const COVERAGE_THRESHOLD = 0.5;

/**
 * Which planned questions were asked: a manual tick wins; otherwise an interviewer turn (any turn in
 * single-mic mode, where roles are unknown) sharing enough content words with the question.
 */
export function coveredQuestions(
  questions: readonly PlannedQuestion[],
  state: Pick<InterviewState, 'turns' | 'roleOverrides' | 'manualCoverage' | 'captureMode'>,
): Record<string, { covered: boolean; manual: boolean; turnId?: string }> {
  const turns = orderedTurns(state.turns).filter(
    (turn) => state.captureMode === 'single-mic' || effectiveChannel(state, turn) === 'interviewer',
  );
  const result: Record<string, { covered: boolean; manual: boolean; turnId?: string }> = {};
  for (const question of questions) {
    const manual = state.manualCoverage[question.id];
    if (manual !== undefined) {
      result[question.id] = { covered: manual, manual: true };
      continue;
    }
    const tokens = contentTokens(question.text);
    const minShared = Math.min(2, tokens.size);
    const match = turns.find((turn) => {
      const overlap = questionOverlap(question.text, turn.text);
      return overlap >= COVERAGE_THRESHOLD && overlap * tokens.size >= minShared;
    });
    result[question.id] = match ? { covered: true, manual: false, turnId: match.turnId } : { covered: false, manual: false };
  }
  return result;
}
