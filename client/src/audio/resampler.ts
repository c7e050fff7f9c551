/** Options of a streaming resampler; rates in Hz. */
export interface ResamplerOptions {
  inputSampleRate: number;
  outputSampleRate: number;
  /** Zero crossings of the windowed-sinc kernel on each side; more = sharper cut-off, more work. */
  zeroCrossings?: number;
}

// Kernel table resolution: steps per unit of kernel argument. Linear interpolation between steps keeps the
// table error far below PCM16 quantisation while avoiding a Math.sin per tap in the audio thread.
const TABLE_STEPS_PER_UNIT = 512;

/**
 * Streaming band-limited resampler (windowed sinc, Blackman window). Feed it chunks of any size with `process`;
 * the output is the same as resampling the concatenated input in one go. When the rates are equal it passes
 * samples through untouched. Downsampling low-passes at 95 % of the output Nyquist so higher tones do not alias.
 */
export class StreamingResampler {
  /** Input samples per output sample. */
  readonly step: number;
  private readonly passThrough: boolean;
  /** Low-pass cut-off relative to the input Nyquist (1 = no extra filtering). */
  private readonly cutoff: number;
  /** Kernel half-width in input samples. */
  private readonly halfWidth: number;
  private readonly zeroCrossings: number;
  private readonly table: Float32Array;
  /** Pending input; `history[0]` is absolute input sample `historyStart`. */
  private history = new Float32Array(0);
  private historyStart = 0;
  private historyLength = 0;
  /** Absolute index of the next output sample. */
  private nextOutput = 0;
  /** Total input samples received. */
  private inputReceived = 0;

  constructor(options: ResamplerOptions) {
    const { inputSampleRate, outputSampleRate } = options;
    if (!(inputSampleRate > 0) || !(outputSampleRate > 0)) {
      throw new RangeError(`sample rates must be positive (got ${inputSampleRate} -> ${outputSampleRate})`);
    }
    this.zeroCrossings = options.zeroCrossings ?? 16;
    if (!Number.isInteger(this.zeroCrossings) || this.zeroCrossings < 2 || this.zeroCrossings > 64) {
      throw new RangeError(`zeroCrossings must be an integer in 2..64 (got ${options.zeroCrossings})`);
    }
    this.step = inputSampleRate / outputSampleRate;
    this.passThrough = inputSampleRate === outputSampleRate;
    this.cutoff = this.step > 1 ? 0.95 / this.step : 1;
    this.halfWidth = Math.ceil(this.zeroCrossings / this.cutoff);
    this.table = buildKernelTable(this.zeroCrossings);
  }

  /** Resamples the next chunk of input; returns the output samples that are now complete (possibly none). */
  process(input: Float32Array): Float32Array {
    if (this.passThrough) return input.slice();
    this.append(input);
    return this.drain(this.inputReceived);
  }

  /** Emits the tail held back for the kernel's look-ahead, treating the future as silence. Call once at the end. */
  flush(): Float32Array {
    if (this.passThrough) return new Float32Array(0);
    const end = this.inputReceived;
    // Output samples that fall inside the real input (t < end) are kept; later ones would be padding only.
    const lastOutput = Math.ceil(end / this.step) - 1;
    this.append(new Float32Array(this.halfWidth + 1));
    const out = this.drain(this.inputReceived);
    const wanted = Math.max(0, lastOutput + 1 - (this.nextOutput - out.length));
    return out.subarray(0, Math.min(out.length, wanted));
  }

  private append(input: Float32Array): void {
    const needed = this.historyLength + input.length;
    if (needed > this.history.length) {
      const grown = new Float32Array(Math.max(needed, this.history.length * 2, 256));
      grown.set(this.history.subarray(0, this.historyLength));
      this.history = grown;
    }
    this.history.set(input, this.historyLength);
    this.historyLength += input.length;
    this.inputReceived += input.length;
  }

  /** Computes every output whose kernel window lies inside the input received so far. */
  private drain(available: number): Float32Array {
    const { step, halfWidth, cutoff, table, zeroCrossings } = this;
    // Output n sits at input position t = n * step and needs input up to floor(t) + halfWidth.
    const lastComputable = Math.floor((available - 1 - halfWidth) / step);
    const count = Math.max(0, lastComputable - this.nextOutput + 1);
    const out = new Float32Array(count);
    const scale = cutoff; // keeps unity gain at DC after the low-pass
    for (let i = 0; i < count; i++) {
      const t = (this.nextOutput + i) * step;
      const center = Math.floor(t);
      let sum = 0;
      for (let k = center - halfWidth + 1; k <= center + halfWidth; k++) {
        const local = k - this.historyStart;
        if (local < 0) continue; // before the start of the stream: silence
        const x = (t - k) * cutoff;
        const ax = x < 0 ? -x : x;
        if (ax >= zeroCrossings) continue;
        const position = ax * TABLE_STEPS_PER_UNIT;
        const index = Math.floor(position);
        const fraction = position - index;
        const a = table[index] ?? 0;
        const b = table[index + 1] ?? 0;
        sum += (this.history[local] ?? 0) * (a + (b - a) * fraction);
      }
      out[i] = sum * scale;
    }
    this.nextOutput += count;
    // Drop input no future output can reach.
    const keepFrom = Math.max(this.historyStart, Math.floor(this.nextOutput * step) - halfWidth + 1);
    const drop = Math.min(this.historyLength, keepFrom - this.historyStart);
    if (drop > 0) {
      this.history.copyWithin(0, drop, this.historyLength);
      this.historyLength -= drop;
      this.historyStart += drop;
    }
    return out;
  }
}

/** sinc(x) * Blackman window over |x| < zeroCrossings, sampled at TABLE_STEPS_PER_UNIT per unit. */
function buildKernelTable(zeroCrossings: number): Float32Array {
  const size = zeroCrossings * TABLE_STEPS_PER_UNIT + 2;
  const table = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const x = i / TABLE_STEPS_PER_UNIT;
    if (x >= zeroCrossings) break;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const w = 0.5 + 0.5 * (x / zeroCrossings); // 0.5..1 over the half window
    const blackman = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
    table[i] = sinc * blackman;
  }
  return table;
}

/** Resamples a whole buffer in one call (convenience for tests and offline use). */
export function resample(input: Float32Array, inputSampleRate: number, outputSampleRate: number): Float32Array {
  const resampler = new StreamingResampler({ inputSampleRate, outputSampleRate });
  const head = resampler.process(input);
  const tail = resampler.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
