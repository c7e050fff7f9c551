/**
 * Checking that a quote really is the candidate's words, and where in the audio it was said. Matching ignores case,
 * whitespace, punctuation and full/half-width forms (whisper's punctuation and spacing are unreliable, and models
 * re-punctuate), but the quote returned is always the transcript's own text, cut at word boundaries.
 */
import type { Evidence, TranscriptSegment } from '../../protocol/schemas.ts';

/** A quote found in the transcript: the transcript's own text and its UTF-16 range. */
export interface QuoteMatch {
  quote: string;
  charStart: number;
  /** Exclusive. */
  charEnd: number;
}

interface LocatedSegment {
  charStart: number;
  charEnd: number;
  startMs: number;
  endMs: number;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;
const HAN = /\p{Script=Han}/u;
const ELLIPSIS = /\.{3,}|…+|⋯+/;
/** Sentence ends (the split keeps the text between them). */
const SENTENCE_END = /(?<=[.!?。！？；;])\s*|\n+/u;
/** Clause ends inside a long sentence. */
const CLAUSE_END = /(?<=[,，、:：])\s*/u;
const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
/** A sentence longer than this is offered in clauses as well (a 3-quote budget is better spent on the part that counts). */
const LONG_SENTENCE_CHARS = 120;
/** Longest quote offered (the grammar's string cap is 300). */
const MAX_QUOTE_CHARS = 280;
/** Most clauses offered: a grouped five-minute answer stays a small grammar. */
const MAX_QUOTE_CHOICES = 64;

/** A transcript prepared for quote look-ups and time mapping. */
export class TranscriptIndex {
  /** The transcript text quotes are checked against. */
  readonly text: string;
  private readonly normalised: string;
  /** For each normalised character: where its source character starts and ends in `text`. */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly located: LocatedSegment[];
  private readonly startMs: number;
  private readonly endMs: number;

  constructor(text: string, segments: readonly TranscriptSegment[], span: { startMs: number; endMs: number }) {
    this.text = text;
    this.startMs = span.startMs;
    this.endMs = span.endMs;
    let normalised = '';
    let index = 0;
    for (const char of text) {
      for (const folded of foldChar(char)) {
        normalised += folded;
        this.starts.push(index);
        this.ends.push(index + char.length);
      }
      index += char.length;
    }
    this.normalised = normalised;
    this.located = this.locateSegments(segments);
  }

  /** Finds `quote` in the transcript (case, spacing and punctuation aside), not starting or ending mid-word. */
  find(quote: string, fromChar = 0): QuoteMatch | undefined {
    const needle = foldText(quote);
    const minimum = HAN.test(needle) ? 2 : 3;
    if (needle.length < minimum) return undefined;
    let from = this.normalisedIndexAtOrAfter(fromChar);
    while (from >= 0 && from < this.normalised.length) {
      const at = this.normalised.indexOf(needle, from);
      if (at < 0) return undefined;
      const charStart = this.starts[at] ?? 0;
      const charEnd = this.ends[at + needle.length - 1] ?? this.text.length;
      if (this.atWordBoundaries(charStart, charEnd)) return { quote: this.text.slice(charStart, charEnd), charStart, charEnd };
      from = at + 1;
    }
    return undefined;
  }

  /** Like {@link find}, but a quote with an ellipsis ("I built … in Go") yields each part that is found. */
  findParts(quote: string): QuoteMatch[] {
    const parts = quote.split(ELLIPSIS).map((part) => part.trim()).filter((part) => part !== '');
    const matches: QuoteMatch[] = [];
    for (const part of parts) {
      const match = this.find(part);
      if (match) matches.push(match);
    }
    return matches;
  }

  /**
   * The candidate's own clauses a model may quote as evidence: sentences, and for a long sentence its comma-separated
   * parts, trimmed of punctuation, each at least a few words. Sent as the enum of the score request's evidence items, so
   * constrained decoding (the embedded model's grammar, vLLM guided decoding, OpenAI strict mode) can only quote the
   * transcript; a model that is not constrained is still checked by {@link evidence}.
   */
  quoteChoices(maxChoices = MAX_QUOTE_CHOICES): string[] {
    const choices = new Set<string>();
    for (const sentence of splitKeeping(this.text, SENTENCE_END)) {
      const parts = sentence.length > LONG_SENTENCE_CHARS ? splitKeeping(sentence, CLAUSE_END) : [sentence];
      for (const part of parts) {
        const clause = part.replace(EDGE_PUNCTUATION, '');
        if (clause.length > MAX_QUOTE_CHARS || !this.quotable(clause)) continue;
        choices.add(clause);
        if (choices.size >= maxChoices) return [...choices];
      }
    }
    return [...choices];
  }

