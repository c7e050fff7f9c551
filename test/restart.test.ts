import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float32ToPcm16 } from '../protocol/audio.ts';
import { InterviewDetail } from '../protocol/interviews.ts';
import { startFakeLlmServer, type FakeLlmServer } from './fakes/fake-llm-server.ts';
import { tokenInDataDir, withToken } from './helpers/auth.ts';
import { connectClient, startSession, stopSession, waitFor } from './helpers/socket-client.ts';
import { ENGLISH_TEST_MODEL, MODELS_DIR, readSharedWav } from './helpers/speech-app.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
let dataDir: string;
/** An admin's API token in the data folder's database: both server processes accept it. */
let token: string;
let fakeLlm: FakeLlmServer;
const children: ChildProcess[] = [];

/** Starts `server/index.ts` as its own process (as `npm start` does) and resolves the port it listens on. */
async function startServerProcess(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      VIVA_MODELS_DIR: MODELS_DIR,
      VIVA_WHISPER_MODEL: ENGLISH_TEST_MODEL,
      VIVA_DATA_DIR: dataDir,
      VIVA_LLM_BASE_URL: fakeLlm.baseUrl,
      VIVA_LLM_MODEL: 'Qwen/Qwen2.5-7B-Instruct',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${log}`)), 60_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const match = /listening on http:\/\/[\d.]+:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  return { child, port };
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'viva-restart-'));
  ({ token } = await tokenInDataDir(dataDir));
  fakeLlm = await startFakeLlmServer({ models: ['Qwen/Qwen2.5-7B-Instruct'] });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fakeLlm?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a server killed mid-interview', () => {
  it('comes back with every acknowledged turn, continues the same interview, and duplicates none', async () => {
    const jfk = await readSharedWav('whisper.cpp-samples/jfk.wav');
    // The browser keeps every frame it sent for a while, so it can resend what the server never processed.
    const frames: ArrayBuffer[] = [];
    for (let offset = 0; offset < jfk.length; offset += 1600) frames.push(float32ToPcm16(jfk.subarray(offset, offset + 1600)).buffer as ArrayBuffer);

    const first = await startServerProcess();
    const client = await connectClient(first.port, { token });
    const sessionId = await startSession(client.socket, { language: 'en', sampleRate: 16_000, channels: ['candidate'] });
    const started = performance.now();
    let sent = 0;
    // Real-time pace until two turns are final on screen, then the process is killed without warning.
    while (sent < frames.length && client.events.filter((event) => event.name === 'transcript:final').length < 2) {
      client.socket.emit('audio:frame', { sessionId, channel: 'candidate', seq: sent, pcm: frames[sent] as ArrayBuffer });
      sent++;
      const wait = sent * 100 - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // On a loaded machine the finals may trail the audio: wait for them rather than kill too early.
    await waitFor(client.events, (events) => events.filter((event) => event.name === 'transcript:final').length >= 2, 60_000);
    const acknowledged = client.events.filter((event) => event.name === 'transcript:final').map((event) => event.payload.turnId as string);
    expect(acknowledged.length).toBeGreaterThanOrEqual(2);
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));
    client.socket.disconnect();

    const second = await startServerProcess();
    const resumed = await connectClient(second.port, { token });
    const reply = await resumed.socket.timeout(10_000).emitWithAck('session:resume', { sessionId });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    const nextSeq = reply.data.nextSeq.candidate ?? 0;
    // The server resumes at a point where no turn was open or waiting for its final.
    expect(nextSeq).toBeGreaterThan(0);
    expect(nextSeq).toBeLessThanOrEqual(sent);
    for (let seq = nextSeq; seq < frames.length; seq++) {
      resumed.socket.emit('audio:frame', { sessionId, channel: 'candidate', seq, pcm: frames[seq] as ArrayBuffer });
      if (seq % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const stopped = await stopSession(resumed.socket, sessionId);
    expect(stopped.ok).toBe(true);
    resumed.socket.disconnect();

    const response = await withToken(token)(`http://127.0.0.1:${second.port}/api/interviews/${sessionId}`);
    expect(response.status).toBe(200);
    const detail = InterviewDetail.parse(await response.json());
    const turns = detail.turns;
    // Every turn the first process acknowledged is stored.
    for (const turnId of acknowledged) expect(turns.map((turn) => turn.turnId)).toContain(turnId);
    // The same four phrases as an uninterrupted run, none heard twice (no overlapping time spans).
    expect(turns).toHaveLength(4);
    const sorted = [...turns].sort((a, b) => a.startMs - b.startMs);
    for (let index = 1; index < sorted.length; index++) expect(sorted[index]?.startMs ?? 0).toBeGreaterThanOrEqual(sorted[index - 1]?.endMs ?? 0);
    expect(detail.interview.status).toBe('stopped');
    second.child.kill('SIGTERM');
  }, 240_000);
});
