import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { readWavFile } from '../../server/audio/wav.ts';
import { SpeechSegmenter } from '../../server/vad/segmenter.ts';
import { SILERO_CONTEXT_SAMPLES, SILERO_WINDOW_SAMPLES, SileroModel } from '../../server/vad/silero.ts';
import { VadStream } from '../../server/vad/vad-stream.ts';
import type { BenchSection } from './types.ts';

const MODELS_DIR = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');
const MODEL_PATH = path.join(MODELS_DIR, 'silero-vad', 'silero_vad.onnx');
const JFK = path.resolve('../shared/audio/whisper.cpp-samples/jfk.wav');
const SAMPLE_RATE = 16_000;
const REPEATS = 5; // 55 s of audio per measurement: ~0.4 s of CPU each, 7 measurements
const FRAME_SAMPLES = 320; // 20 ms frames, as a browser AudioWorklet batch would send

interface Cost {
  cpuMsPerAudioSecond: number;
  wallMsPerAudioSecond: number;
}

/** CPU (user + system, all threads: ONNX Runtime runs on its own thread) and wall time of `work` per second of audio. */
async function measure(audioSeconds: number, work: () => Promise<void>): Promise<Cost> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await work();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { cpuMsPerAudioSecond: (used.user + used.system) / 1000 / audioSeconds, wallMsPerAudioSecond: wallMs / audioSeconds };
}

/** VAD cost per second of audio: full VadStream vs a raw session.run loop (baseline) vs the segmenter alone. */
export async function bench(): Promise<BenchSection> {
  const wav = await readWavFile(JFK);
  const audio = new Float32Array(wav.samples.length * REPEATS);
  for (let i = 0; i < REPEATS; i++) audio.set(wav.samples, i * wav.samples.length);
  const audioSeconds = audio.length / SAMPLE_RATE;
  const windows = Math.floor(audio.length / SILERO_WINDOW_SAMPLES);

  // Baseline: the bare ONNX session, same options, no windowing, no segmenter, no per-stream bookkeeping.
  const session = await ort.InferenceSession.create(MODEL_PATH, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
  const rawLoop = async (): Promise<void> => {
    let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
    const input = new Float32Array(SILERO_CONTEXT_SAMPLES + SILERO_WINDOW_SAMPLES);
    for (let w = 0; w < windows; w++) {
      input.set(audio.subarray(w * SILERO_WINDOW_SAMPLES, (w + 1) * SILERO_WINDOW_SAMPLES), SILERO_CONTEXT_SAMPLES);
      const out = await session.run({ input: new ort.Tensor('float32', input, [1, input.length]), state, sr });
      state = out['stateN'] as ort.Tensor;
      input.copyWithin(0, SILERO_WINDOW_SAMPLES);
    }
  };

  const model = await SileroModel.load(MODEL_PATH);
  let turns = 0;
  const fullPath = async (): Promise<void> => {
    const stream = new VadStream(model.createStream());
    for (let i = 0; i < audio.length; i += FRAME_SAMPLES) {
      for (const event of await stream.push(audio.subarray(i, i + FRAME_SAMPLES))) if (event.type === 'speech-end') turns++;
    }
    for (const event of await stream.flush()) if (event.type === 'speech-end') turns++;
  };

  // Probabilities once, to time the pure segmenter on realistic input.
  const probabilities: number[] = [];
  {
    const stream = model.createStream();
    for (let w = 0; w < windows; w++) {
      probabilities.push(await stream.process(audio.subarray(w * SILERO_WINDOW_SAMPLES, (w + 1) * SILERO_WINDOW_SAMPLES)));
    }
  }
  const segmenterOnly = async (): Promise<void> => {
    const segmenter = new SpeechSegmenter();
    probabilities.forEach((p, w) => segmenter.process(p, w * SILERO_WINDOW_SAMPLES));
    segmenter.flush(audio.length);
  };

  await rawLoop(); // warm-up: first runs allocate the arena and JIT the JS
  await fullPath();
  // Alternate the two and keep each one's best of three: the machine is shared, and noise only ever adds time.
  let raw: Cost | null = null;
  let full: Cost | null = null;
  for (let round = 0; round < 3; round++) {
    raw = best(raw, await measure(audioSeconds, rawLoop));
    turns = 0;
    full = best(full, await measure(audioSeconds, fullPath));
  }
  if (!raw || !full) throw new Error('unreachable');
  const segmenterCost = await measure(audioSeconds * 20, async () => {
    for (let i = 0; i < 20; i++) await segmenterOnly();
  });
  await session.release();
  await model.release();

  const coreShare = (cost: Cost): number => (2 * cost.cpuMsPerAudioSecond) / 10; // 2 channels, % of one core
  return {
    title: 'VAD (Silero v5, onnxruntime-node, 1 thread)',
    rows: [
      {
        name: 'VadStream CPU per second of audio',
        value: round(full.cpuMsPerAudioSecond),
        unit: 'ms/s',
        baseline: round(raw.cpuMsPerAudioSecond),
        note: `baseline: raw session.run loop; ${audioSeconds.toFixed(0)} s of jfk.wav in 20 ms frames, ${turns} turns`,
      },
      { name: 'VadStream wall time per second of audio', value: round(full.wallMsPerAudioSecond), unit: 'ms/s', baseline: round(raw.wallMsPerAudioSecond) },
      {
        name: 'one core used by a live 2-channel interview',
        value: round(coreShare(full)),
        unit: '%',
        baseline: round(coreShare(raw)),
        target: '<= 5',
      },
      { name: 'segmenter alone, CPU per second of audio', value: round(segmenterCost.cpuMsPerAudioSecond, 4), unit: 'ms/s' },
      { name: 'VadStream overhead over raw session.run', value: round(full.cpuMsPerAudioSecond / raw.cpuMsPerAudioSecond, 2), unit: 'x' },
    ],
  };
}

function best(a: Cost | null, b: Cost): Cost {
  return a && a.cpuMsPerAudioSecond <= b.cpuMsPerAudioSecond ? a : b;
}

function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await bench(), null, 2));
}
