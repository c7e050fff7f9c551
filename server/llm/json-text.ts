/**
 * Reading JSON out of model text: lenient parsing of a finished answer (fences, prose, <think> blocks around the object)
 * and incremental extraction of one string field from JSON that is still arriving, for streaming it as plain text.
 */

/** Result of {@link parseJsonLenient}. */
export type LenientJsonResult = { ok: true; value: unknown; jsonText: string } | { ok: false; problem: string };

/**
 * Finds and parses the JSON object in a model's reply: drops <think>…</think> reasoning, ``` fences and prose around it,
 * then takes the first balanced top-level `{…}` that parses.
 */
export function parseJsonLenient(text: string): LenientJsonResult {
  const cleaned = text.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
  if (cleaned === '') return { ok: false, problem: 'the reply was empty' };
  let start = cleaned.indexOf('{');
  if (start < 0) return { ok: false, problem: 'the reply contains no JSON object' };
  let lastProblem = 'the JSON object is not closed (the reply looks cut off)';
  // A brace in leading prose would hide the real object: try a few starting points.
  for (let tries = 0; start >= 0 && tries < 8; tries += 1) {
    const end = findObjectEnd(cleaned, start);
    if (end >= 0) {
      const jsonText = cleaned.slice(start, end + 1);
      try {
        return { ok: true, value: JSON.parse(jsonText) as unknown, jsonText };
      } catch (error) {
        lastProblem = `the JSON does not parse: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    start = cleaned.indexOf('{', start + 1);
  }
  return { ok: false, problem: lastProblem };
}

/** Index of the `}` closing the object that opens at `start`, or -1 when it never closes. */
function findObjectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return c === '}' ? i : -1;
      if (depth < 0) return -1;
    }
  }
  return -1;
}

/** Called with decoded text of a watched field as it arrives; `occurrence` counts fields seen before (0 for the first). */
export type FieldTextListener = (text: string, occurrence: number) => void;

/**
 * Pulls the decoded text of every string value under key `field` out of JSON arriving in arbitrary pieces, e.g. the
 * "question" of each follow-up while the model is still writing it. Tolerates prose or fences before the object.
 */
export class JsonFieldTextStreamer {
  private readonly field: string;
  private readonly listener: FieldTextListener;
  private started = false;
  private finished = false;
  private readonly stack: Array<'object' | 'array'> = [];
  private expectKey = false;
  private inString = false;
  private stringIsKey = false;
  private streaming = false;
  private escape: 'none' | 'backslash' | 'unicode' = 'none';
  private unicodeHex = '';
  private pendingHighSurrogate = '';
  private keyBuffer = '';
  private lastKey = '';
  private occurrences = 0;
  private out = '';

  constructor(field: string, listener: FieldTextListener) {
    this.field = field;
    this.listener = listener;
  }

  /** Number of complete or started field values seen so far. */
  get fieldsSeen(): number {
    return this.occurrences + (this.streaming ? 1 : 0);
  }

  /** Feeds the next piece of model text; calls the listener at most once per field touched by this piece. */
  push(piece: string): void {
    for (const c of piece) {
      if (this.finished) break;
      this.step(c);
    }
    this.flush();
  }

  private flush(): void {
    if (this.out === '') return;
    const text = this.out;
    this.out = '';
    this.listener(text, this.streaming ? this.occurrences : this.occurrences - 1);
  }

  private step(c: string): void {
    if (!this.started) {
      if (c === '{') {
        this.started = true;
        this.stack.push('object');
        this.expectKey = true;
      }
      return;
    }
    if (this.inString) {
      this.stepInString(c);
      return;
    }
    const top = this.stack[this.stack.length - 1];
    switch (c) {
      case '"':
        this.inString = true;
        this.stringIsKey = top === 'object' && this.expectKey;
        this.keyBuffer = '';
        if (!this.stringIsKey && top === 'object' && this.lastKey === this.field) this.streaming = true;
        break;
      case ':':
        this.expectKey = false;
        break;
      case ',':
        if (top === 'object') this.expectKey = true;
        break;
      case '{':
        this.stack.push('object');
        this.expectKey = true;
        break;
      case '[':
        this.stack.push('array');
        break;
      case '}':
      case ']':
        this.stack.pop();
        if (this.stack.length === 0) this.finished = true;
        break;
      default:
        break;
    }
  }

  private stepInString(c: string): void {
    if (this.escape === 'backslash') {
      this.escape = 'none';
      if (c === 'u') {
        this.escape = 'unicode';
        this.unicodeHex = '';
        return;
      }
      const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' };
      this.emit(map[c] ?? c);
      return;
    }
    if (this.escape === 'unicode') {
      this.unicodeHex += c;
      if (this.unicodeHex.length < 4) return;
      this.escape = 'none';
      const code = Number.parseInt(this.unicodeHex, 16);
      if (Number.isNaN(code)) return;
      const unit = String.fromCharCode(code);
      // Hold a high surrogate so a pair is never split across two deltas.
      if (code >= 0xd800 && code <= 0xdbff) {
        this.pendingHighSurrogate = unit;
        return;
      }
      this.emit(this.pendingHighSurrogate + unit);
      this.pendingHighSurrogate = '';
      return;
    }
    if (c === '\\') {
      this.escape = 'backslash';
      return;
    }
    if (c === '"') {
      this.inString = false;
      if (this.stringIsKey) {
        this.lastKey = this.keyBuffer;
      } else if (this.streaming) {
        this.flush();
        this.streaming = false;
        this.occurrences += 1;
      }
      return;
    }
    this.emit(c);
  }

  private emit(text: string): void {
    if (this.stringIsKey) {
      this.keyBuffer += text;
      return;
    }
    if (this.streaming) this.out += text;
  }
}
