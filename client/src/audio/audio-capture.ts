import type { Channel } from '../../../protocol/index.ts';

/** How audio reaches Viva: the interviewer's mic plus the call's tab audio, or one mic hearing both. */
export type CaptureMode = 'mic-and-tab' | 'single-mic';

/** One 100 ms PCM16 16 kHz frame with its level (linear 0..1). */
export interface CapturedFrame {
  pcm: ArrayBuffer;
  rms: number;
  peak: number;
}

/** Callbacks of a running capture. */
export interface CaptureHandlers {
  onFrame: (channel: Channel, frame: CapturedFrame) => void;
  /** A source stopped on its own (tab sharing ended, mic unplugged). */
  onEnded: (channel: Channel) => void;
}

/** Audio sources opened for a session, one per channel. */
export interface AudioCapture {
  readonly channels: Channel[];
  /** Start delivering frames (frames captured before this are discarded). */
  start(handlers: CaptureHandlers): void;
  /** Deliver the partly filled last frame of every channel; resolves once they are out. */
  flush(signal: AbortSignal): Promise<void>;
  /** Stop tracks and close the audio context. */
  close(): Promise<void>;
}

/** Opens the sources of a capture mode (asks the browser for permission). */
export type OpenCapture = (mode: CaptureMode, signal: AbortSignal) => Promise<AudioCapture>;

/** Why capture could not start; `code` picks the message shown to the interviewer. */
export class CaptureError extends Error {
  constructor(
    readonly code: 'permission-denied' | 'no-tab-audio' | 'unsupported' | 'device-failed',
    message: string,
  ) {
    super(message);
    this.name = 'CaptureError';
  }
}

/** Channels a capture mode sends; single-mic sends everything as 'candidate' (roles can be flipped per turn). */
export function channelsFor(mode: CaptureMode): Channel[] {
  return mode === 'mic-and-tab' ? ['interviewer', 'candidate'] : ['candidate'];
}

/** Test double: a capture whose frames the test pushes by hand. */
export class FakeCapture implements AudioCapture {
  handlers: CaptureHandlers | null = null;
  closed = false;
  flushed = 0;
  constructor(readonly channels: Channel[]) {}
  start(handlers: CaptureHandlers): void {
    this.handlers = handlers;
  }
  /** Delivers one frame as the worklet would. */
  emit(channel: Channel, pcm: ArrayBuffer = new ArrayBuffer(3200), rms = 0.1): void {
    this.handlers?.onFrame(channel, { pcm, rms, peak: rms * 2 });
  }
  async flush(): Promise<void> {
    this.flushed++;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.handlers = null;
  }
}
