import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, startSession, stopSession, streamAudio, waitFor, type ReceivedEvent } from './helpers/socket-client.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ENGLISH_TEST_MODEL, SHARED_AUDIO, readSharedWav, startSpeechApp, type SpeechApp } from './helpers/speech-app.ts';
import { wordErrorRate } from './helpers/transcript-accuracy.ts';

// The real server: real Socket.IO on an ephemeral port, real Silero VAD (ONNX Runtime), real whisper.cpp binding with
// real English weights (tiny.en-q8_0): transcript text is asserted with a word-error-rate bound, never exactly.

let speech: SpeechApp;
let jfk: Float32Array;
let jfkText: string;

beforeAll(async () => {
  speech = await startSpeechApp(ENGLISH_TEST_MODEL);
  jfk = await readSharedWav('whisper.cpp-samples/jfk.wav');
  jfkText = await readFile(path.join(SHARED_AUDIO, 'whisper.cpp-samples/jfk.txt'), 'utf8');
});

afterAll(async () => {
  await speech?.close();
});

const FRAME_MS = 100;
const framesIn = (samples: Float32Array) => Math.ceil(samples.length / ((16_000 * FRAME_MS) / 1000));

/** The fields tests read from any server event (each event has the ones that apply to it). */
interface EventFields {
  turnId: string;
  channel: string;
  text: string;
  code: string;
  message: string;
  startMs: number;
  endMs: number;
  atMs: number;
}

function named(events: ReceivedEvent[], name: ReceivedEvent['name']): EventFields[] {
  return events.filter((event) => event.name === name).map((event) => event.payload as unknown as EventFields);
}

/** Per turn: speech:start, then only partials of that turn, then speech:end, then its final (partials never after it). */
function assertTurnSequence(events: ReceivedEvent[], channel: string) {
  const mine = events.filter((event) => event.payload.channel === channel);
  const finals = named(mine, 'transcript:final');
  const starts = named(mine, 'speech:start');
  const ends = named(mine, 'speech:end');
  expect(starts).toHaveLength(finals.length);
  expect(ends).toHaveLength(finals.length);
  finals.forEach((final, turn) => {
    const start = starts[turn];
    const end = ends[turn];
    expect(start?.atMs).toBe(final.startMs);
    expect(end?.atMs).toBe(final.endMs);
    expect(final.endMs).toBeGreaterThan(final.startMs);
    const finalIndex = mine.findIndex((event) => event.name === 'transcript:final' && event.payload.turnId === final.turnId);
    const endIndex = mine.findIndex((event) => event.name === 'speech:end' && event.payload.atMs === final.endMs);
    expect(finalIndex).toBeGreaterThan(endIndex);
    const partialIndexes = mine.flatMap((event, index) => (event.name === 'transcript:partial' && event.payload.turnId === final.turnId ? [index] : []));
    for (const index of partialIndexes) expect(index).toBeLessThan(finalIndex);
  });
  // Monotonic audio times across turns.
  for (let turn = 1; turn < finals.length; turn++) expect(finals[turn]?.startMs ?? -1).toBeGreaterThanOrEqual(finals[turn - 1]?.endMs ?? 0);
  return finals;
}

