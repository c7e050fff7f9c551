import { normalizeForMatch } from './clean-text.ts';

/** Shortest quote worth checking; shorter ones ("Go", "5") match anywhere and prove nothing. */
const MIN_QUOTE_CHARS = 2;

/** A source text prepared once for many quote checks. */
export interface QuoteIndex {
  /** True when `quote` appears in the source after whitespace/width normalisation; "…" may join pieces in order. */
  has(quote: string): boolean;
}

/** Prepares `source` (the text the model was shown) for checking that quotes are verbatim. */
export function createQuoteIndex(source: string): QuoteIndex {
  const haystack = normalizeForMatch(source);
  return {
    has(quote: string): boolean {
      // Models shorten long quotes with an ellipsis: every piece must appear, in order.
      const pieces = quote
        .split(/\.{3,}|…+|⋯+/)
        .map((piece) => normalizeForMatch(piece).replace(/^["'“”‘’「」『』]+|["'“”‘’「」『』]+$/g, '').trim())
        .filter((piece) => piece.length > 0);
      if (pieces.length === 0) return false;
      if (pieces.join('').length < MIN_QUOTE_CHARS) return false;
      let from = 0;
      for (const piece of pieces) {
        const at = haystack.indexOf(piece, from);
        if (at < 0) return false;
        from = at + piece.length;
      }
      return true;
    },
  };
}

/** One-off check that `quote` is a verbatim part of `source` (after whitespace normalisation). */
export function isVerbatimQuote(quote: string, source: string): boolean {
  return createQuoteIndex(source).has(quote);
}
