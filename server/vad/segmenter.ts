/**
 * Speech segmenter: turns one speech probability per model window into speech turns, with hysteresis.
 *
 * Pure state machine (no model, no I/O). Modelled on ricky0123/vad's FrameProcessor, with three differences that matter
 * here: options are validated and bad values throw; positions are sample-accurate integers rather than buffered audio;
 * a turn is announced (`speech-start`) only once it is confirmed to be speech, so misfires never reach clients.
 */

/** Segmenter options; every duration carries its unit. */
export interface SegmenterOptions {
  /** A window with probability >= this is speech. */
  positiveSpeechThreshold: number;
  /** A window with probability < this is silence; in between, an open turn stays open (hysteresis). */
  negativeSpeechThreshold: number;
  /** Continuous silence (measured from the first silent window after the last speech window) that ends a turn. */
  redemptionMs: number;
  /** Audio kept before the first speech window of a turn (never before 0 or before the previous turn's end). */
  preSpeechPadMs: number;
  /** Audio kept after the last speech window of a turn (<= redemptionMs, so it is always already received). */
  postSpeechPadMs: number;
  /** Speech (sum of speech windows) needed to confirm a turn; less is a misfire. */
  minSpeechMs: number;
  /** No turn is longer: a longer one is split (at its latest dip in speech when there is one); Infinity disables. */
  maxSpeechMs: number;
  /** Sample rate of the positions, for the ms → samples conversions. */
  sampleRate: number;
  /** Samples per model window (Silero: 512 at 16 kHz). */
  windowSamples: number;
}

/** Defaults tuned for live interviews at 16 kHz; docs/vad.md explains each value. */
export const DEFAULT_SEGMENTER_OPTIONS: Readonly<SegmenterOptions> = Object.freeze({
  positiveSpeechThreshold: 0.5,
  negativeSpeechThreshold: 0.35,
  redemptionMs: 400,
  preSpeechPadMs: 300,
  postSpeechPadMs: 100,
  minSpeechMs: 250,
  maxSpeechMs: 30_000,
  sampleRate: 16_000,
  windowSamples: 512,
});

/** Why a turn ended. */
export type SpeechEndReason = 'silence' | 'max-speech' | 'flush';

/** A confirmed turn began at `startSample` (pre-pad included); decided when audio up to `atSample` was processed. */
export interface SpeechStartEvent {
  type: 'speech-start';
  startSample: number;
  atSample: number;
}

/** A confirmed turn covers [startSample, endSample) (post-pad included); decided at `atSample` (>= endSample). */
export interface SpeechEndEvent {
  type: 'speech-end';
  startSample: number;
  endSample: number;
  atSample: number;
  reason: SpeechEndReason;
}

/** Speech too short to be a turn, [startSample, endSample) without pads; never announced as a turn. */
export interface MisfireEvent {
  type: 'misfire';
  startSample: number;
  endSample: number;
  atSample: number;
}

/** Everything the segmenter emits, discriminated on `type`. */
export type VadEvent = SpeechStartEvent | SpeechEndEvent | MisfireEvent;

/** Thrown for invalid segmenter options or inputs. */
export class SegmenterOptionsError extends RangeError {
  override name = 'SegmenterOptionsError';
}

const OPTION_KEYS = Object.keys(DEFAULT_SEGMENTER_OPTIONS) as (keyof SegmenterOptions)[];

