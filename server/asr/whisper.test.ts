import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WhisperModel } from 'smart-whisper';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readWavFile } from '../audio/wav.ts';
import { resolveWhisperModel, whisperModelPath } from '../models/model-files.ts';
import { DecodeScheduler } from './scheduler.ts';
import { isAbortError, type TranscribeResult } from './transcriber.ts';
import { createWhisperTranscriber, type WhisperTranscriber } from './whisper.ts';

const modelsDir = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');
const audioDir = path.resolve('../shared/audio');
const jfkPath = path.join(audioDir, 'whisper.cpp-samples/jfk.wav');
const realEnglish = existsSync(whisperModelPath(modelsDir, 'base.en'));
const realMultilingual = ['base', 'small', 'tiny'].find((name) => existsSync(whisperModelPath(modelsDir, name)));

let jfk: Float32Array;
let tiny: WhisperTranscriber;
let baseEn: WhisperTranscriber;
let loadSpy: ReturnType<typeof vi.spyOn>;

function expectSaneSegments(result: TranscribeResult, durationMs: number): void {
  expect(Array.isArray(result.segments)).toBe(true);
  for (const segment of result.segments) {
    expect(segment.text).not.toBe('');
    expect(segment.startMs).toBeGreaterThanOrEqual(0);
    expect(segment.endMs).toBeGreaterThanOrEqual(segment.startMs);
    expect(segment.endMs).toBeLessThanOrEqual(durationMs);
  }
  expect(result.decodeMs).toBeGreaterThan(0);
}

beforeAll(async () => {
  const wav = await readWavFile(jfkPath);
  expect(wav.sampleRate).toBe(16_000);
  jfk = wav.samples;
  loadSpy = vi.spyOn(WhisperModel, 'load');
  // Test models: real shapes and cost, meaningless text (see ../shared/models/README.md).
  tiny = await createWhisperTranscriber({ model: await resolveWhisperModel(modelsDir, 'tiny'), nThreads: 2 });
  baseEn = await createWhisperTranscriber({ model: await resolveWhisperModel(modelsDir, 'base.en'), nThreads: 2 });
});

afterAll(async () => {
  await Promise.all([tiny?.close(), baseEn?.close()]);
  loadSpy?.mockRestore();
});

