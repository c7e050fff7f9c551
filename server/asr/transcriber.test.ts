import { describe, expect, it } from 'vitest';
import { FakeTranscriber } from './fake.ts';
import { audioContextFor, cleanWhisperText, joinSegmentTexts, looksRepetitive } from './transcriber.ts';

describe('cleanWhisperText', () => {
  it("drops whisper's non-speech markers and keeps the words", () => {
    expect(cleanWhisperText(' [BLANK_AUDIO]')).toBe('');
    expect(cleanWhisperText(' And so my fellow Americans [MUSIC] ask not ')).toBe('And so my fellow Americans ask not');
    expect(cleanWhisperText('(upbeat music) Hello there. ♪')).toBe('Hello there.');
    expect(cleanWhisperText('*laughs* Right, (inaudible) exactly')).toBe('Right, exactly');
    expect(cleanWhisperText('（笑）我们开始吧')).toBe('我们开始吧');
  });

  it('keeps parentheses that hold words rather than sounds', () => {
    expect(cleanWhisperText('I used Rust (and some Go) there')).toBe('I used Rust (and some Go) there');
  });

  it('removes subtitle-credit hallucinations', () => {
    expect(cleanWhisperText('字幕由Amara.org社区提供')).toBe('');
    expect(cleanWhisperText('Subtitles by the Amara.org community')).toBe('');
  });
});

describe('joinSegmentTexts', () => {
  it('puts spaces between English words but none between Chinese characters', () => {
    expect(joinSegmentTexts(['And so,', 'my fellow Americans'])).toBe('And so, my fellow Americans');
    expect(joinSegmentTexts(['广州市房地产', '中介协会分析'])).toBe('广州市房地产中介协会分析');
    expect(joinSegmentTexts(['我用', 'React', '写的'])).toBe('我用 React 写的');
  });
});

describe('audioContextFor', () => {
  it('sizes the encoder window to the clip plus margin, at least the floor, in multiples of 64', () => {
    expect(audioContextFor(2_000)).toBe(512);
    expect(audioContextFor(11_000)).toBe(704);
    expect(audioContextFor(20_000)).toBe(1152);
  });

  it('uses the full window for long clips and in full mode', () => {
    expect(audioContextFor(28_000)).toBe(0);
    expect(audioContextFor(45_000)).toBe(0);
    expect(audioContextFor(2_000, { mode: 'full', marginMs: 0, floorMs: 0 })).toBe(0);
    expect(audioContextFor(2_000, { mode: 'proportional', marginMs: 0, floorMs: 0 })).toBe(128);
  });
});

describe('looksRepetitive', () => {
  it('flags a decoder loop but not ordinary speech', () => {
    expect(looksRepetitive('I think so. '.repeat(20))).toBe(true);
    expect(looksRepetitive('And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.')).toBe(false);
    expect(looksRepetitive('yes yes')).toBe(false);
  });
});

describe('FakeTranscriber', () => {
  it('records calls and answers with scripted text', async () => {
    const fake = new FakeTranscriber({ respond: (call) => `clip of ${call.durationMs} ms` });
    const result = await fake.transcribe(new Float32Array(8_000), { language: 'en', purpose: 'final' });
    expect(result).toMatchObject({ text: 'clip of 500 ms', language: 'en', segments: [{ text: 'clip of 500 ms', startMs: 0, endMs: 500 }] });
    expect(fake.calls[0]!.options.purpose).toBe('final');
  });

  it('refuses zh when configured as an English-only model', async () => {
    const fake = new FakeTranscriber({ multilingual: false });
    expect(fake.supportsLanguage('zh')).toBe(false);
    await expect(fake.transcribe(new Float32Array(10), { language: 'zh', purpose: 'final' })).rejects.toMatchObject({ code: 'language-unsupported' });
  });
});
