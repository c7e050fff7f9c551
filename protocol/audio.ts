/** Audio format every client sends: PCM16 little-endian, mono, 16 kHz. */
export const SAMPLE_RATE = 16_000;
/** Bytes in one PCM16 sample. */
export const BYTES_PER_SAMPLE = 2;
/** Shortest frame accepted: 10 ms. */
export const MIN_FRAME_MS = 10;
/** Longest frame accepted: 1 s. */
export const MAX_FRAME_MS = 1_000;
/** Smallest frame payload in bytes (10 ms). */
export const MIN_FRAME_BYTES = (SAMPLE_RATE * MIN_FRAME_MS * BYTES_PER_SAMPLE) / 1000;
/** Largest frame payload in bytes (1 s). */
export const MAX_FRAME_BYTES = (SAMPLE_RATE * MAX_FRAME_MS * BYTES_PER_SAMPLE) / 1000;

/** Milliseconds of audio held by `samples` samples at 16 kHz. */
export function samplesToMs(samples: number): number {
  return Math.round((samples * 1000) / SAMPLE_RATE);
}

/** Samples at 16 kHz in `ms` milliseconds. */
export function msToSamples(ms: number): number {
  return Math.round((ms * SAMPLE_RATE) / 1000);
}

/** Converts PCM16 little-endian bytes to Float32 samples in [-1, 1). */
export function pcm16ToFloat32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const samples = new Float32Array(bytes.byteLength >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(i * 2, true) / 32768;
  return samples;
}

/** Converts Float32 samples in [-1, 1] to PCM16 little-endian bytes (clipped). */
export function float32ToPcm16(samples: Float32Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i++) {
    const s = Math.max(-1, Math.min(1, samples[i] ?? 0));
    view.setInt16(i * 2, s < 0 ? s * 32768 : s * 32767, true);
  }
  return bytes;
}