describe('live transcript over Socket.IO with the real VAD and whisper', () => {
  it('streams jfk.wav at real-time pace: four turns, each speech:start → partials → speech:end → final with its words, no frame lost', async () => {
    const { socket, events } = await connectClient(speech.port, speech.admin.socketAuth);
    const sessionId = await startSession(socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    const sent = await streamAudio(socket, sessionId, 'candidate', jfk, { speed: 1, frameMs: FRAME_MS });
    const stopped = await stopSession(socket, sessionId);
    socket.disconnect();

    expect(stopped.ok).toBe(true);
    if (!stopped.ok) return;
    const finals = assertTurnSequence(events, 'candidate');
    // Silero hears four phrases: ~[0.3-2.3], [3.3-4.5], [5.4-7.7], [8.2-10.6] s.
    expect(finals).toHaveLength(4);
    const expected: [number, number][] = [
      [300, 2300],
      [3300, 4500],
      [5400, 7700],
      [8200, 10600],
    ];
    finals.forEach((final, turn) => {
      const [start, end] = expected[turn] ?? [0, 0];
      // Pre-speech pad (300 ms) + a 32 ms window + reference rounding; the last turn runs on to the end of the file.
      expect(final.startMs).toBeGreaterThan(start - 450);
      expect(final.startMs).toBeLessThan(start + 150);
      expect(final.endMs).toBeGreaterThan(end - 150);
      expect(final.endMs).toBeLessThan(turn === 3 ? 11_100 : end + 300);
    });
    // The four finals read as the reference transcript.
    const text = finals.map((final) => final.text).join(' ');
    expect(wordErrorRate(jfkText, text), text).toBeLessThan(0.15);
    // At real-time pace the open turns are re-decoded for partial transcripts. How many reach the screen depends on how
    // fast the machine decodes (a partial that would land after its final is dropped): count the attempts.
    const candidateStats = stopped.data.stats.candidate;
    expect((candidateStats?.partialsPublished ?? 0) + (candidateStats?.partialsSkipped ?? 0)).toBeGreaterThanOrEqual(1);
    expect(named(events, 'transcript:partial')).toHaveLength(candidateStats?.partialsPublished ?? -1);
    expect(sent).toBe(framesIn(jfk));
    expect(stopped.data.stats.candidate).toMatchObject({ framesReceived: sent, framesDropped: 0, framesRejected: 0, gaps: 0, turns: 4 });
    expect(stopped.data.stats.candidate?.audioMs).toBeCloseTo((sent * FRAME_MS), -2);
    expect(named(events, 'error')).toEqual([]);
  }, 60_000);

  it('streams faster than real time on two channels at once and keeps every frame and turn', async () => {
    const interviewerAudio = await readSharedWav('librivox-sense-and-sensibility/sense_and_sensibility_01_austen_64kb-0880.wav');
    const { socket, events } = await connectClient(speech.port, speech.admin.socketAuth);
    const sessionId = await startSession(socket, { language: 'en', sampleRate: 16_000, channels: ['interviewer', 'candidate'] });
    const [sentInterviewer, sentCandidate] = await Promise.all([
      streamAudio(socket, sessionId, 'interviewer', interviewerAudio, { speed: 8, frameMs: 20 }),
      streamAudio(socket, sessionId, 'candidate', jfk, { speed: Infinity, frameMs: 250 }),
    ]);
    const stopped = await stopSession(socket, sessionId);
    socket.disconnect();
    expect(stopped.ok).toBe(true);
    if (!stopped.ok) return;
    expect(assertTurnSequence(events, 'candidate')).toHaveLength(4);
    expect(assertTurnSequence(events, 'interviewer').length).toBeGreaterThanOrEqual(1);
    expect(stopped.data.stats.candidate).toMatchObject({ framesReceived: sentCandidate, framesDropped: 0, gaps: 0 });
    expect(stopped.data.stats.interviewer).toMatchObject({ framesReceived: sentInterviewer, framesDropped: 0, gaps: 0 });
  }, 60_000);

  it('refuses a malformed frame with an error to the sender, and the interview goes on', async () => {
    const { socket, events } = await connectClient(speech.port, speech.admin.socketAuth);
    const sessionId = await startSession(socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    const sent = await streamAudio(socket, sessionId, 'candidate', jfk, {
      speed: Infinity,
      onFrame: (seq) => {
        if (seq === 30) {
          socket.emit('audio:frame', { sessionId, channel: 'candidate', seq: 10_000, pcm: new Uint8Array(7).buffer });
          socket.emit('audio:frame', { sessionId, channel: 'candidate', seq: -1, pcm: 'not audio' } as never);
        }
      },
    });
    const stopped = await stopSession(socket, sessionId);
    socket.disconnect();
    const errors = named(events, 'error');
    expect(errors.map((error) => error.code)).toEqual(['invalid-frame', 'invalid-frame']);
    expect(errors[0]?.message).toMatch(/even number of bytes/);
    expect(errors[1]?.message).toMatch(/seq|pcm/);
    // The refused frames neither advanced the sequence nor opened a gap: the stream stayed whole, four turns all the same.
    expect(stopped.ok && stopped.data.stats.candidate).toMatchObject({ framesRejected: 1, gaps: 0, framesReceived: sent });
    expect(assertTurnSequence(events, 'candidate')).toHaveLength(4);
    expect(sent).toBe(framesIn(jfk));
  }, 60_000);

  it('refuses a wrong sample rate or unknown channel at session:start with a message saying what to do', async () => {
    const { socket } = await connectClient(speech.port, speech.admin.socketAuth);
    const reply = await socket.timeout(5000).emitWithAck('session:start', { language: 'en', sampleRate: 44_100 as 16_000, channels: ['candidate'] });
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('invalid-payload');
      expect(reply.error.message).toMatch(/16000.*resample/);
    }
    const badChannel = await socket.timeout(5000).emitWithAck('session:start', { language: 'en', sampleRate: 16_000, channels: ['audience' as 'candidate'] });
    expect(badChannel.ok).toBe(false);
    socket.disconnect();
  });

  it('a client that reconnects resumes the session and resends from nextSeq without losing or repeating a turn', async () => {
    const first = await connectClient(speech.port, speech.admin.socketAuth);
    const sessionId = await startSession(first.socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    const half = Math.floor(jfk.length / 2);
    const sentFirst = await streamAudio(first.socket, sessionId, 'candidate', jfk.subarray(0, half), { speed: Infinity });
    // The connection drops with frames still in the client's send buffer: they are lost, and the server says where to resend from.
    first.socket.disconnect();
    const second = await connectClient(speech.port, speech.admin.socketAuth);
    const resumed = await second.socket.timeout(5000).emitWithAck('session:resume', { sessionId });
    expect(resumed.ok).toBe(true);
    if (!resumed.ok) return;
    const nextSeq = resumed.data.nextSeq.candidate ?? 0;
    expect(nextSeq).toBeGreaterThan(0);
    expect(nextSeq).toBeLessThanOrEqual(sentFirst);
    // Resend the last two frames anyway (as a client unsure of delivery would): they are recognised as duplicates.
    const frameSamples = 1600;
    const resendFrom = (nextSeq - 2) * frameSamples;
    await streamAudio(second.socket, sessionId, 'candidate', jfk.subarray(resendFrom), { speed: Infinity, firstSeq: nextSeq - 2 });
    const stopped = await stopSession(second.socket, sessionId);
    second.socket.disconnect();
    expect(stopped.ok).toBe(true);
    if (!stopped.ok) return;
    expect(stopped.data.stats.candidate).toMatchObject({ framesDuplicate: 2, gaps: 0, framesDropped: 0 });
    const allFinals = [...named(first.events, 'transcript:final'), ...named(second.events, 'transcript:final')];
    expect(new Set(allFinals.map((final) => final.turnId)).size).toBe(allFinals.length);
    expect(allFinals).toHaveLength(4);
    expect(stopped.data.stats.candidate?.audioMs).toBeCloseTo((jfk.length / 16_000) * 1000, -2);
  }, 60_000);

  it('an unknown session gets a clear error instead of silence', async () => {
    const { socket, events } = await connectClient(speech.port, speech.admin.socketAuth);
    socket.emit('audio:frame', { sessionId: 'nope', channel: 'candidate', seq: 0, pcm: new Uint8Array(3200).buffer });
    await waitFor(events, (all) => all.some((event) => event.name === 'error'), 5000);
    expect(named(events, 'error')[0]).toMatchObject({ code: 'unknown-session' });
    const stop = await stopSession(socket, 'nope', 5000);
    expect(stop).toMatchObject({ ok: false, error: { code: 'unknown-session' } });
    socket.disconnect();
  });
});
