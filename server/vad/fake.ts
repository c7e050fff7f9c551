import { VAD_SAMPLE_RATE, VAD_WINDOW_SAMPLES, type VadModelStream } from './vad-stream.ts';

/** Computes a scripted speech probability from a window, its index and its first sample's position. */
export type ProbabilityScript = (window: Float32Array, windowIndex: number, windowStartSample: number) => number;

/** A fake VadModelStream for tests: probabilities come from a script; calls are recorded. */
export class FakeVadModelStream implements VadModelStream {
  /** Probabilities returned so far, one per processed window. */
  readonly probabilities: number[] = [];
  /** How many times reset() was called. */
  resets = 0;
  private readonly script: ProbabilityScript;
  private windowIndex = 0;

  /** `script` defaults to `energyProbability()`. */
  constructor(script: ProbabilityScript = energyProbability()) {
    this.script = script;
  }

  /** Runs the script on the next window (windows are counted from the last reset). */
  async process(window: Float32Array): Promise<number> {
    if (window.length !== VAD_WINDOW_SAMPLES) throw new RangeError(`fake VAD needs ${VAD_WINDOW_SAMPLES}-sample windows, got ${window.length}`);
    const index = this.windowIndex++;
    const probability = this.script(window, index, index * VAD_WINDOW_SAMPLES);
    this.probabilities.push(probability);
    return probability;
  }

  /** Counts the reset and restarts window numbering, as a real model restarts its state. */
  reset(): void {
    this.resets++;
    this.windowIndex = 0;
  }
}

/** Speech when the window's RMS reaches `rmsThreshold` (default 0.02, about -34 dBFS): loud synthetic tones count as speech. */
export function energyProbability(rmsThreshold = 0.02, speech = 0.9, silence = 0.05): ProbabilityScript {
  return (window) => {
    let sum = 0;
    for (const sample of window) sum += sample * sample;
    return Math.sqrt(sum / window.length) >= rmsThreshold ? speech : silence;
  };
}

/** A speech span, in ms since the stream (or last reset) began. */
export interface ScheduledSpeech {
  startMs: number;
  endMs: number;
}

/** Speech for windows whose middle falls inside one of `spans`; audio content is ignored. */
export function scheduleProbability(spans: readonly ScheduledSpeech[], speech = 0.9, silence = 0.05): ProbabilityScript {
  return (_window, _index, windowStartSample) => {
    const middleMs = ((windowStartSample + VAD_WINDOW_SAMPLES / 2) * 1000) / VAD_SAMPLE_RATE;
    return spans.some((span) => middleMs >= span.startMs && middleMs < span.endMs) ? speech : silence;
  };
}
