import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WhisperModel } from 'smart-whisper';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readWavFile } from '../audio/wav.ts';
import { characterErrorRate, wordErrorRate } from '../../test/helpers/transcript-accuracy.ts';
import { resolveWhisperModel } from '../models/model-files.ts';
import { DecodeScheduler } from './scheduler.ts';
import { isAbortError, type TranscribeResult } from './transcriber.ts';
import { toSimplifiedChinese } from './simplified-chinese.ts';
import { createWhisperTranscriber, type WhisperTranscriber } from './whisper.ts';

const modelsDir = process.env.VIVA_MODELS_DIR ?? path.resolve('../shared/models');
const audioDir = path.resolve('../shared/audio');
const jfkPath = path.join(audioDir, 'whisper.cpp-samples/jfk.wav');
// Real decodes on a shared 2-core machine: generous time, never asserted (speed lives in `npm run bench`).
vi.setConfig({ testTimeout: 180_000 });

const jfkText = readFileSync(path.join(audioDir, 'whisper.cpp-samples/jfk.txt'), 'utf8');

let jfk: Float32Array;
/** Real multilingual weights (English and Mandarin). */
let base: WhisperTranscriber;
/** Real English-only weights, fast. */
let tinyEn: WhisperTranscriber;
let loadSpy: ReturnType<typeof vi.spyOn>;

function expectSaneSegments(result: TranscribeResult, durationMs: number): void {
  expect(Array.isArray(result.segments)).toBe(true);
  for (const segment of result.segments) {
    expect(segment.text).not.toBe('');
    expect(segment.startMs).toBeGreaterThanOrEqual(0);
    expect(segment.endMs).toBeGreaterThanOrEqual(segment.startMs);
    // Times are whole milliseconds: a clip of 4203.94 ms may end a segment at 4204.
    expect(segment.endMs).toBeLessThanOrEqual(Math.ceil(durationMs));
  }
  expect(result.decodeMs).toBeGreaterThan(0);
}

beforeAll(async () => {
  const wav = await readWavFile(jfkPath);
  expect(wav.sampleRate).toBe(16_000);
  jfk = wav.samples;
  loadSpy = vi.spyOn(WhisperModel, 'load');
  // Real weights (see ../shared/models/README.md): assert text with a tolerance, never an exact string.
  base = await createWhisperTranscriber({ model: await resolveWhisperModel(modelsDir, 'base'), nThreads: 2 });
  tinyEn = await createWhisperTranscriber({ model: await resolveWhisperModel(modelsDir, 'tiny.en-q8_0'), nThreads: 2 });
});

afterAll(async () => {
  await Promise.all([base?.close(), tinyEn?.close()]);
  loadSpy?.mockRestore();
});

