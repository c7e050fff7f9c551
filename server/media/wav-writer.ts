import { encodeWavPcm16 } from '../audio/wav.ts';

const HEADER_BYTES = 44;

/**
 * Encodes mono samples as a PCM16 WAV file. Float32 goes through server/audio/wav.ts (clipped to [-1, 1]); Int16 samples
 * are copied bit for bit (converting them through Float32 would shave the top code of every positive peak).
 */
export function encodeMonoWav(samples: Float32Array | Int16Array, sampleRate: number): Uint8Array {
  if (samples instanceof Float32Array) return encodeWavPcm16(samples, sampleRate);
  // Reuse the other encoder's header layout, then fix the two sizes for the real data length.
  const header = encodeWavPcm16(new Float32Array(0), sampleRate);
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(HEADER_BYTES + dataBytes);
  bytes.set(header.subarray(0, HEADER_BYTES));
  const view = new DataView(bytes.buffer);
  view.setUint32(4, 36 + dataBytes, true);
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(HEADER_BYTES + i * 2, samples[i] ?? 0, true);
  return bytes;
}
