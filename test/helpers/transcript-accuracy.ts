/**
 * Word and character error rates of a transcript against its reference, for tests that read real whisper output (a
 * bound, never an exact string: another decoder setting or model can change a word) and for the accuracy bench.
 */

/** Lower-case words without punctuation; hyphens and apostrophes inside a word are kept. */
export function normalizedWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s-]+/gu, ' ')
    .replace(/(^|\s)['-]+|['-]+(?=\s|$)/g, ' ')
    .split(/\s+/)
    .filter((word) => word !== '');
}

/** The Han characters, letters and digits of a (Chinese) text, punctuation and spaces dropped. */
export function normalizedCharacters(text: string): string[] {
  return Array.from(text.replace(/[^\p{L}\p{N}]+/gu, '').toLowerCase());
}

/** Levenshtein distance between two token lists (substitutions, insertions and deletions cost 1). */
export function editDistance(reference: readonly string[], hypothesis: readonly string[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, index) => index);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return previous[hypothesis.length] ?? 0;
}

/** Word error rate: word edits over the reference's word count (0 is perfect; can exceed 1). */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const words = normalizedWords(reference);
  return editDistance(words, normalizedWords(hypothesis)) / Math.max(1, words.length);
}

/** Character error rate (for Chinese): character edits over the reference's character count. */
export function characterErrorRate(reference: string, hypothesis: string): number {
  const characters = normalizedCharacters(reference);
  return editDistance(characters, normalizedCharacters(hypothesis)) / Math.max(1, characters.length);
}

/** Sum of edits and reference lengths over many clips, so a corpus rate weighs each clip by its length. */
export function corpusErrorRate(pairs: ReadonlyArray<{ reference: string; hypothesis: string }>, unit: 'word' | 'character'): number {
  const split = unit === 'word' ? normalizedWords : normalizedCharacters;
  let edits = 0;
  let length = 0;
  for (const { reference, hypothesis } of pairs) {
    const tokens = split(reference);
    edits += editDistance(tokens, split(hypothesis));
    length += tokens.length;
  }
  return edits / Math.max(1, length);
}
