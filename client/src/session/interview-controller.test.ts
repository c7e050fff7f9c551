import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel, ClientToServerEvents, ServerToClientEvents, SessionStartRequest } from '../../../protocol/index.ts';
import { FakeCapture } from '../audio/audio-capture.ts';
import { initialInterviewState, interviewReducer, type InterviewAction, type InterviewState } from '../state/interview-reducer.ts';
import { InterviewController, type VivaSocket } from './interview-controller.ts';
import { LevelStore } from './level-store.ts';

/** A small protocol-speaking server: records what arrives and answers acks the way the real one does. */
class ProtocolServer {
  readonly http: HttpServer = createServer();
  readonly io = new Server<ClientToServerEvents, ServerToClientEvents>(this.http);
  readonly starts: SessionStartRequest[] = [];
  readonly resumes: string[] = [];
  readonly frames: { channel: Channel; seq: number; bytes: number }[] = [];
  readonly nextSeq: Partial<Record<Channel, number>> = {};
  readonly retries: string[] = [];
  stops = 0;
  startReply: 'ok' | 'refuse' = 'ok';
  forgetSessions = false;
  socket: ServerSocket<ClientToServerEvents, ServerToClientEvents> | null = null;

  async listen(): Promise<number> {
    this.io.on('connection', (socket) => {
      this.socket = socket;
      socket.on('session:start', (request, ack) => {
        this.starts.push(request);
        if (this.startReply === 'refuse') ack({ ok: false, error: { code: 'invalid-payload', message: 'context.rubric: too many dimensions' } });
        else ack({ ok: true, data: { sessionId: 's1' } });
      });
      socket.on('audio:frame', (frame) => {
        const bytes = frame.pcm instanceof ArrayBuffer ? frame.pcm.byteLength : frame.pcm.length;
        this.frames.push({ channel: frame.channel, seq: frame.seq, bytes });
        this.nextSeq[frame.channel] = Math.max(this.nextSeq[frame.channel] ?? 0, frame.seq + 1);
      });
      socket.on('session:resume', (request, ack) => {
        this.resumes.push(request.sessionId);
        if (this.forgetSessions) ack({ ok: false, error: { code: 'unknown-session', message: 'no such session' } });
        else ack({ ok: true, data: { sessionId: request.sessionId, language: 'en', channels: ['interviewer', 'candidate'], nextSeq: { ...this.nextSeq } } });
      });
      socket.on('session:stop', (request, ack) => {
        this.stops++;
        ack({ ok: true, data: { sessionId: request.sessionId, stats: {} } });
      });
      socket.on('analysis:retry', (request, ack) => {
        this.retries.push(request.turnId);
        ack({ ok: true, data: { turnId: request.turnId } });
      });
    });
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    return (this.http.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await this.io.close();
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let server: ProtocolServer | null = null;
let controller: InterviewController | null = null;

afterEach(async () => {
  controller?.dispose();
  controller = null;
  await server?.close();
  server = null;
});

async function setup(mode: 'mic-and-tab' | 'single-mic' = 'mic-and-tab') {
  server = new ProtocolServer();
  const port = await server.listen();
  const capture = new FakeCapture(mode === 'mic-and-tab' ? ['interviewer', 'candidate'] : ['candidate']);
  let state: InterviewState = initialInterviewState();
  const actions: InterviewAction[] = [];
  let clientSocket: VivaSocket | null = null;
  const levels = new LevelStore();
  controller = new InterviewController({
    dispatch: (action) => {
      actions.push(action);
      state = interviewReducer(state, action);
    },
    levels,
    openCapture: async () => capture,
    createSocket: () => {
      clientSocket = io(`http://127.0.0.1:${port}`, { autoConnect: false, transports: ['websocket'], reconnectionDelay: 20, reconnectionDelayMax: 50 });
      return clientSocket;
    },
    resumeRetryMs: 20,
  });
  const start = () =>
    controller!.start({
      captureMode: mode,
      language: 'en',
      context: { title: 'Backend', rubric: { version: 'custom', dimensions: [{ id: 'clarity', name: 'Clarity', description: '', weight: 1 }] } },
    });
  return { server, capture, levels, start, state: () => state, actions, socket: () => clientSocket! };
}

describe('InterviewController against a Socket.IO server', () => {
  it('starts a 16 kHz two-channel session and sends numbered frames per channel', async () => {
    const t = await setup();
    await t.start();
    expect(t.state().phase).toBe('live');
    expect(t.state().sessionId).toBe('s1');
    expect(t.server.starts[0]).toMatchObject({ sampleRate: 16_000, channels: ['interviewer', 'candidate'], language: 'en', context: { title: 'Backend' } });
    t.capture.emit('candidate');
    t.capture.emit('interviewer');
    t.capture.emit('candidate', new ArrayBuffer(3200), 0.3);
    await waitFor(() => t.server.frames.length === 3, 'three frames');
    expect(t.server.frames).toEqual([
      { channel: 'candidate', seq: 0, bytes: 3200 },
      { channel: 'interviewer', seq: 0, bytes: 3200 },
      { channel: 'candidate', seq: 1, bytes: 3200 },
    ]);
    expect(t.levels.get('candidate').rms).toBeCloseTo(0.3);
  });

  it('validates server events: a transcript lands in state, a malformed one is ignored', async () => {
    const t = await setup();
    await t.start();
    const socket = t.server.socket!;
    socket.emit('transcript:partial', { sessionId: 's1', turnId: 't1', channel: 'candidate', text: 'I built', startMs: 0, endMs: 800 });
    (socket as unknown as { emit(name: string, payload: unknown): void }).emit('transcript:final', { sessionId: 's1', turnId: 't1', text: 42 });
    socket.emit('score:final', {
      sessionId: 's1',
      turnId: 't1',
      score: { label: 'non-answer', dimensions: [], overall: null, remark: 'No answer given.', model: 'qwen', promptVersion: 'p1', rubricVersion: 'custom' },
    });
    await waitFor(() => t.state().scores.t1 !== undefined, 'the score');
    expect(t.state().turns.t1).toMatchObject({ text: 'I built', isFinal: false });
  });

  it('refused start: shows the server error and releases the microphone', async () => {
    const t = await setup();
    t.server.startReply = 'refuse';
    await t.start();
    expect(t.state().phase).toBe('setup');
    expect(t.state().startError).toEqual({ code: 'invalid-payload', message: 'context.rubric: too many dimensions' });
    expect(t.capture.closed).toBe(true);
  });

  it('buffers frames while disconnected, resumes, and resends them so the server sees no gap', async () => {
    const t = await setup();
    await t.start();
    for (let i = 0; i < 3; i++) t.capture.emit('candidate');
    await waitFor(() => t.server.frames.length === 3, 'frames before the drop');
    t.socket().io.engine.close(); // the network drops; Socket.IO will reconnect by itself
    await waitFor(() => t.state().connection !== 'connected', 'the disconnect');
    for (let i = 0; i < 4; i++) t.capture.emit('candidate');
    t.capture.emit('interviewer');
    await waitFor(() => t.state().connection === 'connected' && t.server.frames.length === 8, 'resume and resend');
    expect(t.server.resumes).toEqual(['s1']);
    expect(t.server.frames.filter((f) => f.channel === 'candidate').map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(t.server.frames.filter((f) => f.channel === 'interviewer').map((f) => f.seq)).toEqual([0]);
    expect(t.actions.map((a) => a.type)).toContain('connection/changed');
    expect(t.state().buffer).toMatchObject({ pendingFrames: 0, droppedFrames: 0 });
  });

  it('reports a fatal error when the server no longer knows the session after a reconnect', async () => {
    const t = await setup('single-mic');
    await t.start();
    t.server.forgetSessions = true;
    t.socket().io.engine.close();
    await waitFor(() => t.state().fatalError !== null, 'the fatal error');
    expect(t.state().fatalError?.code).toBe('unknown-session');
    expect(t.capture.closed).toBe(true);
  });

  it('stop flushes the last audio, then stops the session and moves to review', async () => {
    const t = await setup();
    await t.start();
    await controller!.stop();
    expect(t.capture.flushed).toBe(1);
    expect(t.capture.closed).toBe(true);
    expect(t.server.stops).toBe(1);
    expect(t.state().phase).toBe('review');
    expect(t.state().stopResult).toEqual({ sessionId: 's1', stats: {} });
  });

  it('retry sends analysis:retry and marks the answer as retrying', async () => {
    const t = await setup();
    await t.start();
    t.server.socket!.emit('analysis:error', { sessionId: 's1', turnId: 't9', code: 'llm-timeout', message: 'timed out', retryable: true });
    await waitFor(() => t.state().analysisErrors.t9 !== undefined, 'the analysis error');
    expect(t.state().llmError?.code).toBe('llm-timeout');
    await controller!.retryAnalysis('t9');
    expect(t.server.retries).toEqual(['t9']);
    expect(t.state().analysisErrors.t9?.retrying).toBe(true);
  });
});
