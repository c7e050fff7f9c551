import { float32ToPcm16 } from '../../protocol/audio.ts';
import { StreamingResampler } from '../../client/src/audio/resampler.ts';
import type { BenchSection } from './types.ts';

/** Samples per AudioWorklet render quantum: the chunk size the capture worklet sees. */
const QUANTUM = 128;

function speechLike(sampleRate: number, seconds: number): Float32Array {
  const samples = new Float32Array(sampleRate * seconds);
  for (let i = 0; i < samples.length; i++) {
    const t = i / sampleRate;
    samples[i] = 0.3 * Math.sin(2 * Math.PI * 180 * t) + 0.1 * Math.sin(2 * Math.PI * 2400 * t) + 0.02 * (Math.random() - 0.5);
  }
  return samples;
}

/** Milliseconds to push `input` through `step` in render quanta. */
function timeQuanta(input: Float32Array, step: (chunk: Float32Array) => void): number {
  const started = performance.now();
  for (let offset = 0; offset < input.length; offset += QUANTUM) step(input.subarray(offset, offset + QUANTUM));
  return performance.now() - started;
}

/**
 * Cost of the capture worklet's audio-thread work per second of audio: the band-limited resampler at the
 * device rates a browser may force on us, against the baseline of only converting to PCM16 (what the worklet
 * does when the context runs at 16 kHz). The audio thread has ~2.7 ms per 128-sample quantum at 48 kHz.
 */
export async function bench(): Promise<BenchSection> {
  const seconds = 20;
  const rows: BenchSection['rows'] = [];
  const input16 = speechLike(16_000, seconds);
  // Warm up the JIT so the first measured run is not the compile.
  timeQuanta(input16.subarray(0, 16_000), (chunk) => float32ToPcm16(chunk));
  const baselineMs = timeQuanta(input16, (chunk) => float32ToPcm16(chunk)) / seconds;
  rows.push({ name: 'PCM16 conversion only (16 kHz context)', value: baselineMs, unit: 'ms per s of audio' });
  for (const rate of [48_000, 44_100]) {
    const input = speechLike(rate, seconds);
    const warm = new StreamingResampler({ inputSampleRate: rate, outputSampleRate: 16_000 });
    timeQuanta(input.subarray(0, rate), (chunk) => warm.process(chunk));
    const resampler = new StreamingResampler({ inputSampleRate: rate, outputSampleRate: 16_000 });
    const ms = timeQuanta(input, (chunk) => float32ToPcm16(resampler.process(chunk))) / seconds;
    rows.push({
      name: `resample ${rate / 1000} kHz -> 16 kHz + PCM16`,
      value: ms,
      unit: 'ms per s of audio',
      baseline: baselineMs,
      target: '<= 50 (5 % of the audio thread)',
      note: `${((ms / 1000) * 100).toFixed(2)} % of real time`,
    });
  }
  return { title: 'Client capture worklet (resampling on the audio thread)', rows };
}
