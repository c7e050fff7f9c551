import { describe, expect, it } from 'vitest';
import type { SessionEvent } from './events.ts';
import { Session, SOCKET_SOURCE } from './session.ts';
import type { DecodeOutcome, TurnDecoder } from '../asr/turn-decoder.ts';
import type { TurnVad, TurnVadEvent } from '../vad/turn-vad.ts';

/** A VAD that calls speech wherever the sample value is non-zero (test audio is 0 or 0.5), in 10 ms steps. */
class ThresholdVad implements TurnVad {
  private position = 0;
  private speechStart: number | undefined;
  private silentSamples = 0;
  constructor(private readonly endAfterSilentSamples = 3200) {}
  async push(samples: Float32Array): Promise<TurnVadEvent[]> {
    const events: TurnVadEvent[] = [];
    for (let i = 0; i < samples.length; i += 160) {
      const loud = (samples[i] ?? 0) !== 0;
      const at = this.position + i;
      if (loud) {
        this.silentSamples = 0;
        if (this.speechStart === undefined) {
          this.speechStart = at;
          events.push({ type: 'speech-start', startSample: at, atSample: at });
        }
      } else if (this.speechStart !== undefined) {
        this.silentSamples += 160;
        if (this.silentSamples >= this.endAfterSilentSamples) {
          events.push({ type: 'speech-end', startSample: this.speechStart, endSample: at - this.silentSamples + 160, atSample: at });
          this.speechStart = undefined;
        }
      }
    }
    this.position += samples.length;
    return events;
  }
  async flush(): Promise<TurnVadEvent[]> {
    if (this.speechStart === undefined) return [];
    const event: TurnVadEvent = { type: 'speech-end', startSample: this.speechStart, endSample: this.position, atSample: this.position };
    this.speechStart = undefined;
    return [event];
  }
}

/** Decodes to "<n samples>" after a short delay, one at a time, recording the calls. */
class RecordingDecoder implements TurnDecoder {
  calls: { key: string; priority: string; samples: number }[] = [];
  async decode(job: Parameters<TurnDecoder['decode']>[0]): Promise<DecodeOutcome> {
    this.calls.push({ key: job.key, priority: job.priority, samples: job.pcm.length });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const durationMs = (job.pcm.length / 16_000) * 1000;
    return { text: `${job.priority} ${job.pcm.length}`, language: 'en', decodeMs: 5, segments: [{ text: 'x', startMs: 0, endMs: durationMs }] };
  }
}

/** Subscribes to a session's events and records them under their wire names (`transcript-final` → `transcript:final`). */
function recordEvents(session: Session): { name: string; payload: Record<string, unknown> }[] {
  const events: { name: string; payload: Record<string, unknown> }[] = [];
  session.events.subscribe({
    name: 'test',
    handle: (event: SessionEvent) => {
      const { type, ...payload } = event;
      events.push({ name: type.replace('-', ':'), payload });
    },
  });
  return events;
}

/** 100 ms PCM16 frames: `loud` ones hold a constant 0.5 signal, the rest silence. */
function frame(loud: boolean): Uint8Array {
  const bytes = new Uint8Array(3200);
  if (loud) {
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 1600; i++) view.setInt16(i * 2, 16384, true);
  }
  return bytes;
}

function makeSession(decoder = new RecordingDecoder(), queueCapacity = 600) {
  const session = new Session('s1', 'en', ['candidate'], {}, { createVad: () => new ThresholdVad(), decoder, source: SOCKET_SOURCE, partialIntervalMs: 1000, queueCapacity });
  const events = recordEvents(session);
  return { session, events, decoder };
}

