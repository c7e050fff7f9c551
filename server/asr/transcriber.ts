import { deflateRawSync } from 'node:zlib';
import type { Language, TranscriptSegment } from '../../protocol/schemas.ts';

export type { TranscriptSegment };

/** Why a decode is asked for: partials are throwaway previews of an open turn, finals are kept. */
export type DecodePurpose = 'partial' | 'final';

/** Options of one decode. */
export interface TranscribeOptions {
  /** Spoken language; 'auto' lets a multilingual model detect it (and costs one extra encoder pass). */
  language: Language;
  /** Aborting rejects the call promptly with the signal's reason; native work already started runs to its end. */
  signal?: AbortSignal;
  /** Vocabulary hint (names, jargon) given to whisper as previous-context text. */
  initialPrompt?: string;
  purpose: DecodePurpose;
}

/** What one decode produced. */
export interface TranscribeResult {
  /** Cleaned segments, times relative to the clip start (empty ones and non-speech markers such as [BLANK_AUDIO] removed). */
  segments: TranscriptSegment[];
  /** The segments joined (no space between two CJK characters). */
  text: string;
  /** Language used or detected ('en', 'zh', ...); 'und' when detection produced no segment. */
  language: string;
  /** Wall-clock time of the decode itself (not counting queueing). */
  decodeMs: number;
}

/** Speech recognition over 16 kHz mono Float32 PCM, one clip at a time. */
export interface Transcriber {
  /** Transcribes a clip; rejects with `TranscriberError` (or the abort reason). */
  transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<TranscribeResult>;
  /** False when the model cannot transcribe that language (an English-only model and 'zh'); check at session start. */
  supportsLanguage(language: Language): boolean;
  /** Waits for native work in flight, then frees the model; later calls reject with code 'closed'. */
  close(): Promise<void>;
}

/** A decode that failed; `retryable` says whether trying again could help. */
export class TranscriberError extends Error {
  override name = 'TranscriberError';
  constructor(
    readonly code: 'language-unsupported' | 'invalid-audio' | 'decode-failed' | 'closed',
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** The error an aborted call rejects with: the signal's reason, or a DOMException named AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** True for the rejection of an aborted call. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

// Whisper writes non-speech events as bracketed or parenthesised captions: [BLANK_AUDIO], [MUSIC], (upbeat music),
// [ Silence ], *laughs*, ♪. Square brackets never hold speech in whisper output; parentheses only when they name a sound.
const SOUND_WORDS =
  /\b(music|musique|blank|silence|silent|noise|inaudible|applause|laugh\w*|cough\w*|sigh\w*|breath\w*|static|beep\w*|click\w*|wind|typing|sound|audio|clears throat|speaking \w+ language|no speech)\b|音乐|音樂|笑|掌声|掌聲|噪音|静音|沉默|咳嗽/i;
// Captions whisper invents on silence, learned from subtitle credits (never interview speech): the whole segment goes.
const SUBTITLE_CREDIT = /amara\.org|\b(subtitles?|captions?) (by|provided by)\b|字幕由|请不吝点赞|明镜与点点栏目|字幕志愿者/i;

/** Removes whisper's non-speech markers (and whole subtitle-credit hallucinations), collapses spaces and trims. */
export function cleanWhisperText(text: string): string {
  if (SUBTITLE_CREDIT.test(text)) return '';
  return text
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\([^)]*\)|（[^）]*）|\*[^*]+\*/g, (caption) => (SOUND_WORDS.test(caption) ? ' ' : caption))
    .replace(/[♪♫]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;

/** Joins segment texts: a space between words, none between two CJK characters. */
export function joinSegmentTexts(texts: readonly string[]): string {
  let joined = '';
  for (const text of texts) {
    if (text === '') continue;
    if (joined === '') joined = text;
    else joined += CJK.test(joined.at(-1) ?? '') && CJK.test(text[0] ?? '') ? text : ` ${text}`;
  }
  return joined;
}

/**
 * True when text looks like a decoder stuck in a loop (the failure mode of a reduced encoder context): it compresses
 * better than OpenAI whisper's `compression_ratio_threshold` (2.4) allows.
 */
export function looksRepetitive(text: string, maxCompressionRatio = 2.4): boolean {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length < 48) return false;
  return bytes.length / deflateRawSync(bytes, { level: 9 }).length > maxCompressionRatio;
}

/** Encoder positions per second of audio: whisper's 1500 positions cover 30 s. */
export const AUDIO_CONTEXT_PER_SECOND = 50;
/** The model's full encoder context (30 s). */
export const FULL_AUDIO_CONTEXT = 1500;

/** How the encoder context is sized for a clip. */
export interface AudioContextPolicy {
  mode: 'full' | 'proportional';
  /** Audio added to the clip length before sizing (keeps the clip's end away from the window's edge). */
  marginMs: number;
  /** Shortest window: below ~10 s the decoder starts to loop or stop early (whisper.cpp #1117, #1951). */
  floorMs: number;
}

/** The default policy: proportional with 2 s margin and a 10 s floor (see docs/asr.md). */
export const DEFAULT_AUDIO_CONTEXT_POLICY: AudioContextPolicy = { mode: 'proportional', marginMs: 2000, floorMs: 10_000 };

/**
 * whisper.cpp `audio_ctx` for a clip: 0 (the model's full 30 s window) in 'full' mode and for clips that would need
 * it anyway; otherwise (clip + margin, at least the floor) × 50 positions/s, rounded up to a multiple of 64.
 */
export function audioContextFor(durationMs: number, policy: AudioContextPolicy = DEFAULT_AUDIO_CONTEXT_POLICY): number {
  if (policy.mode === 'full') return 0;
  const windowMs = Math.max(durationMs + policy.marginMs, policy.floorMs);
  const positions = Math.ceil(((windowMs / 1000) * AUDIO_CONTEXT_PER_SECOND) / 64) * 64;
  return positions >= FULL_AUDIO_CONTEXT ? 0 : positions;
}
