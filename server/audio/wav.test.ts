import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WavFormatError, decodeWav, encodeWavPcm16, readWavFile } from './wav.ts';

const AUDIO_DIR = path.resolve('../shared/audio');

/** Builds a RIFF/WAVE file from raw chunks (id + body), padding odd bodies as the format requires. */
function riff(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: number[] = [];
  const u32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
  const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));
  for (const [id, body] of chunks) {
    parts.push(...ascii(id), ...u32(body.length), ...body);
    if (body.length % 2) parts.push(0);
  }
  return new Uint8Array([...ascii('RIFF'), ...u32(4 + parts.length), ...ascii('WAVE'), ...parts]);
}

function fmt(code: number, channels: number, sampleRate: number, bits: number, extensible = false): Uint8Array {
  const body = new DataView(new ArrayBuffer(extensible ? 40 : 16));
  const blockAlign = (channels * bits) / 8;
  body.setUint16(0, extensible ? 0xfffe : code, true);
  body.setUint16(2, channels, true);
  body.setUint32(4, sampleRate, true);
  body.setUint32(8, sampleRate * blockAlign, true);
  body.setUint16(12, blockAlign, true);
  body.setUint16(14, bits, true);
  if (extensible) {
    body.setUint16(16, 22, true);
    body.setUint16(18, bits, true);
    body.setUint16(24, code, true); // sub-format GUID begins with the plain code
  }
  return new Uint8Array(body.buffer);
}

describe('decodeWav', () => {
  it('reads jfk.wav past its LIST chunk (78-byte header)', async () => {
    const wav = await readWavFile(path.join(AUDIO_DIR, 'whisper.cpp-samples', 'jfk.wav'));
    expect(wav).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16, encoding: 'pcm', durationMs: 11_000 });
    expect(wav.samples.length).toBe(176_000);
    // the first samples are digital silence: a 44-byte assumption would read "data" and its size as audio
    expect(wav.samples[0]).toBe(0);
    expect(Math.max(...wav.samples.subarray(16_000, 32_000).map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('reads a WAV whose fmt chunk has an 18-byte body (AISHELL)', async () => {
    const wav = await readWavFile(path.join(AUDIO_DIR, 'aishell-misc', 'BAC009S0764W0121.wav'));
    expect(wav).toMatchObject({ sampleRate: 16_000, channels: 1, bitsPerSample: 16 });
    expect(wav.samples.length).toBe(67_263);
  });

  it('downmixes stereo float32 and reports any sample rate', () => {
    const frames = new Float32Array([0.5, -0.5, 1, 0, 0.25, 0.75]); // L, R interleaved
    const wav = decodeWav(riff([['fmt ', fmt(3, 2, 44_100, 32)], ['data', new Uint8Array(frames.buffer)]]));
    expect(wav).toMatchObject({ sampleRate: 44_100, channels: 2, encoding: 'float', bitsPerSample: 32 });
    expect([...wav.samples]).toEqual([0, 0.5, 0.5]);
  });

  it('reads PCM 8/24-bit and WAVE_FORMAT_EXTENSIBLE, skipping odd-sized chunks before data', () => {
    const pcm24 = new Uint8Array([0x00, 0x00, 0x40, 0x00, 0x00, 0xc0]); // +0.5, -0.5
    const wav24 = decodeWav(riff([['fmt ', fmt(1, 1, 8000, 24, true)], ['junk', new Uint8Array(3)], ['data', pcm24]]));
    expect([...wav24.samples]).toEqual([0.5, -0.5]);
    const wav8 = decodeWav(riff([['fmt ', fmt(1, 1, 8000, 8)], ['data', new Uint8Array([128, 192, 0])]]));
    expect([...wav8.samples]).toEqual([0, 0.5, -1]);
  });

  it('round-trips encodeWavPcm16 within half a PCM16 step', () => {
    const samples = new Float32Array([0, 0.1, -0.2, 0.999, -1]);
    const wav = decodeWav(encodeWavPcm16(samples, 16_000));
    expect(wav.sampleRate).toBe(16_000);
    wav.samples.forEach((s, i) => expect(Math.abs(s - samples[i]!)).toBeLessThanOrEqual(0.5 / 32768));
  });

  it('tolerates a data size larger than the file (streamed recordings)', () => {
    const bytes = riff([['fmt ', fmt(1, 1, 16_000, 16)], ['data', new Uint8Array([0, 0x40, 0, 0xc0])]]);
    new DataView(bytes.buffer).setUint32(bytes.length - 8, 0xffffffff, true);
    expect([...decodeWav(bytes).samples]).toEqual([0.5, -0.5]);
  });

  it('fails with a clear error naming the file', async () => {
    expect(() => decodeWav(new TextEncoder().encode('ID3 not a wav at all'), 'clip.mp3')).toThrow(/clip\.mp3: not a RIFF\/WAVE file/);
    expect(() => decodeWav(riff([['fmt ', fmt(1, 1, 16_000, 16)]]))).toThrow(/no data chunk/);
    expect(() => decodeWav(riff([['data', new Uint8Array(4)]]))).toThrow(/no fmt chunk/);
    expect(() => decodeWav(riff([['fmt ', fmt(6, 1, 8000, 8)], ['data', new Uint8Array(4)]]))).toThrow(WavFormatError);
    expect(() => decodeWav(riff([['fmt ', fmt(6, 1, 8000, 8)], ['data', new Uint8Array(4)]]))).toThrow(/format code 0x6/);

    const dir = await mkdtemp(path.join(tmpdir(), 'viva-wav-'));
    try {
      const file = path.join(dir, 'broken.wav');
      await writeFile(file, 'RIFF');
      await expect(readWavFile(file)).rejects.toThrow(file);
      await expect(readWavFile(path.join(dir, 'missing.wav'))).rejects.toThrow(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
