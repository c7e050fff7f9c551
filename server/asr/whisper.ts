import os from 'node:os';
import { TranscribeTask, WhisperModel, type TranscribeParams, type TranscribeResult as NativeSegment } from 'smart-whisper';
import type { Language } from '../../protocol/schemas.ts';
import { SAMPLE_RATE, samplesToMs } from '../../protocol/audio.ts';
import type { Logger } from '../logger.ts';
import type { ResolvedWhisperModel } from '../models/model-files.ts';
import { toSimplifiedChinese } from './simplified-chinese.ts';
import {
  DEFAULT_AUDIO_CONTEXT_POLICY,
  TranscriberError,
  abortReason,
  audioContextFor,
  cleanWhisperText,
  joinSegmentTexts,
  looksRepetitive,
  type AudioContextPolicy,
  type TranscribeOptions,
  type TranscribeResult,
  type Transcriber,
  type TranscriptSegment,
} from './transcriber.ts';

/** Options of the whisper.cpp transcriber. */
export interface WhisperTranscriberOptions {
  /** A model that passed `resolveWhisperModel` (never hand an unchecked file to the binding: it can abort the process). */
  model: ResolvedWhisperModel;
  /** Threads per decode; default `os.availableParallelism()`. */
  nThreads?: number;
  /** Encoder context sizing: 'proportional' (default) or 'full', or a policy with its own margin and floor. */
  audioContext?: 'full' | 'proportional' | AudioContextPolicy;
  /**
   * Beam size of final decodes; default 1 (greedy with temperature fallback, OpenAI whisper's own default). 5 is
   * whisper.cpp's CLI default: a little more accurate, several times the decoder cost. Partials are always greedy.
   */
  finalBeamSize?: number;
  /** Prompt used for 'zh' when the caller gives none: steers whisper to simplified characters and punctuation. */
  chinesePrompt?: string;
  /** Use the GPU if the binding was built with one (the default CPU build ignores it). */
  gpu?: boolean;
  logger?: Logger;
  /** Aborts loading. */
  signal?: AbortSignal;
}

/** Counters of one transcriber. */
export interface WhisperTranscriberStats {
  decodes: number;
  failures: number;
  /** Finals re-decoded with the full context because the reduced one produced a repetition loop. */
  contextFallbacks: number;
  /** Native decodes still running (including ones whose caller aborted). */
  inFlight: number;
}

const DEFAULT_CHINESE_PROMPT = '以下是普通话的句子。';
// whisper.cpp returns nothing for less than 1 s of audio (its issue #39): pad short clips with silence.
const MIN_CLIP_SAMPLES = Math.round(SAMPLE_RATE * 1.05);

/** Loads a checked whisper model once and returns a transcriber that keeps it loaded until `close()`. */
export async function createWhisperTranscriber(options: WhisperTranscriberOptions): Promise<WhisperTranscriber> {
  options.signal?.throwIfAborted();
  for (const warning of options.model.warnings) options.logger?.warn(`asr: ${warning}`);
  const startedAt = performance.now();
  const native = await WhisperModel.load(options.model.filePath, options.gpu ?? false);
  const loadMs = performance.now() - startedAt;
  if (options.signal?.aborted) {
    await native.free();
    options.signal.throwIfAborted();
  }
  options.logger?.info(`asr: loaded ${options.model.filePath} in ${Math.round(loadMs)} ms`);
  return new WhisperTranscriber(native, options, loadMs);
}

/** Transcriber on whisper.cpp through smart-whisper: decodes run on a native worker thread, off the event loop. */
export class WhisperTranscriber implements Transcriber {
  /** The model file in use. */
  readonly model: ResolvedWhisperModel;
  /** Threads per decode. */
  readonly nThreads: number;
  /** Encoder context policy in use. */
  readonly audioContextPolicy: AudioContextPolicy;
  private readonly finalBeamSize: number;
  private readonly chinesePrompt: string;
  private readonly logger: Logger | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;
  private counters = { decodes: 0, failures: 0, contextFallbacks: 0 };

  /** Use `createWhisperTranscriber`; this wraps an already loaded model. */
  constructor(
    private readonly native: WhisperModel,
    options: WhisperTranscriberOptions,
    /** Time the model took to load. */
    readonly loadMs: number,
  ) {
    this.model = options.model;
    this.nThreads = options.nThreads ?? Math.max(1, os.availableParallelism());
    const policy = options.audioContext ?? 'proportional';
    this.audioContextPolicy = typeof policy === 'string' ? { ...DEFAULT_AUDIO_CONTEXT_POLICY, mode: policy } : policy;
    this.finalBeamSize = Math.max(1, Math.round(options.finalBeamSize ?? 1));
    this.chinesePrompt = options.chinesePrompt ?? DEFAULT_CHINESE_PROMPT;
    this.logger = options.logger;
  }

  /** English-only models cannot do Mandarin; everything else is supported. */
  supportsLanguage(language: Language): boolean {
    return this.model.multilingual || language !== 'zh';
  }

  /** Counters since creation. */
  stats(): WhisperTranscriberStats {
    return { ...this.counters, inFlight: this.inFlight.size };
  }