describe('WhisperTranscriber on real whisper.cpp weights', () => {
  it('loads each model once and decodes twice without reloading, each time the words of jfk.wav', async () => {
    expect(loadSpy).toHaveBeenCalledTimes(2);
    const first = await tinyEn.transcribe(jfk, { language: 'en', purpose: 'final' });
    const second = await tinyEn.transcribe(jfk, { language: 'en', purpose: 'partial' });
    expect(loadSpy).toHaveBeenCalledTimes(2);
    for (const result of [first, second]) {
      expectSaneSegments(result, 11_000);
      expect(result.language).toBe('en');
      expect(wordErrorRate(jfkText, result.text)).toBeLessThan(0.15);
    }
    expect(tinyEn.stats()).toMatchObject({ decodes: 2, failures: 0, inFlight: 0 });
  });

  it('decodes on a native thread: timers keep firing during a decode', async () => {
    let ticks = 0;
    let ticksWhileDecoding = -1;
    const timer = setInterval(() => ticks++, 5);
    try {
      const decoding = tinyEn.transcribe(jfk, { language: 'en', purpose: 'final' });
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
    const result = await base.transcribe(zh.samples, { language: 'zh', purpose: 'final' });
    expectSaneSegments(result, zh.durationMs);
    expect(result.language).toBe('zh');

    expect(base.supportsLanguage('zh')).toBe(true);
    expect(tinyEn.supportsLanguage('zh')).toBe(false);
    await expect(tinyEn.transcribe(zh.samples, { language: 'zh', purpose: 'final' })).rejects.toMatchObject({
      code: 'language-unsupported',
      message: expect.stringContaining('English-only'),
    });
  });

  it("reports a language for 'auto' (English-only models always say en)", async () => {
    const detected = await base.transcribe(jfk, { language: 'auto', purpose: 'partial' });
    expect(detected.language).toBe('en');
    const english = await tinyEn.transcribe(jfk, { language: 'auto', purpose: 'partial' });
    expect(english.language).toBe('en');
  });

  it('decodes a clip longer than the 30 s window whole', async () => {
    const long = new Float32Array(jfk.length * 3);
    for (let i = 0; i < 3; i++) long.set(jfk, i * jfk.length);
    const result = await tinyEn.transcribe(long, { language: 'en', purpose: 'final' });
    expectSaneSegments(result, 33_000);
    expect(wordErrorRate(`${jfkText} ${jfkText} ${jfkText}`, result.text)).toBeLessThan(0.2);
  });

  it('accepts clips shorter than the 1 s whisper.cpp minimum and empty ones', async () => {
    const short = await tinyEn.transcribe(jfk.subarray(0, 8_000), { language: 'en', purpose: 'partial' });
    expectSaneSegments(short, 500);
    const empty = await tinyEn.transcribe(new Float32Array(0), { language: 'en', purpose: 'partial' });
    expect(empty).toMatchObject({ segments: [], text: '' });
  });

  it('refuses audio that is not finite Float32 samples', async () => {
    const broken = new Float32Array(16_000);
    broken[42] = Number.NaN;
    await expect(tinyEn.transcribe(broken, { language: 'en', purpose: 'final' })).rejects.toMatchObject({ code: 'invalid-audio' });
  });

  it('rejects at once when aborted mid-decode, and closes only after the native work ended', async () => {
    const model = await resolveWhisperModel(modelsDir, 'tiny.en-q8_0');
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
    const scheduler = new DecodeScheduler(tinyEn);
    const decodesBefore = tinyEn.stats().decodes;
    const controller = new AbortController();
    const first = scheduler.decode({ key: 'turn-1', priority: 'final', pcm: jfk, language: 'en' });
    const second = scheduler.decode({ key: 'turn-2', priority: 'final', pcm: jfk, language: 'en', signal: controller.signal });
    controller.abort();
    await expect(second).rejects.toMatchObject({ name: 'AbortError' });
    const outcome = await first;
    expect(outcome.skipped).toBe(false);
    await scheduler.close();
    expect(tinyEn.stats().decodes - decodesBefore).toBe(1);
    expect(scheduler.stats().finals).toMatchObject({ completed: 1, aborted: 1 });
  });
});

describe('WhisperTranscriber accuracy on real speech', () => {
  it('writes Mandarin in simplified characters within 30 % character error rate on both AISHELL clips', async () => {
    for (const clip of ['wenet/aishell-BAC009S0724W0121', 'aishell-misc/BAC009S0764W0121']) {
      const zh = await readWavFile(path.join(audioDir, `${clip}.wav`));
      const reference = readFileSync(path.join(audioDir, `${clip}.txt`), 'utf8');
      const result = await base.transcribe(zh.samples, { language: 'zh', purpose: 'final' });
      // Simplified: nothing left for the converter to change (whisper alone wrote 廣州市 for 广州市 here).
      expect(toSimplifiedChinese(result.text), clip).toBe(result.text);
      for (const segment of result.segments) expect(toSimplifiedChinese(segment.text)).toBe(segment.text);
      expect(characterErrorRate(reference, result.text), `${clip}: ${result.text}`).toBeLessThan(0.3);
    }
  });


  it('transcribes jfk.wav with base within 10 % word error rate, in both encoder context modes', async () => {
    const full = await createWhisperTranscriber({ model: base.model, nThreads: 2, audioContext: 'full' });
    try {
      for (const transcriber of [base, full]) {
        const result = await transcriber.transcribe(jfk, { language: 'en', purpose: 'final' });
        expect(wordErrorRate(jfkText, result.text), result.text).toBeLessThan(0.1);
      }
    } finally {
      await full.close();
    }
  });
});
