import { describe, expect, it } from 'vitest';
import { StreamingResampler, resample } from './resampler.ts';

function sine(frequencyHz: number, sampleRate: number, durationMs: number, amplitude = 0.5): Float32Array {
  const samples = new Float32Array(Math.round((sampleRate * durationMs) / 1000));
  for (let i = 0; i < samples.length; i++) samples[i] = amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate);
  return samples;
}

/** RMS over the middle of a signal, away from the edges where the kernel sees silence. */
function middleRms(samples: Float32Array): number {
  const from = Math.floor(samples.length * 0.2);
  const to = Math.floor(samples.length * 0.8);
  let sum = 0;
  for (let i = from; i < to; i++) sum += (samples[i] ?? 0) ** 2;
  return Math.sqrt(sum / (to - from));
}

/** Amplitude of one frequency in a signal (single-bin DFT). */
function toneAmplitude(samples: Float32Array, frequencyHz: number, sampleRate: number): number {
  let re = 0;
  let im = 0;
  for (let i = 0; i < samples.length; i++) {
    const phase = (2 * Math.PI * frequencyHz * i) / sampleRate;
    re += (samples[i] ?? 0) * Math.cos(phase);
    im += (samples[i] ?? 0) * Math.sin(phase);
  }
  return (2 * Math.hypot(re, im)) / samples.length;
}

function runChunked(input: Float32Array, chunkSizes: number[], inputRate: number, outputRate: number): Float32Array {
  const resampler = new StreamingResampler({ inputSampleRate: inputRate, outputSampleRate: outputRate });
  const parts: Float32Array[] = [];
  let offset = 0;
  let i = 0;
  while (offset < input.length) {
    const size = chunkSizes[i++ % chunkSizes.length] ?? 128;
    parts.push(resampler.process(input.subarray(offset, offset + size)));
    offset += size;
  }
  parts.push(resampler.flush());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('StreamingResampler', () => {
  it('passes samples through unchanged when the rates match', () => {
    const input = sine(440, 16_000, 50);
    const resampler = new StreamingResampler({ inputSampleRate: 16_000, outputSampleRate: 16_000 });
    expect(Array.from(resampler.process(input))).toEqual(Array.from(input));
    expect(resampler.flush().length).toBe(0);
  });

  it.each([48_000, 44_100, 22_050, 8_000])('turns 1 s at %i Hz into 1 s at 16 kHz', (inputRate) => {
    const out = resample(sine(440, inputRate, 1000), inputRate, 16_000);
    expect(out.length).toBe(16_000);
  });

  it('gives the same output whether fed in one piece or in 128-sample render quanta', () => {
    const input = sine(1000, 48_000, 300);
    const whole = resample(input, 48_000, 16_000);
    const chunked = runChunked(input, [128, 128, 7, 300, 1], 48_000, 16_000);
    expect(chunked.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(chunked[i]).toBeCloseTo(whole[i] ?? 0, 6);
  });

  it('keeps a speech-band tone at its level and frequency (48 kHz -> 16 kHz)', () => {
    const out = resample(sine(1000, 48_000, 500, 0.5), 48_000, 16_000);
    expect(middleRms(out)).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(toneAmplitude(out, 1000, 16_000)).toBeGreaterThan(0.45);
  });

  it('removes tones above the new Nyquist instead of folding them into the speech band', () => {
    // 11 kHz at 48 kHz would alias to 5 kHz at 16 kHz without the low-pass.
    const out = resample(sine(11_000, 48_000, 500, 0.5), 48_000, 16_000);
    expect(middleRms(out)).toBeLessThan(0.005);
    expect(toneAmplitude(out, 5_000, 16_000)).toBeLessThan(0.005);
  });

  it('keeps silence silent and a DC level at unity gain (44.1 kHz)', () => {
    expect(middleRms(resample(new Float32Array(44_100), 44_100, 16_000))).toBe(0);
    const dc = resample(new Float32Array(4410).fill(0.25), 44_100, 16_000);
    expect(dc[Math.floor(dc.length / 2)]).toBeCloseTo(0.25, 3);
  });

  it('upsamples 8 kHz to 16 kHz keeping the tone', () => {
    const out = resample(sine(300, 8_000, 500, 0.5), 8_000, 16_000);
    expect(out.length).toBe(8000);
    expect(toneAmplitude(out, 300, 16_000)).toBeGreaterThan(0.45);
  });

  it('rejects impossible rates with a clear error', () => {
    expect(() => new StreamingResampler({ inputSampleRate: 0, outputSampleRate: 16_000 })).toThrow(/sample rates must be positive/);
  });
});
