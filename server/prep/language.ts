import type { PrepLanguage } from '../../protocol/prep.ts';

/** Share of Han characters among letters above which a text is treated as Chinese (Chinese resumes mix in English terms). */
const CHINESE_SHARE = 0.2;

/** Guesses whether a resume or JD is Chinese or English from its characters. */
export function detectLanguage(text: string): PrepLanguage {
  const sample = text.slice(0, 20_000);
  const han = sample.match(/\p{Script=Han}/gu)?.length ?? 0;
  const latinWords = sample.match(/[A-Za-z]+/g)?.length ?? 0;
  // A Han character carries about a word's meaning, so compare characters with words, not letters.
  if (han === 0) return 'en';
  return han / (han + latinWords) >= CHINESE_SHARE ? 'zh' : 'en';
}

/** True when a generated text is written in `language` (used to check a letter is in the candidate's language). */
export function isWrittenIn(text: string, language: PrepLanguage): boolean {
  const han = text.match(/\p{Script=Han}/gu)?.length ?? 0;
  const latinWords = text.match(/[A-Za-z]+/g)?.length ?? 0;
  if (language === 'zh') return han > 0 && han / (han + latinWords) >= 0.5;
  return han / Math.max(1, han + latinWords) < 0.1;
}
