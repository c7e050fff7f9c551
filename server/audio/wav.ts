import { readFile } from 'node:fs/promises';

/** Decoded WAV audio: samples downmixed to mono Float32 in [-1, 1], at the file's own sample rate. */
export interface WavAudio {
  /** Sample rate the file declares (no resampling is done). */
  sampleRate: number;
  /** Channels in the file before downmixing. */
  channels: number;
  /** Bits per sample in the file (16 for PCM16, 32 for float32, ...). */
  bitsPerSample: number;
  /** Sample encoding in the file. */
  encoding: 'pcm' | 'float';
  /** Mono samples (channels averaged), one per frame. */
  samples: Float32Array;
  /** Duration of `samples` in milliseconds. */
  durationMs: number;
}

/** Thrown for files that are not WAV or use an encoding this reader does not support. */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Parses a RIFF/WAVE file walking its chunks (never assumes a 44-byte header: LIST, fact, bext... may come before
 * `data`). Supports integer PCM (8, 16, 24, 32 bits) and IEEE float (32, 64 bits), plain or WAVE_FORMAT_EXTENSIBLE,
 * any channel count (averaged to mono) and any sample rate (reported, not converted).
 */
export function decodeWav(bytes: Uint8Array, name = 'WAV data'): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number): string =>
    String.fromCharCode(bytes[offset] ?? 0, bytes[offset + 1] ?? 0, bytes[offset + 2] ?? 0, bytes[offset + 3] ?? 0);
  if (bytes.byteLength < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') {
    throw new WavFormatError(`${name}: not a RIFF/WAVE file (${bytes.byteLength} bytes, starts with "${tag(0)}")`);
  }

  let format: { code: number; channels: number; sampleRate: number; blockAlign: number; bitsPerSample: number } | null =
    null;
  let data: Uint8Array | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = tag(offset);
    const declaredSize = view.getUint32(offset + 4, true);
    const bodyStart = offset + 8;
    // Streamed recordings often leave the size at 0 or 0xFFFFFFFF: take what the file actually holds.
    const size = Math.min(declaredSize, bytes.byteLength - bodyStart);
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError(`${name}: fmt chunk is ${size} bytes, expected at least 16`);
      let code = view.getUint16(bodyStart, true);
      if (code === FORMAT_EXTENSIBLE) {
        if (size < 40) throw new WavFormatError(`${name}: WAVE_FORMAT_EXTENSIBLE fmt chunk is only ${size} bytes`);
        // The sub-format GUID starts with the plain format code.
        code = view.getUint16(bodyStart + 24, true);
      }
      format = {
        code,
        channels: view.getUint16(bodyStart + 2, true),
        sampleRate: view.getUint32(bodyStart + 4, true),
        blockAlign: view.getUint16(bodyStart + 12, true),
        bitsPerSample: view.getUint16(bodyStart + 14, true),
      };
    } else if (id === 'data') {
      data = bytes.subarray(bodyStart, bodyStart + size);
      if (format) break;
    }
    // Chunks are padded to an even length.
    offset = bodyStart + size + (size % 2);
  }

  if (!format) throw new WavFormatError(`${name}: no fmt chunk`);
  if (!data) throw new WavFormatError(`${name}: no data chunk`);
  const { code, channels, sampleRate, bitsPerSample } = format;
  if (channels < 1) throw new WavFormatError(`${name}: ${channels} channels`);
  if (sampleRate < 1) throw new WavFormatError(`${name}: sample rate ${sampleRate}`);
  const bytesPerSample = bitsPerSample / 8;
  const supported =
    (code === FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) ||
    (code === FORMAT_FLOAT && [32, 64].includes(bitsPerSample));
  if (!supported) {
    throw new WavFormatError(
      `${name}: unsupported encoding (format code 0x${code.toString(16)}, ${bitsPerSample} bits); ` +
        'supported: PCM 8/16/24/32-bit, float 32/64-bit',
    );
  }
  const blockAlign = format.blockAlign;
  if (blockAlign < channels * bytesPerSample) {
    throw new WavFormatError(`${name}: block align ${blockAlign} is less than ${channels} x ${bytesPerSample} bytes`);
  }
  const frames = Math.floor(data.byteLength / blockAlign);
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const read = sampleReader(code, bitsPerSample, dataView);
  const samples = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < channels; channel++) sum += read(frame * blockAlign + channel * bytesPerSample);
    samples[frame] = sum / channels;
  }
  return {
    sampleRate,
    channels,
    bitsPerSample,
    encoding: code === FORMAT_FLOAT ? 'float' : 'pcm',
    samples,
    durationMs: (frames * 1000) / sampleRate,
  };
}

function sampleReader(code: number, bitsPerSample: number, view: DataView): (byteOffset: number) => number {
  if (code === FORMAT_FLOAT) {
    return bitsPerSample === 32 ? (o) => view.getFloat32(o, true) : (o) => view.getFloat64(o, true);
  }
  switch (bitsPerSample) {
    case 8:
      return (o) => (view.getUint8(o) - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (o) => view.getInt16(o, true) / 32768;
    case 24:
      return (o) => ((view.getUint8(o) | (view.getUint8(o + 1) << 8) | (view.getInt8(o + 2) << 16)) / 8388608);
    default:
      return (o) => view.getInt32(o, true) / 2147483648;
  }
}

/** Reads and decodes a WAV file (see `decodeWav`); errors name the path. */
export async function readWavFile(path: string, options: { signal?: AbortSignal } = {}): Promise<WavAudio> {
  const bytes = await readFile(path, { signal: options.signal });
  return decodeWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path);
}

/** Encodes mono Float32 samples as a 16-bit PCM WAV file (44-byte header), clipping to [-1, 1). */
export function encodeWavPcm16(samples: Float32Array, sampleRate: number): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1) throw new RangeError(`sampleRate must be a positive integer, got ${sampleRate}`);
  const dataBytes = samples.length * 2;
  const bytes = new Uint8Array(44 + dataBytes);
  const view = new DataView(bytes.buffer);
  const writeTag = (offset: number, text: string): void => {
    for (let i = 0; i < 4; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  writeTag(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeTag(8, 'WAVE');
  writeTag(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  writeTag(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) {
    // Same scale as the decoder (x 32768), rounded, so decode(encode(x)) is within half a step.
    view.setInt16(44 + i * 2, Math.max(-32768, Math.min(32767, Math.round((samples[i] ?? 0) * 32768))), true);
  }
  return bytes;
}
