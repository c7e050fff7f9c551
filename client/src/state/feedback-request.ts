import type { FeedbackRequest, PrepLanguage } from '../../../protocol/prep.ts';
import { effectiveChannel, orderedTurns, type InterviewState } from './interview-reducer.ts';

/** How the interviewer decided; the letter's tone follows it. */
export type FeedbackDecision = FeedbackRequest['decision'];

/** Language of the interview: the session's, else the script most of the candidate's words are in, else `fallback`. */
export function interviewLanguage(state: Pick<InterviewState, 'language' | 'turns' | 'roleOverrides'>, fallback: PrepLanguage): PrepLanguage {
  if (state.language === 'en' || state.language === 'zh') return state.language;
  const text = Object.values(state.turns)
    .filter((turn) => effectiveChannel(state, turn) === 'candidate')
    .map((turn) => turn.text)
    .join('');
  const cjk = (text.match(/[\u3400-\u9fff]/g) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  if (cjk === 0 && latin === 0) return fallback;
  // A Chinese character carries about as much as a short English word, so weigh it against ~4 letters.
  return cjk * 4 >= latin ? 'zh' : 'en';
}

/**
 * The `POST /api/feedback` body from what the review shows: every scored answer in time order with the interviewer's
 * question just before it; null when nothing was scored (the API needs at least one answer).
 */
export function buildFeedbackRequest(state: InterviewState, decision: FeedbackDecision, fallbackLanguage: PrepLanguage): FeedbackRequest | null {
  const answers: FeedbackRequest['answers'] = [];
  let lastQuestion: string | undefined;
  for (const turn of orderedTurns(state.turns)) {
    if (effectiveChannel(state, turn) === 'interviewer') {
      lastQuestion = turn.text.trim().slice(0, 2000) || lastQuestion;
      continue;
    }
    const score = state.scores[turn.turnId];
    if (!score) continue;
    answers.push({ ...(lastQuestion ? { question: lastQuestion } : {}), score });
  }
  if (answers.length === 0) return null;
  const role = state.context.role?.trim().slice(0, 200);
  return {
    language: interviewLanguage(state, fallbackLanguage),
    ...(role ? { role } : {}),
    decision,
    answers: answers.slice(-100),
  };
}