  /** A clause long enough to be evidence (3 words, or 4 Han characters) that {@link find} locates. */
  private quotable(clause: string): boolean {
    const han = [...clause].filter((char) => HAN.test(char)).length;
    const words = clause.split(/\s+/u).filter((word) => WORD_CHAR.test(word)).length;
    return (han >= 4 || words >= 3) && this.find(clause) !== undefined;
  }

  /** Audio time of a character range, interpolated by character position within the segment(s) that hold it. */
  timeSpan(charStart: number, charEnd: number): { startMs: number; endMs: number } {
    const startMs = Math.round(this.timeAt(charStart, 'start'));
    const endMs = Math.round(this.timeAt(charEnd, 'end'));
    return { startMs, endMs: Math.max(startMs, endMs) };
  }

  /** Evidence entries for a model's quote: only parts that really are in the transcript, with their time spans. */
  evidence(quote: string): Evidence[] {
    return this.findParts(quote).map((match) => ({ quote: match.quote, ...this.timeSpan(match.charStart, match.charEnd) }));
  }

  private normalisedIndexAtOrAfter(charIndex: number): number {
    if (charIndex <= 0) return 0;
    const at = this.starts.findIndex((start) => start >= charIndex);
    return at < 0 ? this.normalised.length : at;
  }

  private atWordBoundaries(charStart: number, charEnd: number): boolean {
    const before = charBefore(this.text, charStart);
    const first = String.fromCodePoint(this.text.codePointAt(charStart) ?? 32);
    const lastChar = charBefore(this.text, charEnd);
    const after = String.fromCodePoint(this.text.codePointAt(charEnd) ?? 32);
    // Chinese has no spaces between words: any position is a boundary next to a Han character.
    const glued = (a: string, b: string): boolean => WORD_CHAR.test(a) && WORD_CHAR.test(b) && !HAN.test(a) && !HAN.test(b);
    return !glued(before, first) && !glued(lastChar, after);
  }

  private locateSegments(segments: readonly TranscriptSegment[]): LocatedSegment[] {
    const located: LocatedSegment[] = [];
    let cursor = 0;
    const ordered = [...segments].sort((a, b) => a.startMs - b.startMs);
    for (const segment of ordered) {
      const text = segment.text.trim();
      if (text === '' || !(segment.endMs >= segment.startMs)) continue;
      let charStart = this.text.indexOf(text, cursor);
      let charEnd = charStart + text.length;
      if (charStart < 0) {
        const match = this.find(text, cursor);
        if (!match) continue;
        charStart = match.charStart;
        charEnd = match.charEnd;
      }
      located.push({ charStart, charEnd, startMs: segment.startMs, endMs: segment.endMs });
      cursor = charEnd;
    }
    return located;
  }

  private timeAt(position: number, bias: 'start' | 'end'): number {
    if (this.located.length === 0) {
      // No segment matched the text: spread the answer's span evenly over its characters.
      const length = Math.max(1, this.text.length);
      return this.startMs + (Math.min(Math.max(position, 0), length) / length) * (this.endMs - this.startMs);
    }
    let previous: LocatedSegment | undefined;
    for (const segment of this.located) {
      const inside = bias === 'start' ? position >= segment.charStart && position < segment.charEnd : position > segment.charStart && position <= segment.charEnd;
      if (inside) {
        const share = (position - segment.charStart) / Math.max(1, segment.charEnd - segment.charStart);
        return segment.startMs + share * (segment.endMs - segment.startMs);
      }
      if (position < segment.charStart || (position === segment.charStart && bias === 'end')) {
        // Between two segments (or before the first): a start snaps forward, an end snaps back.
        if (bias === 'start' || previous === undefined) return segment.startMs;
        return previous.endMs;
      }
      previous = segment;
    }
    return previous?.endMs ?? this.endMs;
  }
}

function splitKeeping(text: string, separator: RegExp): string[] {
  return text.split(separator).map((part) => part.trim()).filter((part) => part !== '');
}

function charBefore(text: string, index: number): string {
  if (index <= 0) return ' ';
  const code = text.charCodeAt(index - 1);
  // Step over a surrogate pair.
  if (code >= 0xdc00 && code <= 0xdfff && index >= 2) return text.slice(index - 2, index);
  return text.slice(index - 1, index);
}

/** Letters and digits only, NFKC-folded and lower-cased: what two renderings of the same words have in common. */
function foldChar(char: string): string[] {
  const out: string[] = [];
  for (const folded of char.normalize('NFKC').toLowerCase()) if (WORD_CHAR.test(folded)) out.push(folded);
  return out;
}

function foldText(text: string): string {
  let out = '';
  for (const char of text) out += foldChar(char).join('');
  return out;
}

