/**
 * Which planned question an asked question is, by its words (issue 14: "matched by what was asked, not by order").
 * Language-aware content tokens: English words (lower-cased, light stemming, common words dropped) and Chinese
 * characters (each Han character a token, function characters dropped). The similarity is the share of the planned
 * question's tokens the interviewer said: an interviewer who adds "Great, thanks. Next one:" still matches, one who
 * asks about something else does not.
 */

/** English words that say nothing about which question was asked. */
const EN_STOPWORDS = new Set(
  ('a an the and or but if then so to of in on at for with from by about as into over is are was were be been being am do does did ' +
    'have has had i you he she it we they me my your our their his her its this that these those there here what which who whom ' +
    'how why when where can could would should will shall may might must not no yes ok okay great thanks thank please tell us ' +
    'just also very really well let lets now next question one some any all more most other such than too up out again')
    .split(' '),
);

/** Han characters that carry no topic (particles, pronouns, "what/how", "please/tell"). */
const ZH_STOPCHARS = new Set([...'的了是你我他她它们吗呢吧啊在和有一个这那什么怎样么请说讲下谈给就都也还把被对很会能要可以吧呀嗯哦']);

const HAN = /\p{Script=Han}/u;

/** Light English stemming: enough that "tested" meets "test" and "systems" meets "system". */
function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The content tokens of a text: English word stems and Chinese characters. */
export function contentTokens(text: string): Set<string> {
  const tokens = new Set<string>();
  for (const match of text.normalize('NFKC').toLowerCase().matchAll(/\p{Script=Han}|[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu)) {
    const token = match[0];
    if (HAN.test(token)) {
      if (!ZH_STOPCHARS.has(token)) tokens.add(token);
    } else if (token.length > 1 && !EN_STOPWORDS.has(token) && !EN_STOPWORDS.has(token.replace(/'.*$/, ''))) {
      tokens.add(stem(token));
    }
  }
  return tokens;
}

/** Share (0-1) of the planned question's content tokens found in what was asked. */
export function questionSimilarity(asked: string, planned: string): number {
  const plannedTokens = contentTokens(planned);
  if (plannedTokens.size === 0) return 0;
  const askedTokens = contentTokens(asked);
  let shared = 0;
  for (const token of plannedTokens) if (askedTokens.has(token)) shared++;
  return shared / plannedTokens.size;
}

/** Below this similarity an asked question is not the planned one (it is shown as asked). */
export const QUESTION_MATCH_THRESHOLD = 0.4;

/** A planned question an asked one was matched to. */
export interface PlannedMatch {
  /** Index in the plan (0-based). */
  index: number;
  similarity: number;
}

/**
 * Matches each asked question (null: none was heard) to at most one planned question and each planned question to at
 * most one asked question, best pairs first (so a later re-wording does not steal a question already asked closer).
 * Returns, per asked question, its match or null (unplanned, or nothing asked).
 */
export function matchPlannedQuestions(asked: Array<string | null>, planned: string[]): Array<PlannedMatch | null> {
  const pairs: Array<{ askedIndex: number; plannedIndex: number; similarity: number }> = [];
  asked.forEach((text, askedIndex) => {
    if (text === null) return;
    planned.forEach((plannedText, plannedIndex) => {
      const similarity = questionSimilarity(text, plannedText);
      if (similarity >= QUESTION_MATCH_THRESHOLD) pairs.push({ askedIndex, plannedIndex, similarity });
    });
  });
  // Best first; ties go to the earlier asked question, then the earlier planned one.
  pairs.sort((a, b) => b.similarity - a.similarity || a.askedIndex - b.askedIndex || a.plannedIndex - b.plannedIndex);
  const result: Array<PlannedMatch | null> = asked.map(() => null);
  const usedPlanned = new Set<number>();
  for (const pair of pairs) {
    if (result[pair.askedIndex] || usedPlanned.has(pair.plannedIndex)) continue;
    result[pair.askedIndex] = { index: pair.plannedIndex, similarity: Math.round(pair.similarity * 100) / 100 };
    usedPlanned.add(pair.plannedIndex);
  }
  return result;
}
