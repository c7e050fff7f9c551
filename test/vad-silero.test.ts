import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile } from '../server/audio/wav.ts';
import { SILERO_WINDOW_SAMPLES, SileroModel, SileroModelError } from '../server/vad/silero.ts';
import type { SpeechEndEvent, VadEvent } from '../server/vad/segmenter.ts';
import { VadStream } from '../server/vad/vad-stream.ts';

const MODELS_DIR = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');
const AUDIO_DIR = path.resolve('../shared/audio');
const MODEL_PATH = path.join(MODELS_DIR, 'silero-vad', 'silero_vad.onnx');
const JFK = path.join(AUDIO_DIR, 'whisper.cpp-samples', 'jfk.wav');
const CHINESE = [
  path.join(AUDIO_DIR, 'aishell-misc', 'BAC009S0764W0121.wav'),
  path.join(AUDIO_DIR, 'wenet', 'aishell-BAC009S0724W0121.wav'),
];
const SAMPLE_RATE = 16_000;
const seconds = (samples: number): number => samples / SAMPLE_RATE;

let model: SileroModel;
let jfk: Float32Array;

beforeAll(async () => {
  model = await SileroModel.load(MODEL_PATH);
  const wav = await readWavFile(JFK);
  expect(wav.sampleRate).toBe(SAMPLE_RATE);
  jfk = wav.samples;
});

afterAll(async () => {
  await model?.release();
});

/** Runs a fresh VadStream over `samples` in chunks of `chunkSamples`, then flushes. */
async function detect(samples: Float32Array, chunkSamples = SAMPLE_RATE): Promise<VadEvent[]> {
  const stream = new VadStream(model.createStream());
  const events: VadEvent[] = [];
  for (let i = 0; i < samples.length; i += chunkSamples) events.push(...(await stream.push(samples.subarray(i, i + chunkSamples))));
  events.push(...(await stream.flush()));
  return events;
}

const turnsOf = (events: VadEvent[]): SpeechEndEvent[] => events.filter((e): e is SpeechEndEvent => e.type === 'speech-end');

/** Seeded Gaussian noise at `rms` (full scale = 1). */
function noise(durationSamples: number, rms: number, seed = 7): Float32Array {
  let state = seed;
  const uniform = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return (state + 1) / 0x80000001;
  };
  const out = new Float32Array(durationSamples);
  for (let i = 0; i < out.length; i++) out[i] = rms * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

describe('SileroModel', () => {
  it('names the path when the model file is missing or is not a Silero model', async () => {
    await expect(SileroModel.load('/nonexistent/models/silero_vad.onnx')).rejects.toThrow(
      /Silero VAD model not found at \/nonexistent\/models\/silero_vad\.onnx/,
    );
    await expect(SileroModel.load(JFK)).rejects.toThrow(SileroModelError);
    await expect(SileroModel.load(JFK)).rejects.toThrow(JFK);
  });

  it('keeps state per stream: interleaved streams on one model match streams run alone; reset starts afresh', async () => {
    const other = (await readWavFile(CHINESE[0]!)).samples;
    const alone = [await probabilities(jfk, 80), await probabilities(other, 80)];
    const a = model.createStream();
    const b = model.createStream();
    const together: number[][] = [[], []];
    for (let i = 0; i < 80; i++) {
      const window = (samples: Float32Array): Float32Array => samples.subarray(i * 512, (i + 1) * 512);
      const [pa, pb] = await Promise.all([a.process(window(jfk)), b.process(window(other))]);
      together[0]!.push(pa);
      together[1]!.push(pb);
    }
    expect(together).toEqual(alone);
    expect(Math.max(...alone[0]!)).toBeGreaterThan(0.9); // speech is in there: the comparison is not of zeros

    a.reset();
    const again: number[] = [];
    for (let i = 0; i < 80; i++) again.push(await a.process(jfk.subarray(i * 512, (i + 1) * 512)));
    expect(again).toEqual(alone[0]);

    await expect(a.process(new Float32Array(480))).rejects.toThrow(/512 samples, got 480/);
  });

  it('feeds Silero v5 the previous 64 samples as context, as its reference wrapper does', async () => {
    // Independent re-implementation of snakers4/silero-vad's OnnxWrapper for 16 kHz: input = [context | window].
    const session = await ort.InferenceSession.create(MODEL_PATH, { intraOpNumThreads: 1 });
    try {
      let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
      let context = new Float32Array(64);
      const expected: number[] = [];
      for (let i = 0; i < 80; i++) {
        const window = jfk.subarray(i * 512, (i + 1) * 512);
        const input = new Float32Array([...context, ...window]);
        const out = await session.run({
          input: new ort.Tensor('float32', input, [1, 576]),
          state,
          sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
        });
        expected.push((out['output']!.data as Float32Array)[0]!);
        state = out['stateN']!;
        context = input.slice(-64);
      }
      expect(await probabilities(jfk, 80)).toEqual(expected);
    } finally {
      await session.release();
    }
  });

  async function probabilities(samples: Float32Array, windows: number): Promise<number[]> {
    const stream = model.createStream();
    const out: number[] = [];
    for (let i = 0; i < windows; i++) out.push(await stream.process(samples.subarray(i * SILERO_WINDOW_SAMPLES, (i + 1) * SILERO_WINDOW_SAMPLES)));
    return out;
  }
});

