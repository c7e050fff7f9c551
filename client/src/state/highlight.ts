/**
 * Where a quote sits in a text, as [start, end) indices into the original text, or null when absent.
 * Tries the exact quote first, then ignores case, runs of whitespace and surrounding punctuation, since a
 * model quoting a transcript often changes only those.
 */
export function findQuote(text: string, quote: string): [number, number] | null {
  const trimmed = quote.trim().replace(/^["“”'‘’「」『』]+|["“”'‘’「」『』.。,，!！?？]+$/g, '');
  if (trimmed === '') return null;
  const exact = text.indexOf(trimmed);
  if (exact >= 0) return [exact, exact + trimmed.length];
  // Normalised copy of the text with a map from each normalised character back to its original index.
  const map: number[] = [];
  let normalised = '';
  let lastWasSpace = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      if (lastWasSpace) continue;
      normalised += ' ';
      lastWasSpace = true;
    } else {
      normalised += ch.toLowerCase();
      lastWasSpace = false;
    }
    map.push(i);
  }
  const needle = trimmed.toLowerCase().replace(/\s+/g, ' ');
  const at = normalised.indexOf(needle);
  if (at < 0) return null;
  const start = map[at] ?? 0;
  const end = (map[at + needle.length - 1] ?? start) + 1;
  return [start, end];
}