/** Fills defaults and validates; throws SegmenterOptionsError naming every bad option. */
export function resolveSegmenterOptions(options: Partial<SegmenterOptions> = {}): SegmenterOptions {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    // A typo such as `redemptionFrames` would otherwise silently keep the default.
    if (!(OPTION_KEYS as string[]).includes(key)) problems.push(`unknown option "${key}"`);
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const o: SegmenterOptions = { ...DEFAULT_SEGMENTER_OPTIONS, ...defined };
  const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value);
  for (const key of ['positiveSpeechThreshold', 'negativeSpeechThreshold'] as const) {
    const value = o[key];
    if (!isNumber(value) || value < 0 || value > 1) problems.push(`${key} must be a number in [0, 1], got ${String(value)}`);
  }
  if (isNumber(o.negativeSpeechThreshold) && isNumber(o.positiveSpeechThreshold)) {
    if (o.negativeSpeechThreshold > o.positiveSpeechThreshold) {
      problems.push(
        `negativeSpeechThreshold (${o.negativeSpeechThreshold}) must be <= positiveSpeechThreshold (${o.positiveSpeechThreshold})`,
      );
    }
  }
  for (const key of ['redemptionMs', 'preSpeechPadMs', 'postSpeechPadMs', 'minSpeechMs'] as const) {
    const value = o[key];
    if (!isNumber(value) || !Number.isFinite(value) || value < 0) {
      problems.push(`${key} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (isNumber(o.postSpeechPadMs) && isNumber(o.redemptionMs) && o.postSpeechPadMs > o.redemptionMs) {
    problems.push(`postSpeechPadMs (${o.postSpeechPadMs}) must be <= redemptionMs (${o.redemptionMs})`);
  }
  if (!Number.isInteger(o.sampleRate) || o.sampleRate <= 0) {
    problems.push(`sampleRate must be a positive integer, got ${String(o.sampleRate)}`);
  }
  if (!Number.isInteger(o.windowSamples) || o.windowSamples <= 0) {
    problems.push(`windowSamples must be a positive integer, got ${String(o.windowSamples)}`);
  }
  if (!isNumber(o.maxSpeechMs) || o.maxSpeechMs <= 0) {
    problems.push(`maxSpeechMs must be a number > 0 (Infinity disables), got ${String(o.maxSpeechMs)}`);
  } else if (problems.length === 0) {
    const windowMs = (o.windowSamples * 1000) / o.sampleRate;
    // A turn cannot be split before it could even have been confirmed.
    const minimumMs = Math.max(o.minSpeechMs, windowMs) + o.preSpeechPadMs + windowMs;
    if (o.maxSpeechMs < minimumMs) {
      problems.push(`maxSpeechMs (${o.maxSpeechMs}) must be >= minSpeechMs + preSpeechPadMs + one window (${minimumMs})`);
    }
  }
  if (problems.length > 0) throw new SegmenterOptionsError(`invalid VAD options: ${problems.join('; ')}`);
  return o;
}

type Phase = 'silence' | 'pending' | 'speaking';

/**
 * Streaming segmenter. Call `process(probability, windowStartSample)` once per model window, in order; call
 * `flush(atSample)` at the end of the stream. All positions are integer sample indices.
 */
export class SpeechSegmenter {
  /** The validated options in use. */
  readonly options: Readonly<SegmenterOptions>;
  /**
   * Upper bound of `atSample - startSample` for a `speech-start` that opens a turn from silence: a consumer that keeps
   * this much audio while no turn is open (and everything from `startSample` while one is) never lacks audio for a
   * turn. (A turn continuing a max-speech split starts exactly where the previous one ended.)
   */
  readonly maxSpeechStartLagSamples: number;

  private readonly redemptionSamples: number;
  private readonly preSpeechPadSamples: number;
  private readonly postSpeechPadSamples: number;
  private readonly minSpeechSamples: number;
  private readonly maxSpeechSamples: number;

  private phase: Phase = 'silence';
  /** End of the last processed window (or the flush position). */
  private positionSample = 0;
  /** Start of the first speech window of the current candidate/turn (no pad). */
  private speechStartSample = 0;
  /** Start of the open turn as announced (pad included). */
  private turnStartSample = 0;
  /** Samples of speech windows in the current candidate. */
  private speechSamples = 0;
  /** End of the latest speech window. */
  private lastSpeechEndSample = 0;
  /** Start of the first silent window since the latest speech window, or null. */
  private silenceStartSample: number | null = null;
  /** End of speech before the latest dip (non-speech window) inside the open turn: the preferred split point. */
  private lastPauseSample: number | null = null;
  /** End of the previous turn: pre-pad never reaches before it. */
  private previousTurnEndSample = 0;

  constructor(options: Partial<SegmenterOptions> = {}) {
    this.options = Object.freeze(resolveSegmenterOptions(options));
    const toSamples = (ms: number): number => Math.round((ms * this.options.sampleRate) / 1000);
    this.redemptionSamples = toSamples(this.options.redemptionMs);
    this.preSpeechPadSamples = toSamples(this.options.preSpeechPadMs);
    this.postSpeechPadSamples = toSamples(this.options.postSpeechPadMs);
    this.minSpeechSamples = toSamples(this.options.minSpeechMs);
    this.maxSpeechSamples = Number.isFinite(this.options.maxSpeechMs) ? toSamples(this.options.maxSpeechMs) : Infinity;
    const window = this.options.windowSamples;
    // Confirmation needs k speech windows, and a candidate dies once redemption samples pass without one.
    const speechWindowsToConfirm = Math.max(1, Math.ceil(this.minSpeechSamples / window));
    const longestGapSamples = Math.max(0, this.redemptionSamples - 1);
    this.maxSpeechStartLagSamples =
      this.preSpeechPadSamples + speechWindowsToConfirm * window + (speechWindowsToConfirm - 1) * longestGapSamples;
  }

  /** True while a confirmed turn is open. */
  get speaking(): boolean {
    return this.phase === 'speaking';
  }

  /** End of the last processed window (or flush position), in samples. */
  get position(): number {
    return this.positionSample;
  }

  /** Feeds the probability of the window [windowStartSample, windowStartSample + windowSamples); returns the events it decides. */
  process(probability: number, windowStartSample: number): VadEvent[] {
    if (typeof probability !== 'number' || !(probability >= 0 && probability <= 1)) {
      throw new SegmenterOptionsError(`speech probability must be a number in [0, 1], got ${String(probability)}`);
    }
    if (!Number.isInteger(windowStartSample) || windowStartSample < this.positionSample) {
      throw new SegmenterOptionsError(
        `window start ${String(windowStartSample)} must be an integer >= the end of the previous window (${this.positionSample})`,
      );
    }
    const windowEnd = windowStartSample + this.options.windowSamples;
    const gapStartSample = this.positionSample;
    this.positionSample = windowEnd;
    const isSpeech = probability >= this.options.positiveSpeechThreshold;
    const isSilence = probability < this.options.negativeSpeechThreshold;
    const events: VadEvent[] = [];
    if (windowStartSample > gapStartSample && this.phase !== 'silence') this.onGap(gapStartSample, windowStartSample, events);

    if (this.phase === 'silence') {
      if (isSpeech) {
        this.phase = 'pending';
        this.speechStartSample = windowStartSample;
        this.speechSamples = 0;
        this.silenceStartSample = null;
        this.lastPauseSample = null;
        this.onSpeechWindow(windowStartSample, windowEnd, events);
      }
      return events;
    }

    if (isSpeech) {
      this.onSpeechWindow(windowStartSample, windowEnd, events);
    } else {
      this.lastPauseSample = this.lastSpeechEndSample;
      if (isSilence && this.silenceStartSample === null) this.silenceStartSample = windowStartSample;
      if (this.phase === 'pending') {
        // An unconfirmed candidate dies after redemption without speech, whatever the in-between windows say:
        // hysteresis keeps confirmed turns open, not guesses (and it bounds maxSpeechStartLagSamples).
        if (windowEnd - this.lastSpeechEndSample >= this.redemptionSamples) this.misfire(windowEnd, events);
        return events;
      }
      if (isSilence && this.silenceStartSample !== null && windowEnd - this.silenceStartSample >= this.redemptionSamples) {
        this.endTurn(this.endWithPad(windowEnd), windowEnd, 'silence', events);
        return events;
      }
    }
    // Split before the next window would take the turn past the maximum, so no turn is ever longer than it.
    if (this.phase === 'speaking' && windowEnd + this.options.windowSamples - this.turnStartSample > this.maxSpeechSamples) {
      this.split(windowEnd, isSpeech, events);
    }
    return events;
  }

  /** End of stream (or a break in it) at `atSample`: closes an open turn, turns an unconfirmed candidate into a misfire. */
  flush(atSample: number): VadEvent[] {
    if (!Number.isInteger(atSample) || atSample < this.positionSample) {
      throw new SegmenterOptionsError(
        `flush position ${String(atSample)} must be an integer >= the end of the last window (${this.positionSample})`,
      );
    }
    this.positionSample = atSample;
    const events: VadEvent[] = [];
    if (this.phase === 'speaking') this.endTurn(Math.min(this.lastSpeechEndSample + this.postSpeechPadSamples, atSample), atSample, 'flush', events);
    else if (this.phase === 'pending') this.misfire(atSample, events);
    return events;
  }

  /** Audio missing between two windows counts as silence: it carries no evidence of speech. */
  private onGap(gapStartSample: number, gapEndSample: number, events: VadEvent[]): void {
    this.lastPauseSample = this.lastSpeechEndSample;
    if (this.silenceStartSample === null) this.silenceStartSample = gapStartSample;
    if (this.phase === 'pending') {
      if (gapEndSample - this.lastSpeechEndSample >= this.redemptionSamples) this.misfire(gapEndSample, events);
    } else if (gapEndSample - this.silenceStartSample >= this.redemptionSamples) {
      this.endTurn(this.endWithPad(gapEndSample), gapEndSample, 'silence', events);
    }
  }

  private onSpeechWindow(windowStart: number, windowEnd: number, events: VadEvent[]): void {
    this.speechSamples += windowEnd - windowStart;
    this.lastSpeechEndSample = windowEnd;
    this.silenceStartSample = null;
    if (this.phase === 'pending' && this.speechSamples >= this.minSpeechSamples) {
      this.phase = 'speaking';
      this.turnStartSample = Math.max(0, this.previousTurnEndSample, this.speechStartSample - this.preSpeechPadSamples);
      this.lastPauseSample = null;
      events.push({ type: 'speech-start', startSample: this.turnStartSample, atSample: windowEnd });
    }
  }

  private endWithPad(atSample: number): number {
    return Math.min(this.lastSpeechEndSample + this.postSpeechPadSamples, atSample);
  }

  private endTurn(endSample: number, atSample: number, reason: SpeechEndReason, events: VadEvent[]): void {
    events.push({ type: 'speech-end', startSample: this.turnStartSample, endSample, atSample, reason });
    this.previousTurnEndSample = endSample;
    this.phase = 'silence';
  }

  private misfire(atSample: number, events: VadEvent[]): void {
    events.push({ type: 'misfire', startSample: this.speechStartSample, endSample: this.lastSpeechEndSample, atSample });
    this.phase = 'silence';
  }

  private split(windowEnd: number, isSpeech: boolean, events: VadEvent[]): void {
    if (!isSpeech) {
      // In a pause or a soft dip: end the turn as silence would; the next speech opens (and confirms) a fresh one.
      this.endTurn(this.endWithPad(windowEnd), windowEnd, 'max-speech', events);
      return;
    }
    // Mid-speech: cut at the latest dip when it keeps the first part at least half the maximum, else right here.
    const cutSample =
      this.lastPauseSample !== null && this.lastPauseSample - this.turnStartSample >= this.maxSpeechSamples / 2
        ? this.lastPauseSample
        : windowEnd;
    this.endTurn(cutSample, windowEnd, 'max-speech', events);
    // The speaker is still talking: the next turn is confirmed at once and starts exactly where this one ended.
    this.phase = 'speaking';
    this.turnStartSample = cutSample;
    this.speechStartSample = cutSample;
    this.lastPauseSample = null;
    events.push({ type: 'speech-start', startSample: cutSample, atSample: windowEnd });
  }
}