  async transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<TranscribeResult> {
    if (this.closing) throw new TranscriberError('closed', 'the transcriber is closed');
    if (!(pcm instanceof Float32Array)) throw new TranscriberError('invalid-audio', 'pcm must be a Float32Array of 16 kHz mono samples');
    for (let i = 0; i < pcm.length; i++) {
      if (!Number.isFinite(pcm[i])) throw new TranscriberError('invalid-audio', `sample ${i} is ${pcm[i]}: audio must be finite`);
    }
    if (options.signal?.aborted) throw abortReason(options.signal);
    if (!this.supportsLanguage(options.language)) {
      throw new TranscriberError(
        'language-unsupported',
        `the whisper model "${this.model.name}" is English-only and cannot transcribe Mandarin (zh): ` +
          'use a multilingual model such as "base" or "small" (VIVA_WHISPER_MODEL=small)',
      );
    }
    const durationMs = samplesToMs(pcm.length);
    if (pcm.length === 0) {
      return { segments: [], text: '', language: options.language === 'auto' ? 'und' : options.language, decodeMs: 0 };
    }
    const clip = pcm.length >= MIN_CLIP_SAMPLES ? pcm : padWithSilence(pcm, MIN_CLIP_SAMPLES);

    const startedAt = performance.now();
    const audioContext = audioContextFor(durationMs, this.audioContextPolicy);
    let result = await this.decodeOnce(clip, durationMs, audioContext, options);
    if (options.purpose === 'final' && audioContext !== 0 && looksRepetitive(result.text)) {
      // The reduced context can send the decoder into a loop; a final is worth one full-context pass.
      this.counters.contextFallbacks++;
      this.logger?.debug(`asr: repetition with audio_ctx ${audioContext}; re-decoding ${durationMs} ms with the full context`);
      result = await this.decodeOnce(clip, durationMs, 0, options);
    }
    return { ...result, decodeMs: performance.now() - startedAt };
  }

  private async decodeOnce(
    clip: Float32Array,
    durationMs: number,
    audioContext: number,
    options: TranscribeOptions,
  ): Promise<Omit<TranscribeResult, 'decodeMs'>> {
    const multilingual = this.model.multilingual;
    // English-only models only know English; 'auto' on them would still run language detection for nothing.
    const language = !multilingual ? 'en' : options.language;
    const final = options.purpose === 'final';
    const beam = final && this.finalBeamSize > 1;
    const prompt = options.initialPrompt ?? (language === 'zh' ? this.chinesePrompt : undefined);
    const params: Partial<TranscribeParams<'detail'>> = {
      language,
      n_threads: this.nThreads,
      audio_ctx: audioContext,
      format: 'detail',
      // Each clip is one turn: context comes only from the explicit prompt, never from the previous decode.
      no_context: true,
      print_progress: false,
      print_realtime: false,
      print_special: false,
      print_timestamps: false,
      suppress_blank: true,
      suppress_non_speech_tokens: true,
      strategy: beam ? 1 : 0,
      beam_size: beam ? this.finalBeamSize : 1,
      // Partials are previews: one greedy pass, no temperature fallback (which can multiply the cost).
      ...(final ? {} : { best_of: 1, temperature_inc: 0 }),
      ...(prompt ? { initial_prompt: prompt } : {}),
    };

    const native = this.runNative(clip, params);
    const segments = await raceAbort(native, options.signal);
    const detected = segments.find((segment) => typeof segment.lang === 'string' && segment.lang !== '')?.lang;
    const outputLanguage = language === 'auto' ? (detected ?? 'und') : language;
    const cleaned: TranscriptSegment[] = [];
    for (const segment of segments) {
      const raw = cleanWhisperText(segment.text);
      // Mandarin sessions read, quote and report in simplified characters, whatever script whisper chose.
      const text = outputLanguage === 'zh' ? toSimplifiedChinese(raw) : raw;
      if (text === '') continue;
      const startMs = clamp(segment.from, 0, durationMs);
      cleaned.push({ text, startMs, endMs: clamp(segment.to, startMs, durationMs) });
    }
    return {
      segments: cleaned,
      text: joinSegmentTexts(cleaned.map((segment) => segment.text)),
      language: outputLanguage,
    };
  }

  private runNative(clip: Float32Array, params: Partial<TranscribeParams<'detail'>>): Promise<NativeSegment<'detail', false>[]> {
    const run = (async () => {
      const task = await TranscribeTask.run<'detail', false>(this.native, clip, params);
      // The binding hands an Error to its finish callback instead of rejecting.
      const results: unknown = await task.result;
      if (!Array.isArray(results)) {
        throw new TranscriberError('decode-failed', `whisper.cpp failed: ${results instanceof Error ? results.message : String(results)}`, true);
      }
      return results as NativeSegment<'detail', false>[];
    })();
    this.counters.decodes++;
    const tracked = run.then(
      () => undefined,
      () => {
        this.counters.failures++;
      },
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return run;
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      // Freeing the context under a running decode would be a use-after-free in native code.
      await Promise.allSettled([...this.inFlight]);
      await this.native.free();
    })();
    return this.closing;
  }
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function padWithSilence(pcm: Float32Array, samples: number): Float32Array {
  const padded = new Float32Array(samples);
  padded.set(pcm);
  return padded;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(Number.isFinite(value) ? value : min, min), Math.max(min, max));
}
