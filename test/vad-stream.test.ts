import { describe, expect, it } from 'vitest';
import { FakeVadModelStream, energyProbability, scheduleProbability } from '../server/vad/fake.ts';
import { SpeechSegmenter, SegmenterOptionsError, type VadEvent } from '../server/vad/segmenter.ts';
import { VAD_WINDOW_SAMPLES, VadStream, type VadModelStream } from '../server/vad/vad-stream.ts';

const W = VAD_WINDOW_SAMPLES;
const SCHEDULE = [
  { startMs: 500, endMs: 2000 },
  { startMs: 3000, endMs: 3100 }, // 100 ms: a misfire
  { startMs: 4000, endMs: 6000 },
];

/** Splits `samples` into chunks of `size` samples (the last one shorter). */
function chunks(samples: Float32Array, size: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < samples.length; i += size) out.push(samples.subarray(i, i + size));
  return out;
}

async function pushAll(stream: VadStream, frames: Float32Array[]): Promise<VadEvent[]> {
  const events: VadEvent[] = [];
  for (const frame of frames) events.push(...(await stream.push(frame)));
  events.push(...(await stream.flush()));
  return events;
}

describe('VadStream (fake model)', () => {
  it('windows arbitrary chunks, carrying remainders, and gives the segmenter positions in samples', async () => {
    const model = new FakeVadModelStream(scheduleProbability(SCHEDULE));
    const stream = new VadStream(model);
    await stream.push(new Float32Array(700));
    expect(model.probabilities).toHaveLength(1);
    expect(stream.samplesSeen).toBe(700);
    await stream.push(new Float32Array(400));
    expect(model.probabilities).toHaveLength(2); // 1100 samples: two windows, 76 left over

    // The same schedule fed straight to the segmenter gives the same events.
    const audio = new Float32Array(7 * 16_000);
    const viaStream = await pushAll(new VadStream(new FakeVadModelStream(scheduleProbability(SCHEDULE))), chunks(audio, 160));
    const script = scheduleProbability(SCHEDULE);
    const segmenter = new SpeechSegmenter();
    const direct: VadEvent[] = [];
    const windows = Math.floor(audio.length / W);
    for (let i = 0; i < windows; i++) direct.push(...segmenter.process(script(audio, i, i * W), i * W));
    direct.push(...segmenter.flush(audio.length));
    expect(viaStream).toEqual(direct);
    expect(viaStream.map((e) => e.type)).toEqual(['speech-start', 'speech-end', 'misfire', 'speech-start', 'speech-end']);
  });

  it('gives identical events for 10 ms, 1 s and odd-sized chunks', async () => {
    const audio = new Float32Array(7 * 16_000);
    const run = (size: number): Promise<VadEvent[]> =>
      pushAll(new VadStream(new FakeVadModelStream(scheduleProbability(SCHEDULE))), chunks(audio, size));
    const reference = await run(16_000);
    expect(await run(160)).toEqual(reference);
    expect(await run(333)).toEqual(reference);
  });

  it('flush closes the open turn at samplesSeen, resets the model, and positions go on after it', async () => {
    const model = new FakeVadModelStream(() => 0.9);
    const stream = new VadStream(model);
    const events = await stream.push(new Float32Array(16_000 + 100));
    expect(events).toEqual([{ type: 'speech-start', startSample: 0, atSample: 8 * W }]);
    expect(stream.speaking).toBe(true);
    expect(await stream.flush()).toEqual([{ type: 'speech-end', startSample: 0, endSample: 16_100, atSample: 16_100, reason: 'flush' }]);
    expect(model.resets).toBe(1);
    const after = await stream.push(new Float32Array(8 * W));
    expect(after).toEqual([{ type: 'speech-start', startSample: 16_100, atSample: 16_100 + 8 * W }]);
  });

  it('runs overlapping pushes one after another, in order', async () => {
    let running = 0;
    let overlapped = false;
    const seen: number[] = [];
    const model: VadModelStream = {
      async process(window) {
        if (running++ > 0) overlapped = true;
        seen.push(window[0] ?? -1);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running--;
        return 0.1;
      },
      reset() {},
    };
    const stream = new VadStream(model);
    await Promise.all([1, 2, 3, 4].map((value) => stream.push(new Float32Array(W).fill(value))));
    expect(overlapped).toBe(false);
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('keeps unprocessed samples and decided events across an abort', async () => {
    const audio = new Float32Array(7 * 16_000);
    const reference = await pushAll(new VadStream(new FakeVadModelStream(scheduleProbability(SCHEDULE))), [audio]);

    const controller = new AbortController();
    const script = scheduleProbability(SCHEDULE);
    const stream = new VadStream(
      new FakeVadModelStream((window, index, start) => {
        if (index === 100) controller.abort(); // after the first turn's speech-start was decided
        return script(window, index, start);
      }),
    );
    await expect(stream.push(audio, { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(stream.samplesSeen).toBe(audio.length);
    const events = [...(await stream.push(new Float32Array(0))), ...(await stream.flush())];
    expect(events).toEqual(reference);
  });

  it('drops the one window a model error hit, keeps the stream usable and loses no decided event', async () => {
    const stream = new VadStream(
      new FakeVadModelStream((_window, index) => {
        if (index === 12) throw new Error('onnx exploded');
        return 0.9;
      }),
    );
    await expect(stream.push(new Float32Array(20 * W))).rejects.toThrow('onnx exploded');
    const events = [...(await stream.push(new Float32Array(10 * W))), ...(await stream.flush())];
    // speech-start (decided at window 8, before the error) is delivered; the lost window (32 ms < redemption) is bridged
    expect(events).toEqual([
      { type: 'speech-start', startSample: 0, atSample: 8 * W },
      { type: 'speech-end', startSample: 0, endSample: 30 * W, atSample: 30 * W, reason: 'flush' },
    ]);
  });

  it('rejects bad input and bad options with clear errors', () => {
    const stream = new VadStream(new FakeVadModelStream());
    const bad = new Float32Array(10);
    bad[3] = Number.NaN;
    expect(() => stream.push(bad)).toThrow(/sample 3 is NaN/);
    expect(() => stream.push([0, 1] as unknown as Float32Array)).toThrow(TypeError);
    expect(stream.samplesSeen).toBe(0);
    expect(() => new VadStream(new FakeVadModelStream(), { negativeSpeechThreshold: 0.9 })).toThrow(SegmenterOptionsError);
  });

  it('run() pulls frames and yields the same events as push and flush', async () => {
    const audio = new Float32Array(7 * 16_000);
    async function* frames(): AsyncGenerator<Float32Array> {
      yield* chunks(audio, 1600);
    }
    const yielded: VadEvent[] = [];
    for await (const event of new VadStream(new FakeVadModelStream(scheduleProbability(SCHEDULE))).run(frames())) yielded.push(event);
    expect(yielded).toEqual(await pushAll(new VadStream(new FakeVadModelStream(scheduleProbability(SCHEDULE))), [audio]));
  });

  it('energyProbability lets synthetic tone bursts stand in for speech', async () => {
    const audio = new Float32Array(3 * 16_000);
    for (let i = 16_000; i < 32_000; i++) audio[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16_000);
    const events = await pushAll(new VadStream(new FakeVadModelStream(energyProbability())), chunks(audio, 320));
    expect(events.map((e) => e.type)).toEqual(['speech-start', 'speech-end']);
    expect(events[0]?.startSample).toBe(16_000 - 4800 - (16_000 % W)); // first loud window starts at 15 872
    expect(events[1]).toMatchObject({ type: 'speech-end', reason: 'silence' });
  });
});
