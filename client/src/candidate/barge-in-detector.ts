/** Options of the local barge-in detector (levels are linear RMS, 0..1). */
export interface BargeInOptions {
  /** Speech this long above the threshold is a barge-in. */
  minSpeechMs: number;
  frameMs: number;
  /** Never trigger below this level, whatever the noise floor. */
  minRms: number;
  /** The threshold is this many times the noise floor. */
  floorFactor: number;
}

/** Defaults: ~300 ms of clear speech, as the issue asks. */
export const DEFAULT_BARGE_IN: BargeInOptions = { minSpeechMs: 300, frameMs: 100, minRms: 0.02, floorFactor: 4 };

/**
 * Hears the candidate start talking while Viva speaks, from microphone levels alone (faster than waiting for the server's
 * VAD). The noise floor is learnt while Viva is silent, so the threshold sits above the room and the echo canceller's
 * residue; the server still checks the speech with its own VAD and marks audio that overlapped Viva's voice.
 */
export class BargeInDetector {
  private floor = 0.005;
  private loudMs = 0;
  private triggered = false;
  private readonly options: BargeInOptions;

  constructor(options: Partial<BargeInOptions> = {}) {
    this.options = { ...DEFAULT_BARGE_IN, ...options };
  }

  /** Level needed to count a frame as speech. */
  get threshold(): number {
    return Math.max(this.options.minRms, this.floor * this.options.floorFactor);
  }

  /** Feeds one frame's level; returns true on the frame where a barge-in is detected (only while `vivaSpeaking`). */
  observe(rms: number, vivaSpeaking: boolean): boolean {
    if (!vivaSpeaking) {
      // Follow the floor down quickly and up slowly, so speech does not raise it much.
      this.floor = rms < this.floor ? this.floor * 0.7 + rms * 0.3 : this.floor * 0.98 + rms * 0.02;
      this.loudMs = 0;
      return false;
    }
    if (this.triggered) return false; // once per utterance of Viva's
    if (rms >= this.threshold) {
      this.loudMs += this.options.frameMs;
      if (this.loudMs >= this.options.minSpeechMs) {
        this.triggered = true;
        return true;
      }
    } else {
      this.loudMs = Math.max(0, this.loudMs - this.options.frameMs);
    }
    return false;
  }

  /** Viva starts a new utterance: allow a new detection. */
  reset(): void {
    this.loudMs = 0;
    this.triggered = false;
  }
}
