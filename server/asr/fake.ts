import { samplesToMs } from '../../protocol/audio.ts';
import type { Language } from '../../protocol/schemas.ts';
import { TranscriberError, abortReason, type TranscribeOptions, type TranscribeResult, type Transcriber } from './transcriber.ts';

/** One recorded call of the fake transcriber. */
export interface FakeTranscriberCall {
  /** 0-based order of the call. */
  index: number;
  pcm: Float32Array;
  durationMs: number;
  options: TranscribeOptions;
  /** Manual mode: completes the call with this text (or the scripted one). */
  finish(text?: string): void;
  /** Manual mode: fails the call. */
  fail(error: Error): void;
  /** Settles when the (simulated) decode ends, even if its caller aborted. */
  readonly done: Promise<void>;
}

/** How the fake answers. */
export interface FakeTranscriberOptions {
  /** Simulated decode time; default 0 (answers on the next macrotask). */
  delayMs?: number;
  /** Calls wait for `call.finish()` / `call.fail()` instead of a timer. */
  manual?: boolean;
  /** Text (or an Error to throw, or a full result) for each call; default "transcript N". */
  respond?: (call: FakeTranscriberCall) => string | Error | Partial<TranscribeResult>;
  /** False makes it behave like an English-only model ('zh' refused). */
  multilingual?: boolean;
}

/**
 * A Transcriber for tests: records every call and answers with scripted text after a delay or on demand. Like the real
 * one, an abort rejects the call at once while the simulated work keeps its slot (`running`) until it would have ended.
 */
export class FakeTranscriber implements Transcriber {
  /** Every call so far, in order. */
  readonly calls: FakeTranscriberCall[] = [];
  /** Simulated decodes in progress (aborted ones included until their work ends). */
  running = 0;
  /** Highest `running` seen. */
  maxRunning = 0;
  closed = false;

  constructor(private readonly options: FakeTranscriberOptions = {}) {}

  supportsLanguage(language: Language): boolean {
    return this.options.multilingual !== false || language !== 'zh';
  }

  /** Calls of manual mode that have not finished yet. */
  pending(): FakeTranscriberCall[] {
    return this.calls.filter((call) => !settled.has(call));
  }

  transcribe(pcm: Float32Array, options: TranscribeOptions): Promise<TranscribeResult> {
    if (this.closed) return Promise.reject(new TranscriberError('closed', 'the transcriber is closed'));
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    if (!this.supportsLanguage(options.language)) {
      return Promise.reject(new TranscriberError('language-unsupported', 'the fake English-only model cannot transcribe zh'));
    }
    let finishWork!: (outcome: { text?: string; error?: Error }) => void;
    const work = new Promise<{ text?: string; error?: Error }>((resolve) => (finishWork = resolve));
    const call: FakeTranscriberCall = {
      index: this.calls.length,
      pcm,
      durationMs: samplesToMs(pcm.length),
      options,
      finish: (text) => finishWork({ text }),
      fail: (error) => finishWork({ error }),
      done: work.then(() => undefined),
    };
    this.calls.push(call);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    void work.then(() => {
      settled.add(call);
      this.running--;
    });
    if (!this.options.manual) setTimeout(() => call.finish(), this.options.delayMs ?? 0);

    const startedAt = performance.now();
    const result = work.then((outcome): TranscribeResult => {
      if (outcome.error) throw outcome.error;
      const scripted = outcome.text ?? this.options.respond?.(call) ?? `transcript ${call.index + 1}`;
      if (scripted instanceof Error) throw scripted;
      const answer = typeof scripted === 'string' ? { text: scripted } : scripted;
      const text = answer.text ?? '';
      return {
        text,
        segments: answer.segments ?? (text === '' ? [] : [{ text, startMs: 0, endMs: call.durationMs }]),
        language: answer.language ?? (options.language === 'auto' ? 'en' : options.language),
        decodeMs: answer.decodeMs ?? performance.now() - startedAt,
      };
    });
    const signal = options.signal;
    if (!signal) return result;
    return new Promise<TranscribeResult>((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      result.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.calls.map((call) => call.done));
  }
}

const settled = new WeakSet<FakeTranscriberCall>();
