import { SpeechSegmenter, type SegmenterOptions, type VadEvent } from './segmenter.ts';

export type { SegmenterOptions, SpeechEndReason, VadEvent } from './segmenter.ts';

/** Samples per VAD model window (Silero at 16 kHz: 512 = 32 ms). */
export const VAD_WINDOW_SAMPLES = 512;
/** Sample rate VadStream positions refer to. */
export const VAD_SAMPLE_RATE = 16_000;

/** A per-channel speech-probability model (Silero, or a fake in tests). */
export interface VadModelStream {
  /**
   * Speech probability in [0, 1] of the next `VAD_WINDOW_SAMPLES`-sample window of this channel. Calls are sequential;
   * `window` is only valid until the returned promise settles (copy it to keep it).
   */
  process(window: Float32Array): Promise<number>;
  /** Forgets the recurrent state, as at the start of a stream. */
  reset(): void;
}

/** Options of a VadStream: segmenter options except the framing, which the model fixes. */
export type VadStreamOptions = Partial<Omit<SegmenterOptions, 'sampleRate' | 'windowSamples'>>;

/**
 * One audio channel's VAD: accepts Float32 chunks of any length (16 kHz mono), cuts them into model windows (carrying
 * remainders across pushes), runs the model and the segmenter, and returns the events each push decided.
 * Positions in events are sample indices since the first pushed sample.
 */
export class VadStream {
  /** Upper bound of `atSample - startSample` of a `speech-start`: the audio to keep while no turn is open. */
  readonly maxSpeechStartLagSamples: number;
  private readonly model: VadModelStream;
  private readonly segmenter: SpeechSegmenter;
  private readonly windowBuffer = new Float32Array(VAD_WINDOW_SAMPLES);
  private readonly chunks: Float32Array[] = [];
  private chunkOffset = 0;
  private queuedSamples = 0;
  private pushedSamples = 0;
  private nextWindowStartSample = 0;
  private probability = 0;
  private undelivered: VadEvent[] = [];
  /** Serializes pushes and flushes: the model state depends on window order. */
  private tail: Promise<unknown> = Promise.resolve();

  /** Wraps a per-channel model stream; invalid options throw SegmenterOptionsError. */
  constructor(model: VadModelStream, options: VadStreamOptions = {}) {
    this.model = model;
    this.segmenter = new SpeechSegmenter({ ...options, sampleRate: VAD_SAMPLE_RATE, windowSamples: VAD_WINDOW_SAMPLES });
    this.maxSpeechStartLagSamples = this.segmenter.maxSpeechStartLagSamples;
  }

  /** Samples pushed so far (including a remainder shorter than a window not yet run through the model). */
  get samplesSeen(): number {
    return this.pushedSamples;
  }

  /** True while a confirmed turn is open. */
  get speaking(): boolean {
    return this.segmenter.speaking;
  }

  /** Probability of the latest processed window (0 before the first). */
  get lastProbability(): number {
    return this.probability;
  }

  /** The segmenter options in use. */
  get options(): Readonly<SegmenterOptions> {
    return this.segmenter.options;
  }

  /**
   * Queues `samples` and runs every complete window; resolves with the events they decided, in order. Concurrent
   * calls are run one after another. An abort stops between windows and rejects; unprocessed samples stay queued.
   * A model error rejects and drops that one window (its time still counts); the stream stays usable. Events decided
   * before an abort or error are not lost: the next push or flush returns them first.
   */
  push(samples: Float32Array, options: { signal?: AbortSignal } = {}): Promise<VadEvent[]> {
    if (!(samples instanceof Float32Array)) throw new TypeError('VadStream.push expects a Float32Array');
    for (let i = 0; i < samples.length; i++) {
      // NaN or Infinity would poison the model's recurrent state for the rest of the stream.
      if (!Number.isFinite(samples[i])) throw new RangeError(`VadStream.push: sample ${i} is ${samples[i]}`);
    }
    if (samples.length > 0) {
      // Copied: callers may reuse their buffer, and a remainder outlives this call.
      this.chunks.push(samples.slice());
      this.queuedSamples += samples.length;
      this.pushedSamples += samples.length;
    }
    const targetSample = this.pushedSamples;
    return this.enqueue(() => this.drain(targetSample, options.signal));
  }

  /**
   * End of stream (or a break in it): runs queued windows, then closes an open turn at `samplesSeen` (or reports a
   * misfire). A remainder shorter than a window is not classified. The model state is reset; pushing may go on.
   */
  flush(options: { signal?: AbortSignal } = {}): Promise<VadEvent[]> {
    // Pushes made after this call belong after the break: fix the flush position now.
    const atSample = this.pushedSamples;
    return this.enqueue(async () => {
      const events = await this.drain(atSample, options.signal);
      this.discard(atSample - this.nextWindowStartSample);
      this.nextWindowStartSample = atSample;
      this.model.reset();
      events.push(...this.segmenter.flush(atSample));
      return events;
    });
  }

  /** Pulls frames from `frames`, yields each event as decided, and flushes when the source ends. */
  async *run(frames: AsyncIterable<Float32Array>, options: { signal?: AbortSignal } = {}): AsyncGenerator<VadEvent> {
    for await (const frame of frames) {
      options.signal?.throwIfAborted();
      yield* await this.push(frame, options);
    }
    yield* await this.flush(options);
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async drain(targetSample: number, signal: AbortSignal | undefined): Promise<VadEvent[]> {
    // Events decided before an abort or a model error are kept here and delivered by the next push or flush.
    const events = this.undelivered;
    while (this.queuedSamples >= VAD_WINDOW_SAMPLES && this.nextWindowStartSample + VAD_WINDOW_SAMPLES <= targetSample) {
      signal?.throwIfAborted();
      const windowStartSample = this.nextWindowStartSample;
      let probability: number;
      try {
        probability = await this.model.process(this.peekWindow());
      } finally {
        // A window the model failed on is dropped, not retried: a broken model must not make the queue grow.
        this.discard(VAD_WINDOW_SAMPLES);
        this.nextWindowStartSample += VAD_WINDOW_SAMPLES;
      }
      this.probability = probability;
      events.push(...this.segmenter.process(probability, windowStartSample));
    }
    this.undelivered = [];
    return events;
  }

  /** The next window without dequeuing it: a view into the chunk when it holds the whole window, else a copy. */
  private peekWindow(): Float32Array {
    const first = this.chunks[0];
    if (first && first.length - this.chunkOffset >= VAD_WINDOW_SAMPLES) {
      return first.subarray(this.chunkOffset, this.chunkOffset + VAD_WINDOW_SAMPLES);
    }
    let filled = 0;
    let offset = this.chunkOffset;
    for (const chunk of this.chunks) {
      const take = Math.min(VAD_WINDOW_SAMPLES - filled, chunk.length - offset);
      this.windowBuffer.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset = 0;
      if (filled === VAD_WINDOW_SAMPLES) break;
    }
    return this.windowBuffer;
  }

  /** Dequeues `count` samples (at most the queued ones). */
  private discard(count: number): void {
    let remaining = Math.min(count, this.queuedSamples);
    this.queuedSamples -= remaining;
    while (remaining > 0) {
      const first = this.chunks[0];
      if (!first) throw new Error('VadStream: sample queue underflow');
      const available = first.length - this.chunkOffset;
      if (available > remaining) {
        this.chunkOffset += remaining;
        return;
      }
      remaining -= available;
      this.chunks.shift();
      this.chunkOffset = 0;
    }
  }
}
