import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SEGMENTER_OPTIONS,
  SegmenterOptionsError,
  SpeechSegmenter,
  type SegmenterOptions,
  type VadEvent,
} from '../server/vad/segmenter.ts';

const W = 512; // samples per window at 16 kHz
const S = 0.9; // speech
const Q = 0.02; // silence
const A = 0.42; // ambiguous: between the default thresholds (0.35 and 0.5)

/** Repeats `probability` for `windows` windows. */
const run = (probability: number, windows: number): number[] => Array<number>(windows).fill(probability);

/** Feeds one probability per window from sample 0 and returns every event, then the flush events at the end. */
function segment(probabilities: number[], options: Partial<SegmenterOptions> = {}, flush = true): VadEvent[] {
  const segmenter = new SpeechSegmenter(options);
  const events = probabilities.flatMap((p, i) => segmenter.process(p, i * W));
  if (flush) events.push(...segmenter.flush(probabilities.length * W));
  return events;
}

describe('SpeechSegmenter', () => {
  it('announces a turn once it holds minSpeechMs of speech, with pre-pad, and ends it after redemptionMs of silence', () => {
    const events = segment([...run(Q, 20), ...run(S, 20), ...run(Q, 30)]);
    expect(events).toEqual([
      // speech from window 20 (10240) - 300 ms (4800); confirmed by the 8th speech window (250 ms -> 4000 samples)
      { type: 'speech-start', startSample: 10240 - 4800, atSample: 28 * W },
      // last speech window ends at 40*512; +100 ms post-pad; silence from 20480 needs 6400 samples -> 13 windows
      { type: 'speech-end', startSample: 10240 - 4800, endSample: 40 * W + 1600, atSample: 53 * W, reason: 'silence' },
    ]);
  });

  it('keeps an open turn through in-between probabilities (hysteresis) and counts redemption from the first silent window', () => {
    const events = segment([...run(S, 20), ...run(A, 60), ...run(Q, 20)]);
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    // ~1.9 s of in-between windows did not end the turn; silence starting at window 80 ended it 13 windows later
    expect(events[1]).toMatchObject({ endSample: 20 * W + 1600, atSample: 93 * W, reason: 'silence' });

    // Without hysteresis (both thresholds equal) the same probabilities end the turn during the in-between windows.
    const flat = segment([...run(S, 20), ...run(A, 60), ...run(Q, 20)], { negativeSpeechThreshold: 0.5 });
    expect(flat[1]).toMatchObject({ type: 'speech-end', atSample: 33 * W });
  });

  it('does not open a turn on in-between probabilities alone', () => {
    expect(segment([...run(Q, 5), ...run(A, 100), ...run(Q, 5)])).toEqual([]);
  });

  it('bridges a pause shorter than redemptionMs and splits on one that reaches it', () => {
    const short = segment([...run(S, 20), ...run(Q, 12), ...run(S, 20), ...run(Q, 20)]); // 384 ms pause
    expect(short.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);

    const long = segment([...run(S, 20), ...run(Q, 13), ...run(S, 20), ...run(Q, 20)]); // 416 ms pause
    expect(long.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'speech-start', 'speech-end']);
    // the second turn's pre-pad (300 ms) fits in the pause after the first turn's post-pad: not clamped
    expect(long[2]).toMatchObject({ startSample: 33 * W - 4800 });
  });

  it('never moves a start before sample 0 or before the previous turn end', () => {
    const atZero = segment([...run(Q, 2), ...run(S, 20), ...run(Q, 20)]);
    expect(atZero[0]).toMatchObject({ type: 'speech-start', startSample: 0 });

    const events = segment([...run(S, 20), ...run(Q, 13), ...run(S, 20), ...run(Q, 20)], { preSpeechPadMs: 1000 });
    const firstEnd = events[1];
    expect(firstEnd).toMatchObject({ type: 'speech-end', endSample: 20 * W + 1600 });
    // 33*512 - 16000 would overlap the first turn: clamped to its end
    expect(events[2]).toMatchObject({ type: 'speech-start', startSample: 20 * W + 1600 });
  });

  it('reports speech shorter than minSpeechMs as a misfire and never announces it', () => {
    const events = segment([...run(Q, 10), ...run(S, 7), ...run(Q, 30)]); // 224 ms < 250 ms
    expect(events).toEqual([{ type: 'misfire', startSample: 10 * W, endSample: 17 * W, atSample: 30 * W }]);

    // An unconfirmed blip does not linger on in-between windows: it dies redemptionMs after its last speech window.
    const lingering = segment([...run(S, 3), ...run(A, 100)]);
    expect(lingering).toEqual([{ type: 'misfire', startSample: 0, endSample: 3 * W, atSample: 16 * W }]);
  });

  it('confirms on the total of speech windows, across short dips', () => {
    const events = segment([...run(S, 4), ...run(Q, 3), ...run(S, 4), ...run(Q, 30)]);
    expect(events[0]).toEqual({ type: 'speech-start', startSample: 0, atSample: 11 * W });
    expect(events[1]).toMatchObject({ type: 'speech-end', endSample: 11 * W + 1600 });
  });

  it('splits a monologue longer than maxSpeechMs into contiguous turns', () => {
    const events = segment(run(S, 1000), { maxSpeechMs: 10_000, preSpeechPadMs: 0 }); // 32 s of speech
    const ends = events.filter((e) => e.type === 'speech-end');
    expect(ends.map((e) => e.reason)).toEqual(['max-speech', 'max-speech', 'max-speech', 'flush']);
    for (const end of ends) expect(end.endSample - end.startSample).toBeLessThanOrEqual(160_000);
    // contiguous: each turn starts exactly where the previous one was cut, so no audio is lost or repeated
    for (let i = 1; i < ends.length; i++) expect(ends[i]!.startSample).toBe(ends[i - 1]!.endSample);
    expect(ends[0]).toMatchObject({ startSample: 0, endSample: 312 * W }); // one more window would pass 160 000 samples
    expect(ends.at(-1)!.endSample).toBe(1000 * W);
  });

  it('splits at the latest dip when there is one in the second half of the turn', () => {
    const events = segment([...run(S, 250), ...run(A, 2), ...run(S, 100), ...run(Q, 20)], { maxSpeechMs: 10_000, preSpeechPadMs: 0 });
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'speech-start', 'speech-end']);
    expect(events[1]).toMatchObject({ endSample: 250 * W, reason: 'max-speech', atSample: 312 * W });
    expect(events[2]).toEqual({ type: 'speech-start', startSample: 250 * W, atSample: 312 * W });
  });

  it('ends a too-long turn without reopening it when the limit falls in a pause', () => {
    const events = segment([...run(S, 305), ...run(Q, 10), ...run(S, 20), ...run(Q, 20)], { maxSpeechMs: 10_000, preSpeechPadMs: 0 });
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'speech-start', 'speech-end']);
    expect(events[1]).toMatchObject({ endSample: 305 * W + 1600, atSample: 312 * W, reason: 'max-speech' });
    expect(events[2]).toMatchObject({ startSample: 315 * W });
  });

  it('flush closes an open turn, turns an unconfirmed candidate into a misfire, and is quiet in silence', () => {
    const open = segment([...run(Q, 5), ...run(S, 20), ...run(Q, 5)]);
    expect(open.at(-1)).toEqual({ type: 'speech-end', startSample: 0, endSample: 25 * W + 1600, atSample: 30 * W, reason: 'flush' });
    // the post-pad never reaches past the end of the stream
    expect(segment([...run(S, 20), ...run(Q, 1)]).at(-1)).toMatchObject({ endSample: 21 * W, atSample: 21 * W });

    const mid = new SpeechSegmenter();
    for (let i = 0; i < 20; i++) mid.process(S, i * W);
    expect(mid.flush(20 * W + 100)).toEqual([
      { type: 'speech-end', startSample: 0, endSample: 20 * W + 100, atSample: 20 * W + 100, reason: 'flush' },
    ]);
    expect(mid.speaking).toBe(false);

    expect(segment([...run(Q, 5), ...run(S, 3)]).at(-1)).toEqual({ type: 'misfire', startSample: 5 * W, endSample: 8 * W, atSample: 8 * W });
    expect(segment(run(Q, 50))).toEqual([]);
    expect(() => mid.flush(10)).toThrow(SegmenterOptionsError);
  });

  it('rejects invalid options loudly, naming them', () => {
    expect(() => new SpeechSegmenter({ positiveSpeechThreshold: 0.3, negativeSpeechThreshold: 0.4 })).toThrow(
      /negativeSpeechThreshold \(0\.4\) must be <= positiveSpeechThreshold \(0\.3\)/,
    );
    expect(() => new SpeechSegmenter({ positiveSpeechThreshold: 1.5 })).toThrow(/positiveSpeechThreshold must be a number in \[0, 1\]/);
    expect(() => new SpeechSegmenter({ negativeSpeechThreshold: -0.1 })).toThrow(/negativeSpeechThreshold/);
    expect(() => new SpeechSegmenter({ redemptionMs: -1 })).toThrow(/redemptionMs must be a finite number >= 0/);
    expect(() => new SpeechSegmenter({ minSpeechMs: Number.NaN })).toThrow(/minSpeechMs/);
    expect(() => new SpeechSegmenter({ preSpeechPadMs: Infinity })).toThrow(/preSpeechPadMs/);
    expect(() => new SpeechSegmenter({ postSpeechPadMs: 500 })).toThrow(/postSpeechPadMs \(500\) must be <= redemptionMs \(400\)/);
    expect(() => new SpeechSegmenter({ maxSpeechMs: 400 })).toThrow(/maxSpeechMs/);
    expect(() => new SpeechSegmenter({ windowSamples: 0 })).toThrow(/windowSamples/);
    expect(() => new SpeechSegmenter({ redemptionFrames: 8 } as Partial<SegmenterOptions>)).toThrow(/unknown option "redemptionFrames"/);
    // several problems are reported together
    expect(() => new SpeechSegmenter({ redemptionMs: -1, minSpeechMs: -1 })).toThrow(/redemptionMs.*minSpeechMs/);
    expect(new SpeechSegmenter({ maxSpeechMs: Infinity, negativeSpeechThreshold: 0.5 }).options.maxSpeechMs).toBe(Infinity);
    expect(new SpeechSegmenter({ redemptionMs: undefined }).options).toEqual(DEFAULT_SEGMENTER_OPTIONS);
  });

  it('rejects bad probabilities and windows that go back in time', () => {
    const segmenter = new SpeechSegmenter();
    expect(() => segmenter.process(Number.NaN, 0)).toThrow(/probability/);
    expect(() => segmenter.process(1.2, 0)).toThrow(/probability/);
    segmenter.process(0.1, 1024);
    expect(() => segmenter.process(0.1, 1024)).toThrow(/window start 1024 must be an integer >= the end of the previous window \(1536\)/);
    expect(() => segmenter.process(0.1, 2000.5)).toThrow(/window start/);
  });

  it('keeps its invariants on random probability streams', () => {
    let seed = 12345;
    const random = (): number => {
      // mulberry32: deterministic, so a failure replays
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (let trial = 0; trial < 200; trial++) {
      const options: Partial<SegmenterOptions> = {
        redemptionMs: Math.floor(random() * 800),
        preSpeechPadMs: Math.floor(random() * 1000),
        minSpeechMs: Math.floor(random() * 500),
        maxSpeechMs: random() < 0.5 ? Infinity : 2000 + Math.floor(random() * 5000),
      };
      options.postSpeechPadMs = Math.floor(random() * (options.redemptionMs ?? 0));
      const segmenter = new SpeechSegmenter(options);
      const events: VadEvent[] = [];
      let position = 0;
      let level = random();
      for (let i = 0; i < 600; i++) {
        if (random() < 0.1) level = random(); // piecewise-constant, with jitter, like real probabilities
        const p = Math.min(1, Math.max(0, level + (random() - 0.5) * 0.3));
        events.push(...segmenter.process(p, position));
        position += W + (random() < 0.02 ? Math.floor(random() * 300) : 0); // occasional gaps between windows
      }
      events.push(...segmenter.flush(position));

      let open: { startSample: number } | null = null;
      let previousEnd = 0;
      let previousAt = 0;
      let continuesSplit = false;
      let previousAtEnd = -1;
      for (const event of events) {
        expect(Number.isInteger(event.startSample) && Number.isInteger(event.atSample)).toBe(true);
        expect(event.atSample).toBeGreaterThanOrEqual(previousAt);
        previousAt = event.atSample;
        if (event.type === 'speech-start') {
          expect(open).toBeNull();
          expect(event.startSample).toBeGreaterThanOrEqual(previousEnd);
          if (continuesSplit && event.atSample === previousAtEnd) expect(event.startSample).toBe(previousEnd); // the consumer holds that audio already
          else expect(event.atSample - event.startSample).toBeLessThanOrEqual(segmenter.maxSpeechStartLagSamples);
          open = event;
        } else if (event.type === 'speech-end') {
          expect(open?.startSample).toBe(event.startSample);
          expect(event.endSample).toBeGreaterThan(event.startSample);
          expect(event.endSample).toBeLessThanOrEqual(event.atSample);
          previousEnd = event.endSample;
          continuesSplit = event.reason === 'max-speech';
          previousAtEnd = event.atSample;
          open = null;
          if (event.reason === 'max-speech' && Number.isFinite(segmenter.options.maxSpeechMs)) {
            expect(event.endSample - event.startSample).toBeLessThanOrEqual((segmenter.options.maxSpeechMs * 16_000) / 1000);
          }
        } else {
          expect(open).toBeNull();
          continuesSplit = false;
          expect(event.endSample).toBeLessThanOrEqual(event.atSample);
        }
      }
      expect(open).toBeNull();
    }
  });
});