describe('VadStream with Silero on real speech', () => {
  it('finds the four phrases of jfk.wav with the expected boundaries', async () => {
    const events = await detect(jfk);
    expect(events.map((e) => e.type)).toEqual(Array(4).fill(['speech-start', 'speech-end']).flat());
    const turns = turnsOf(events);
    // Silero's own speech in jfk.wav (get_speech_timestamps, rounded to 0.1 s). Our turn = speech - 300 ms pre-pad
    // (clamped at 0) ... + 100 ms post-pad. Tolerance 150 ms = 50 ms reference rounding + 30 ms pad inside the
    // reference + 32 ms window quantization + 32 ms for a threshold crossing one window earlier or later.
    const reference = [
      [0.3, 2.3],
      [3.3, 4.5],
      [5.4, 7.7],
      [8.2, 10.6],
    ] as const;
    const toleranceSeconds = 0.15;
    turns.forEach((turn, i) => {
      const [start, end] = reference[i]!;
      expect(Math.abs(seconds(turn.startSample) - Math.max(0, start - 0.3))).toBeLessThanOrEqual(toleranceSeconds);
      if (i < 3) expect(Math.abs(seconds(turn.endSample) - (end + 0.1))).toBeLessThanOrEqual(toleranceSeconds);
    });
    // The file ends 0.4 s after the last word, with a breath at 10.9 s: the last turn is closed by the end of stream.
    expect(turns[3]).toMatchObject({ reason: 'flush', endSample: jfk.length });
    expect(seconds(turns[3]!.endSample)).toBeGreaterThanOrEqual(10.6);

    for (const turn of turns.slice(0, 3)) {
      expect(turn.reason).toBe('silence');
      // End-of-speech decision lag, the VAD's share of the end-of-speech -> final transcript budget (0.8 s):
      // redemption 400 ms rounded up to whole 32 ms windows (416), plus the fading windows between the thresholds
      // (one or two here), minus the 100 ms post-pad already inside the turn. Measured: 316, 348, 348 ms.
      const lagMs = ((turn.atSample - turn.endSample) * 1000) / SAMPLE_RATE;
      expect(lagMs).toBeGreaterThanOrEqual(300);
      expect(lagMs).toBeLessThanOrEqual(400);
    }
    // Turns never overlap.
    for (let i = 1; i < turns.length; i++) expect(turns[i]!.startSample).toBeGreaterThanOrEqual(turns[i - 1]!.endSample);
  });

  it('gives identical events for 10 ms frames, 1 s frames and odd-sized frames', async () => {
    const oneSecond = await detect(jfk, 16_000);
    expect(await detect(jfk, 160)).toEqual(oneSecond);
    expect(await detect(jfk, 1234)).toEqual(oneSecond);
  });

  it.each(CHINESE)('finds the Mandarin utterance in %s as one turn', async (file) => {
    const wav = await readWavFile(file);
    expect(wav.sampleRate).toBe(SAMPLE_RATE);
    const turns = turnsOf(await detect(wav.samples, 320));
    expect(turns).toHaveLength(1);
    const turn = turns[0]!;
    // ~4.2 s clips with speech from ~0.5 s to ~3.8 s: the turn holds it all.
    expect(seconds(turn.startSample)).toBeLessThan(0.5);
    expect(seconds(turn.endSample)).toBeGreaterThan(3.7);
    expect(seconds(turn.endSample - turn.startSample)).toBeGreaterThan(3.3);
  });

  it('finds nothing in digital silence, low and moderate background noise, or mains hum', async () => {
    expect(await detect(new Float32Array(5 * SAMPLE_RATE))).toEqual([]);
    for (const rms of [0.003, 0.03]) expect(await detect(noise(5 * SAMPLE_RATE, rms), 320)).toEqual([]);
    const hum = new Float32Array(5 * SAMPLE_RATE).map((_, i) => 0.05 * Math.sin((2 * Math.PI * 50 * i) / SAMPLE_RATE));
    expect(await detect(hum, 320)).toEqual([]);
  });
});
