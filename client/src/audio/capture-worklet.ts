// AudioWorklet module: runs on the audio rendering thread. Loaded with `?worker&url` so Vite compiles and bundles it
// (resampler and PCM conversion included) into one self-contained file.
import { MIN_FRAME_MS, SAMPLE_RATE, float32ToPcm16 } from '../../../protocol/audio.ts';
import { StreamingResampler } from './resampler.ts';
import { CAPTURE_PROCESSOR_NAME, FRAME_MS, type WorkletToMainMessage, type MainToWorkletMessage } from './capture-messages.ts';

// Globals of AudioWorkletGlobalScope, which TypeScript's DOM lib does not describe.
declare const sampleRate: number;
declare function registerProcessor(name: string, processor: new (options?: unknown) => AudioWorkletProcessor): void;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: unknown);
}

const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;
const MIN_FRAME_SAMPLES = (SAMPLE_RATE * MIN_FRAME_MS) / 1000;

/** Mixes the node's input down to mono, resamples to 16 kHz, and posts 100 ms PCM16 frames with their level. */
class CaptureProcessor extends AudioWorkletProcessor {
  private readonly resampler = new StreamingResampler({ inputSampleRate: sampleRate, outputSampleRate: SAMPLE_RATE });
  private frame = new Float32Array(FRAME_SAMPLES);
  private filled = 0;
  private running = true;

  constructor(options?: unknown) {
    super(options);
    this.port.onmessage = (event: MessageEvent<MainToWorkletMessage>) => {
      if (event.data.type === 'flush') {
        // The end of the stream: emit the resampler's look-ahead tail and the partly filled frame.
        this.append(this.resampler.flush());
        this.postFrame(true);
        this.running = false;
        this.post({ type: 'flushed' });
      }
    };
    this.post({ type: 'ready', contextSampleRate: sampleRate });
  }

  process(inputs: Float32Array[][]): boolean {
    if (!this.running) return false;
    const channels = inputs[0];
    const first = channels?.[0];
    if (!channels || !first || first.length === 0) return true;
    let mono = first;
    if (channels.length > 1) {
      mono = new Float32Array(first.length);
      for (const channel of channels) for (let i = 0; i < mono.length; i++) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0) / channels.length;
    }
    this.append(this.resampler.process(mono));
    return true;
  }

  private append(samples: Float32Array): void {
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(samples.length - offset, FRAME_SAMPLES - this.filled);
      this.frame.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === FRAME_SAMPLES) this.postFrame(false);
    }
  }

  /** Posts the current frame; a final short frame is padded with silence up to the 10 ms the server accepts. */
  private postFrame(final: boolean): void {
    if (this.filled === 0) return;
    const length = final ? Math.max(this.filled, MIN_FRAME_SAMPLES) : this.filled;
    const samples = this.frame.subarray(0, length);
    if (length > this.filled) samples.fill(0, this.filled);
    let sumSquares = 0;
    let peak = 0;
    for (let i = 0; i < this.filled; i++) {
      const s = samples[i] ?? 0;
      sumSquares += s * s;
      const a = s < 0 ? -s : s;
      if (a > peak) peak = a;
    }
    const pcm = float32ToPcm16(samples);
    const message: WorkletToMainMessage = { type: 'frame', pcm: pcm.buffer as ArrayBuffer, rms: Math.sqrt(sumSquares / this.filled), peak };
    this.port.postMessage(message, [message.pcm]);
    this.frame = new Float32Array(FRAME_SAMPLES);
    this.filled = 0;
  }

  private post(message: WorkletToMainMessage): void {
    this.port.postMessage(message);
  }
}

registerProcessor(CAPTURE_PROCESSOR_NAME, CaptureProcessor);
