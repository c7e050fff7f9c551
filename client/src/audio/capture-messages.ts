/** Name the capture AudioWorkletProcessor is registered under. */
export const CAPTURE_PROCESSOR_NAME = 'viva-capture';

/** Duration of one frame sent to the server: long enough to keep socket overhead low, short enough for live partials. */
export const FRAME_MS = 100;

/** Messages the capture worklet posts to the main thread. */
export type WorkletToMainMessage =
  | { type: 'ready'; contextSampleRate: number }
  /** One PCM16 LE 16 kHz mono frame and its level (linear, 0..1). */
  | { type: 'frame'; pcm: ArrayBuffer; rms: number; peak: number }
  | { type: 'flushed' };

/** Messages the main thread posts to the capture worklet. */
export type MainToWorkletMessage = { type: 'flush' };