describe('WhisperTranscriber on the whisper.cpp test models', () => {
  it('loads each model once and decodes twice without reloading', async () => {
    expect(loadSpy).toHaveBeenCalledTimes(2);
    const first = await baseEn.transcribe(jfk, { language: 'en', purpose: 'final' });
    const second = await baseEn.transcribe(jfk, { language: 'en', purpose: 'partial' });
    expect(loadSpy).toHaveBeenCalledTimes(2);
    for (const result of [first, second]) {
      expectSaneSegments(result, 11_000);
      expect(result.language).toBe('en');
    }
    expect(baseEn.stats()).toMatchObject({ decodes: 2, failures: 0, inFlight: 0 });
  });

  it('decodes on a native thread: timers keep firing during a decode', async () => {
    let ticks = 0;
    let ticksWhileDecoding = -1;
    const timer = setInterval(() => ticks++, 5);
    try {
      const decoding = baseEn.transcribe(jfk, { language: 'en', purpose: 'final' });
      const result = await decoding;
      ticksWhileDecoding = ticks;
      expectSaneSegments(result, 11_000);
    } finally {
      clearInterval(timer);
    }
    // A decode that blocked the event loop would let at most one tick through.
    expect(ticksWhileDecoding).toBeGreaterThanOrEqual(5);
  });

  it('transcribes Mandarin with a multilingual model and refuses it clearly on an English-only one', async () => {
    const zh = await readWavFile(path.join(audioDir, 'aishell-misc/BAC009S0764W0121.wav'));
    const result = await tiny.transcribe(zh.samples, { language: 'zh', purpose: 'final' });
    expectSaneSegments(result, zh.durationMs);
    expect(result.language).toBe('zh');

    expect(tiny.supportsLanguage('zh')).toBe(true);
    expect(baseEn.supportsLanguage('zh')).toBe(false);
    await expect(baseEn.transcribe(zh.samples, { language: 'zh', purpose: 'final' })).rejects.toMatchObject({
      code: 'language-unsupported',
      message: expect.stringContaining('English-only'),
    });
  });

  it("reports a language for 'auto' (English-only models always say en)", async () => {
    const detected = await tiny.transcribe(jfk, { language: 'auto', purpose: 'partial' });
    expect(detected.language).toMatch(/^[a-z]{2,3}$/);
    const english = await baseEn.transcribe(jfk, { language: 'auto', purpose: 'partial' });
    expect(english.language).toBe('en');
  });

  it('decodes a clip longer than the 30 s window whole', async () => {
    const long = new Float32Array(jfk.length * 3);
    for (let i = 0; i < 3; i++) long.set(jfk, i * jfk.length);
    const result = await tiny.transcribe(long, { language: 'en', purpose: 'final' });
    expectSaneSegments(result, 33_000);
  });

  it('accepts clips shorter than the 1 s whisper.cpp minimum and empty ones', async () => {
    const short = await tiny.transcribe(jfk.subarray(0, 8_000), { language: 'en', purpose: 'partial' });
    expectSaneSegments(short, 500);
    const empty = await tiny.transcribe(new Float32Array(0), { language: 'en', purpose: 'partial' });
    expect(empty).toMatchObject({ segments: [], text: '' });
  });

  it('refuses audio that is not finite Float32 samples', async () => {
    const broken = new Float32Array(16_000);
    broken[42] = Number.NaN;
    await expect(tiny.transcribe(broken, { language: 'en', purpose: 'final' })).rejects.toMatchObject({ code: 'invalid-audio' });
  });

  it('rejects at once when aborted mid-decode, and closes only after the native work ended', async () => {
    const model = await resolveWhisperModel(modelsDir, 'tiny');
    const transcriber = await createWhisperTranscriber({ model, nThreads: 2, audioContext: 'full' });
    const controller = new AbortController();
    const decoding = transcriber.transcribe(jfk, { language: 'en', purpose: 'final', signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await decoding.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(transcriber.stats().inFlight).toBe(1);
    await transcriber.close();
    expect(transcriber.stats().inFlight).toBe(0);
    await expect(transcriber.transcribe(jfk, { language: 'en', purpose: 'final' })).rejects.toMatchObject({ code: 'closed' });
  });

  it('drops a queued job aborted in the scheduler without decoding it', async () => {
    const scheduler = new DecodeScheduler(tiny);
    const decodesBefore = tiny.stats().decodes;
    const controller = new AbortController();
    const first = scheduler.decode({ key: 'turn-1', priority: 'final', pcm: jfk, language: 'en' });
    const second = scheduler.decode({ key: 'turn-2', priority: 'final', pcm: jfk, language: 'en', signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    const outcome = await first;
    expect(outcome.skipped).toBe(false);
    await scheduler.close();
    expect(tiny.stats().decodes - decodesBefore).toBe(1);
    expect(scheduler.stats().finals).toMatchObject({ completed: 1, aborted: 1 });
  });
});

describe('WhisperTranscriber with real weights', () => {
  it.skipIf(!realEnglish)(
    `transcribes jfk.wav with base.en (needs ${whisperModelPath(modelsDir, 'base.en')}; skipped when absent)`,
    async () => {
      const transcriber = await createWhisperTranscriber({ model: await resolveWhisperModel(modelsDir, 'base.en'), nThreads: 2 });
      try {
        const result = await transcriber.transcribe(jfk, { language: 'en', purpose: 'final' });
        const words = (text: string) => new Set(text.toLowerCase().match(/[a-z']+/g) ?? []);
        const expected = words(readFileSync(path.join(audioDir, 'whisper.cpp-samples/jfk.txt'), 'utf8'));
        const got = words(result.text);
        const overlap = [...expected].filter((word) => got.has(word)).length / expected.size;
        expect(overlap).toBeGreaterThan(0.8);
      } finally {
        await transcriber.close();
      }
    },
  );

  it.skipIf(!realMultilingual)(
    `transcribes Mandarin with a real multilingual model (needs whisper/ggml-base.bin, -small or -tiny; skipped when absent)`,
    async () => {
      const transcriber = await createWhisperTranscriber({ model: await resolveWhisperModel(modelsDir, realMultilingual!), nThreads: 2 });
      try {
        const zh = await readWavFile(path.join(audioDir, 'aishell-misc/BAC009S0764W0121.wav'));
        const result = await transcriber.transcribe(zh.samples, { language: 'zh', purpose: 'final' });
        const reference = readFileSync(path.join(audioDir, 'aishell-misc/BAC009S0764W0121.txt'), 'utf8').replace(/\s/g, '');
        const shared = [...reference].filter((char) => result.text.includes(char)).length / reference.length;
        expect(shared).toBeGreaterThan(0.5);
      } finally {
        await transcriber.close();
      }
    },
  );
});
