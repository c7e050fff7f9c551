/**
 * Reopening a stored session goes through `session:resume` only: a frame for an interview the server does not run (here:
 * one a crashed server left 'live') is refused with `unknown-session`, and `session:resume` reopens it where its stored
 * progress says. A recording being processed (a file session in the same hub) is not a live session: deleting its
 * interview cancels it. Real server from `createApp` with real storage, Silero VAD and whisper.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataPaths } from '../server/store/paths.ts';
import { createRepository, type InterviewRepository } from '../server/store/repository.ts';
import { connectClient, stopSession, waitFor } from './helpers/socket-client.ts';
import { SHARED_AUDIO, startSpeechApp, type SpeechApp } from './helpers/speech-app.ts';

let dataDir: string;
let repository: InterviewRepository;
let speech: SpeechApp;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'viva-resume-'));
  const paths = dataPaths(dataDir);
  repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  speech = await startSpeechApp(undefined, { storage: { repository, dataDir, retentionTimer: false } });
}, 60_000);

afterAll(async () => {
  await speech?.close();
  repository?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a stored live interview', () => {
  it('is refused to audio:frame with unknown-session, and reopened by session:resume from its stored progress', async () => {
    // What a server killed mid-interview leaves behind: a 'live' interview with the point each channel resumes from.
    const interview = repository.createInterview({ language: 'en', mode: 'copilot', status: 'live', role: 'Backend engineer' });
    repository.saveChannelProgress(interview.id, 'candidate', 7, 7 * 1600);
    const { socket, events } = await connectClient(speech.port, speech.admin.socketAuth);
    const frame = (seq: number) => ({ sessionId: interview.id, channel: 'candidate' as const, seq, pcm: new Uint8Array(3200) });

    socket.emit('audio:frame', frame(7));
    await waitFor(events, (all) => all.some((event) => event.name === 'error'));
    expect(events.find((event) => event.name === 'error')?.payload).toMatchObject({ code: 'unknown-session', sessionId: interview.id });
    expect(speech.app.sessions.get(interview.id)).toBeUndefined();

    const resumed = await socket.timeout(10_000).emitWithAck('session:resume', { sessionId: interview.id });
    expect(resumed).toMatchObject({ ok: true, data: { sessionId: interview.id, channels: ['candidate'], nextSeq: { candidate: 7 } } });
    for (let seq = 7; seq < 12; seq++) socket.emit('audio:frame', frame(seq));
    const stopped = await stopSession(socket, interview.id);
    socket.disconnect();
    expect(stopped).toMatchObject({ ok: true, data: { stats: { candidate: { framesReceived: 5, framesRejected: 0 } } } });
    expect(events.filter((event) => event.name === 'error')).toHaveLength(1);
    expect(repository.getInterview(interview.id)?.status).toBe('stopped');
  }, 60_000);

  it('is not reopened once stopped', async () => {
    const interview = repository.createInterview({ language: 'en', mode: 'copilot', status: 'stopped' });
    repository.saveChannelProgress(interview.id, 'candidate', 3, 3 * 1600);
    const { socket } = await connectClient(speech.port, speech.admin.socketAuth);
    const resumed = await socket.timeout(10_000).emitWithAck('session:resume', { sessionId: interview.id });
    socket.disconnect();
    expect(resumed).toMatchObject({ ok: false, error: { code: 'unknown-session' } });
  });

  it('being processed from a recording is not a live session: no client can join it, and deleting it cancels the processing', async () => {
    const base = `http://127.0.0.1:${speech.port}/api`;
    const created = await speech.admin.fetch(`${base}/interviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ language: 'en' }) });
    const { id } = (await created.json()) as { id: string };
    const wav = readFileSync(path.join(SHARED_AUDIO, 'whisper.cpp-samples/jfk.wav'));
    const uploaded = await speech.admin.fetch(`${base}/interviews/${id}/recording`, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: new Blob([wav]) });
    expect(uploaded.status).toBe(202);
    // Nor can a client join it (and send frames into it) with session:resume.
    const { socket } = await connectClient(speech.port, speech.admin.socketAuth);
    const resumed = await socket.timeout(10_000).emitWithAck('session:resume', { sessionId: id });
    socket.disconnect();
    expect(resumed).toMatchObject({ ok: false, error: { code: 'unknown-session' } });
    const deleted = await speech.admin.fetch(`${base}/interviews/${id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect(repository.getInterview(id)).toBeNull();
  }, 60_000);
});
