import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DecodeScheduler } from '../server/asr/scheduler.ts';
import { fixtureTextAt, fixtureTranscriber, locateClip } from './fakes/fixture-transcriber.ts';
import { AUDIO_FIXTURES_DIR, loadAudioFixture, type AudioFixture } from './helpers/audio-fixtures.ts';
import { connectClient, startSession, stopSession, streamAudio, type ReceivedEvent } from './helpers/socket-client.ts';
import { ENGLISH_TEST_MODEL, startSpeechApp, type SpeechApp } from './helpers/speech-app.ts';
import { wordErrorRate } from './helpers/transcript-accuracy.ts';

// Real decodes on a shared 2-core machine: generous time, never asserted.
vi.setConfig({ testTimeout: 180_000 });

interface FinalFields {
  channel: string;
  text: string;
  startMs: number;
  endMs: number;
}

let interview: AudioFixture;
let mandarin: AudioFixture;

beforeAll(async () => {
  interview = await loadAudioFixture('interview-en');
  mandarin = await loadAudioFixture('interview-zh');
});

function finalsOf(events: ReceivedEvent[]): FinalFields[] {
  return events.filter((event) => event.name === 'transcript:final').map((event) => event.payload as unknown as FinalFields);
}

/** Streams the fixture's two speaker tracks as the two channels of one live session; returns the finals. */
async function streamInterview(speech: SpeechApp, fixture: AudioFixture, speed: number): Promise<FinalFields[]> {
  const { socket, events } = await connectClient(speech.port, speech.admin.socketAuth);
  const sessionId = await startSession(socket, { language: fixture.sidecar.language, sampleRate: 16_000, channels: ['interviewer', 'candidate'] });
  await Promise.all(
    (['interviewer', 'candidate'] as const).map((channel) => streamAudio(socket, sessionId, channel, fixture.channels[channel]!, { speed, frameMs: 100 })),
  );
  const stopped = await stopSession(socket, sessionId);
  socket.disconnect();
  expect(stopped.ok).toBe(true);
  return finalsOf(events).sort((a, b) => a.startMs - b.startMs);
}

/** Each final lines up with the sidecar segment of its channel (VAD pads and redemption: a few hundred ms). */
function expectTurnsMatchSegments(finals: FinalFields[], fixture: AudioFixture): void {
  const segments = fixture.sidecar.segments;
  expect(finals.map((final) => final.channel)).toEqual(segments.map((segment) => segment.channel));
  finals.forEach((final, index) => {
    const segment = segments[index]!;
    expect(final.startMs).toBeGreaterThan(segment.startMs - 450);
    expect(final.startMs).toBeLessThan(segment.startMs + 200);
    expect(final.endMs).toBeGreaterThan(segment.endMs - 200);
    expect(final.endMs).toBeLessThan(segment.endMs + 600);
  });
}

describe('audio-fixtures/', () => {
  it('holds small 16 kHz clips, each with a consistent sidecar naming its source and licence', async () => {
    const files = await readdir(AUDIO_FIXTURES_DIR);
    for (const file of files.filter((name) => name.endsWith('.wav'))) {
      expect((await stat(path.join(AUDIO_FIXTURES_DIR, file))).size, file).toBeLessThan(300_000);
    }
    for (const fixture of [interview, mandarin]) {
      const { sidecar } = fixture;
      expect(sidecar.source).toMatch(/espeak-ng/);
      expect(sidecar.licence).not.toBe('');
      expect(sidecar.text).toBe(sidecar.segments.map((segment) => segment.text).join(' '));
      expect(Math.abs((fixture.mixed.length / 16) - sidecar.durationMs)).toBeLessThan(2);
      sidecar.segments.forEach((segment, index) => {
        expect(segment.endMs).toBeGreaterThan(segment.startMs);
        expect(segment.startMs).toBeGreaterThanOrEqual(sidecar.segments[index - 1]?.endMs ?? 0);
        expect(segment.endMs).toBeLessThanOrEqual(sidecar.durationMs);
      });
      for (const track of Object.values(fixture.channels)) expect(track.length).toBe(fixture.mixed.length);
    }
  });

  it('is heard by the real VAD and whisper as its sidecar says: one turn per segment, on the right channel, with its words', async () => {
    const speech = await startSpeechApp(ENGLISH_TEST_MODEL);
    try {
      const finals = await streamInterview(speech, interview, 4);
      expectTurnsMatchSegments(finals, interview);
      const text = finals.map((final) => final.text).join(' ');
      // Synthetic voices: tiny.en hears most words ("built a payment queue" comes out garbled); the key words are there.
      expect(wordErrorRate(interview.sidecar.text, text), text).toBeLessThan(0.4);
      for (const word of ['system', 'kafka', 'test', 'night']) expect(text.toLowerCase()).toContain(word);
    } finally {
      await speech.close();
    }
  });
});

describe('the fixture transcriber (tests that must not depend on whisper)', () => {
  let speech: Awaited<ReturnType<typeof startSpeechApp>>;
  afterAll(async () => {
    await speech?.close();
  });

  it('answers each turn of a live session with the sidecar text at its audio time, even with slow scripted decodes', async () => {
    const fake = fixtureTranscriber(interview, { delayMs: 700 });
    speech = await startSpeechApp(ENGLISH_TEST_MODEL, { decoder: new DecodeScheduler(fake) });
    const finals = await streamInterview(speech, interview, 4);
    expectTurnsMatchSegments(finals, interview);
    expect(finals.map((final) => final.text)).toEqual(interview.sidecar.segments.map((segment) => segment.text));
    expect(fake.calls.length).toBeGreaterThanOrEqual(finals.length);
  });

  it('places a clip by its samples and answers partials with the words spoken so far', () => {
    const [first, second] = interview.sidecar.segments;
    const cut = (samples: Float32Array, startMs: number, endMs: number) => samples.subarray(startMs * 16, endMs * 16);
    // Half of the first question, cut from the interviewer's track: the first half of its words.
    const half = Math.round((first!.startMs + first!.endMs) / 2);
    const located = locateClip(interview, cut(interview.channels.interviewer!, first!.startMs - 150, half));
    expect(located).toMatchObject({ track: 'interviewer', startMs: first!.startMs - 150 });
    expect(fixtureTextAt(interview, located!, 'partial')).toBe('Tell me about a');
    // A clip of the mix over the first two segments: both, in order.
    const both = locateClip(interview, cut(interview.mixed, first!.startMs - 100, second!.endMs + 100))!;
    expect(both.track).toBe('mixed');
    expect(fixtureTextAt(interview, both, 'final')).toBe(`${first!.text} ${second!.text}`);
    // Silence and foreign audio are nobody's words.
    expect(locateClip(interview, new Float32Array(16_000))).toBeUndefined();
    expect(locateClip(interview, mandarin.mixed.subarray(8000, 24_000))).toBeUndefined();
  });
});
