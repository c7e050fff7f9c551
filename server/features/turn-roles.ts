/**
 * Who spoke a turn of a one-channel session (a single microphone, a mono recording), guessed from its words: is it a
 * question (the interviewer's) or an answer (the candidate's)? A cheap heuristic, not an LLM call per turn: on a small
 * local model every call competes with scoring (one call in flight), while question marks, question openers, the
 * planned questions and length decide the turns of an interview well (measured in test/mono-roles.test.ts and
 * docs/answers.md). The guess carries a confidence and the user corrects it (`relabel-turn`).
 */
import type { Channel } from '../../protocol/schemas.ts';
import { contentTokens } from '../reports/question-match.ts';

/** A guessed speaker role. */
export interface RoleGuess {
  channel: Channel;
  /** 0 (a coin toss) to 1 (sure). */
  confidence: number;
}

/** A request to talk (English), at the start of a sentence: a question even when whisper ends it with a full stop. */
const EN_REQUEST = /(?:^|[.!?]\s+)(?:(?:so|and|now|next|okay|great)[,:]?\s+)?(?:tell me|tell us|describe|walk me|walk us|talk me|talk us|give me an?|explain)\b/i;
/** How a question starts (English): a weaker cue without a question mark ("What I did was…" is an answer). */
const EN_QUESTION_OPENER =
  /(?:^|[.!?]\s+)(?:(?:so|and|now|next|okay|great)[,:]?\s+)?(?:what|how|why|when|where|which|who|can you|could you|would you|will you|do you|did you|have you|are you|were you|is there)\b/i;
/** A request to talk (Chinese): 请介绍…, 说说…, 讲讲…, 谈谈…, 描述…, 举个例子. */
const ZH_REQUEST = /^(?:请|那|好的?[，,]?)?(?:你|您)?(?:能不能|可不可以|可以|能)?(?:请)?(?:介绍|说说|讲讲|谈谈|描述|举个例子)/u;
/** A question word or a question particle at the end (Chinese). */
const ZH_QUESTION = /为什么|怎么|如何|什么|哪|吗[？?。]?$|呢[？?。]?$/u;
/** An answer usually talks about oneself. */
const FIRST_PERSON = /\b(?:i|i'm|i've|i'd|my|we|we're|we've|our|us)\b|^我|我们|我的/iu;

/**
 * How much a turn reads like one of the planned questions (0-1): the share of a planned question's content words it
 * says, counted only from two shared words up, because an answer echoes a word of its question ("tests") all the time.
 */
function plannedLikeness(text: string, plannedQuestions: readonly string[]): number {
  const said = contentTokens(text);
  let best = 0;
  for (const planned of plannedQuestions) {
    const tokens = contentTokens(planned);
    let shared = 0;
    for (const token of tokens) if (said.has(token)) shared++;
    if (shared >= 2) best = Math.max(best, shared / tokens.size);
  }
  return best;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Guesses whether a turn is the interviewer's question or the candidate's answer. */
export function guessTurnRole(text: string, plannedQuestions: readonly string[] = []): RoleGuess {
  const trimmed = text.trim();
  if (trimmed === '') return { channel: 'candidate', confidence: 0 };
  const words = trimmed.split(/\s+/).length + (trimmed.match(/\p{Script=Han}/gu)?.length ?? 0) / 2;
  let score = 0;
  if (/[?？]\s*$/.test(trimmed)) score += 2;
  else if (/[?？]/.test(trimmed)) score += 1;
  if (EN_REQUEST.test(trimmed) || ZH_REQUEST.test(trimmed)) score += 2;
  else if (EN_QUESTION_OPENER.test(trimmed) || ZH_QUESTION.test(trimmed)) score += 1;
  score += 2 * plannedLikeness(trimmed, plannedQuestions);
  if (FIRST_PERSON.test(trimmed)) score -= 1.5;
  if (words <= 20) score += 0.5;
  else if (words > 35) score -= 1.5;
  // Centred so that a short turn with nothing else to go on is a (weak) answer: most of an interview is answers.
  const interviewer = sigmoid(score - 1.5);
  const channel: Channel = interviewer > 0.5 ? 'interviewer' : 'candidate';
  return { channel, confidence: Math.round(Math.abs(interviewer - 0.5) * 200) / 100 };
}