describe('Session', () => {
  it('turns speech into speech:start → partials → speech:end → final, and stop waits for the final', async () => {
    const { session, events } = makeSession();
    // 0.5 s silence, 2.5 s speech, 0.5 s silence, 1 s speech (closed by stop).
    const script = [...Array(5).fill(false), ...Array(25).fill(true), ...Array(5).fill(false), ...Array(10).fill(true)];
    // Paced (10 ms per 100 ms frame) so partial decodes can finish while the turn is still open.
    for (const [seq, loud] of script.entries()) {
      expect(session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(loud) })).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const result = await session.stop();

    // Audio arrived faster than real time, so the second turn may open before the first final is out; per turn the order holds.
    const names = events.map((e) => e.name);
    expect(names.filter((n) => n.startsWith('speech:'))).toEqual(['speech:start', 'speech:end', 'speech:start', 'speech:end']);
    const ends = names.flatMap((n, i) => (n === 'speech:end' ? [i] : []));
    const finalIndexes = names.flatMap((n, i) => (n === 'transcript:final' ? [i] : []));
    expect(finalIndexes).toHaveLength(2);
    finalIndexes.forEach((index, turn) => expect(index).toBeGreaterThan(ends[turn] ?? Infinity));
    const finals = events.filter((e) => e.name === 'transcript:final').map((e) => e.payload);
    expect(finals[0]).toMatchObject({ startMs: 500, endMs: 3000, channel: 'candidate', text: 'final 40000' });
    expect(finals[1]).toMatchObject({ startMs: 3500, endMs: 4500 });
    // Partials belong to the first (long) turn and come before its final.
    const firstFinalIndex = events.findIndex((e) => e.name === 'transcript:final');
    const partials = events.map((e, i) => ({ ...e, i })).filter((e) => e.name === 'transcript:partial');
    expect(partials.length).toBeGreaterThanOrEqual(1);
    for (const partial of partials.filter((p) => p.payload.turnId === finals[0]?.turnId)) expect(partial.i).toBeLessThan(firstFinalIndex);
    expect(result.stats.candidate).toMatchObject({ framesReceived: 45, turns: 2, framesDropped: 0, gaps: 0, audioMs: 4500 });
  });

  it('reports a sequence gap, fills it with silence so the turn is not glued across the hole', async () => {
    const { session, events } = makeSession();
    for (let seq = 0; seq < 10; seq++) session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(true) });
    // Frames 10..19 never arrive.
    for (let seq = 20; seq < 25; seq++) session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(true) });
    const result = await session.stop();
    const gap = events.find((e) => e.name === 'audio:gap');
    expect(gap?.payload).toMatchObject({ expectedSeq: 10, receivedSeq: 20, missingFrames: 10, atMs: 1000 });
    const finals = events.filter((e) => e.name === 'transcript:final').map((e) => e.payload);
    expect(finals.map((f) => [f.startMs, f.endMs])).toEqual([
      [0, 1000],
      [2000, 2500],
    ]);
    expect(result.stats.candidate).toMatchObject({ gaps: 1, missingFrames: 10, audioMs: 2500 });
  });

  it('refuses a malformed frame with a reason and carries on', async () => {
    const { session, events } = makeSession();
    session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq: 0, pcm: frame(true) });
    const error = session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq: 1, pcm: new Uint8Array(5) });
    expect(error).toMatchObject({ code: 'invalid-frame', seq: 1 });
    expect(session.acceptFrame({ sessionId: 's1', channel: 'interviewer', seq: 0, pcm: frame(true) })).toMatchObject({ code: 'invalid-frame' });
    for (let seq = 2; seq < 12; seq++) expect(session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(true) })).toBeUndefined();
    const result = await session.stop();
    expect(result.stats.candidate).toMatchObject({ framesReceived: 11, framesRejected: 1, turns: 1 });
    expect(events.filter((e) => e.name === 'transcript:final')).toHaveLength(1);
    expect(session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq: 12, pcm: frame(true) })).toMatchObject({ code: 'session-stopped' });
  });

  it('drops and counts frames when the queue is full, telling the sender', async () => {
    const { session } = makeSession(new RecordingDecoder(), 3);
    const errors = [];
    for (let seq = 0; seq < 10; seq++) {
      const error = session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(false) });
      if (error) errors.push(error);
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: 'queue-overflow' });
    const result = await session.stop();
    expect(result.stats.candidate?.framesDropped).toBe(errors.length);
  });

  it('ignores frames resent after a reconnect', async () => {
    const { session } = makeSession();
    for (let seq = 0; seq < 5; seq++) session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(true) });
    for (let seq = 3; seq < 8; seq++) session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(true) });
    expect(session.nextSeq()).toEqual({ candidate: 8 });
    const result = await session.stop();
    expect(result.stats.candidate).toMatchObject({ framesReceived: 8, framesDuplicate: 2, audioMs: 800 });
  });

  it('stores the resume point about once a second while quiet, and right away when a final moves it past a turn', async () => {
    const progress: { nextSeq: number; samplesReceived: number }[] = [];
    const session = new Session('s1', 'en', ['candidate'], {}, {
      createVad: () => new ThresholdVad(),
      decoder: new RecordingDecoder(),
      source: SOCKET_SOURCE,
      partialIntervalMs: 1000,
    });
    session.events.subscribe({
      name: 'progress',
      handle: (event) => {
        if (event.type === 'channel-progress') progress.push({ nextSeq: event.nextSeq, samplesReceived: event.samplesReceived });
        if (event.type !== 'transcript-final') return;
        // The final carries the point it moved the channel to: stored with the turn.
        progress.push({ nextSeq: -1, samplesReceived: -1 });
        if (event.resumePoint) progress.push({ ...event.resumePoint });
      },
    });
    // 10 s of silence, then 0.5 s of speech and 0.3 s of silence (100 ms frames).
    const script = [...Array(100).fill(false), ...Array(5).fill(true), ...Array(3).fill(false)];
    for (const [seq, loud] of script.entries()) {
      session.acceptFrame({ sessionId: 's1', channel: 'candidate', seq, pcm: frame(loud) });
      if (seq % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    while (!progress.some((p) => p.nextSeq < 0)) await new Promise((resolve) => setTimeout(resolve, 5));
    const writes = progress.filter((p) => p.nextSeq >= 0);
    // 10.8 s of audio: about one write per second of movement, not one per frame.
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.length).toBeLessThanOrEqual(12);
    // With no audio after it, the final alone moved the stored point past its turn (which ended at 10.5 s), though that is
    // less than a second's movement: a restart never hears the turn again.
    expect(writes.at(-1)?.samplesReceived ?? 0).toBeGreaterThanOrEqual(10.5 * 16_000);
    for (let i = 1; i < writes.length; i++) expect(writes[i]?.samplesReceived ?? 0).toBeGreaterThanOrEqual(writes[i - 1]?.samplesReceived ?? 0);
    await session.stop();
  });
});
