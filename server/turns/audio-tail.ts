/**
 * The recent audio of one channel, addressed by absolute sample position. Growable, trimmed from the front once audio is no
 * longer needed (outside a turn only the pre-roll is kept), so memory stays bounded by the longest open turn.
 */
export class AudioTail {
  private data: Float32Array;
  private length = 0;
  /** Absolute sample position of data[0]. */
  private base: number;

  constructor(startSample = 0, initialCapacity = 16_000 * 4) {
    this.base = startSample;
    this.data = new Float32Array(initialCapacity);
  }

  /** Absolute position one past the last sample held. */
  get endSample(): number {
    return this.base + this.length;
  }

  /** Absolute position of the first sample held. */
  get startSample(): number {
    return this.base;
  }

  /** Appends samples at the end. */
  append(samples: Float32Array): void {
    if (this.length + samples.length > this.data.length) {
      const grown = new Float32Array(Math.max(this.data.length * 2, this.length + samples.length));
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(samples, this.length);
    this.length += samples.length;
  }

  /** Appends `count` samples of silence (used to fill a reported sequence gap). */
  appendSilence(count: number): void {
    this.append(new Float32Array(count));
  }

  /** A copy of [fromSample, toSample), clamped to what is held. */
  slice(fromSample: number, toSample: number): Float32Array {
    const from = Math.max(0, fromSample - this.base);
    const to = Math.min(this.length, toSample - this.base);
    return to > from ? this.data.slice(from, to) : new Float32Array(0);
  }

  /**
   * Lets go of audio before `sample`. Called after every frame; to avoid moving the kept audio each time, the buffer is
   * compacted only once at least `slackSamples` can go, so up to that much extra may stay.
   */
  trimBefore(sample: number, slackSamples = 16_000): void {
    const drop = Math.min(this.length, sample - this.base);
    if (drop < Math.max(1, slackSamples)) return;
    this.data.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.base += drop;
  }
}
