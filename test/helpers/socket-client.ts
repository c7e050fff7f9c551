import { io, type Socket } from 'socket.io-client';
import { float32ToPcm16, msToSamples } from '../../protocol/audio.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/events.ts';
import type { Ack, Channel, SessionStartRequest, SessionStopResult } from '../../protocol/schemas.ts';

/** A typed Socket.IO client as the browser uses it. */
export type VivaClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** One server event as a client received it, with its arrival time. */
export interface ReceivedEvent {
  name: keyof ServerToClientEvents;
  payload: Record<string, unknown>;
  atWallMs: number;
}

const SERVER_EVENTS: (keyof ServerToClientEvents)[] = [
  'speech:start',
  'speech:end',
  'transcript:partial',
  'transcript:final',
  'audio:gap',
  'followup:delta',
  'followup:end',
  'score:final',
  'analysis:error',
  'analysis:progress',
  'session:end',
  'storage:error',
  'turn:role',
  'answer:turns',
  'error',
];

/**
 * Connects a real Socket.IO client over websocket and records every server event it receives. `auth` is the signed-in
 * caller's handshake option (`signIn(app).socketAuth`, test/helpers/auth.ts); without it the socket is anonymous.
 */
export async function connectClient(port: number, auth?: { token: string }): Promise<{ socket: VivaClient; events: ReceivedEvent[] }> {
  const socket: VivaClient = io(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, ...(auth ? { auth } : {}) });
  const events: ReceivedEvent[] = [];
  for (const name of SERVER_EVENTS) {
    socket.on(name as 'error', (payload: unknown) => {
      events.push({ name, payload: payload as Record<string, unknown>, atWallMs: performance.now() });
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, events };
}

/** Starts a session and returns its id (throws on a refused start). */
export async function startSession(socket: VivaClient, request: SessionStartRequest): Promise<string> {
  const reply = await socket.timeout(10_000).emitWithAck('session:start', request);
  if (!reply.ok) throw new Error(`session:start refused: ${reply.error.code}: ${reply.error.message}`);
  return reply.data.sessionId;
}

/** Sends `session:stop` and resolves with its reply (sent as soon as capture ended, before the last finals). */
export async function requestStop(socket: VivaClient, sessionId: string, timeoutMs = 30_000): Promise<Ack<SessionStopResult>> {
  return socket.timeout(timeoutMs).emitWithAck('session:stop', { sessionId });
}

/** Stops a session and waits for `session:end`: resolves with the final figures once every final transcript is out. */
export async function stopSession(socket: VivaClient, sessionId: string, timeoutMs = 120_000): Promise<Ack<SessionStopResult>> {
  let onEnd: (result: SessionStopResult) => void = () => {};
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<SessionStopResult>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no session:end within ${timeoutMs} ms`)), timeoutMs);
    onEnd = (result) => {
      if (result.sessionId !== sessionId) return;
      clearTimeout(timer);
      socket.off('session:end', onEnd);
      resolve(result);
    };
    socket.on('session:end', onEnd);
  });
  const reply = await requestStop(socket, sessionId, timeoutMs);
  if (!reply.ok) {
    socket.off('session:end', onEnd);
    clearTimeout(timer);
    ended.catch(() => {});
    return reply;
  }
  return { ok: true, data: await ended };
}

/** Options of `streamAudio`. */
export interface StreamOptions {
  frameMs?: number;
  /** 1 = real time, 4 = four times faster, Infinity = as fast as the socket takes it. */
  speed?: number;
  firstSeq?: number;
  /** Called after each frame is sent (e.g. to inject faults). */
  onFrame?(seq: number): void;
}

/** Sends 16 kHz mono samples as PCM16 `audio:frame`s with increasing seq, paced like a microphone; resolves the next seq. */
export async function streamAudio(socket: VivaClient, sessionId: string, channel: Channel, samples: Float32Array, options: StreamOptions = {}): Promise<number> {
  const frameMs = options.frameMs ?? 100;
  const speed = options.speed ?? 1;
  const frameSamples = msToSamples(frameMs);
  let seq = options.firstSeq ?? 0;
  const started = performance.now();
  for (let offset = 0; offset < samples.length; offset += frameSamples) {
    let chunk = samples.subarray(offset, offset + frameSamples);
    // Pad the last frame to the 10 ms minimum the protocol asks for.
    if (chunk.length < 160) chunk = Float32Array.from({ length: 160 }, (_, i) => chunk[i] ?? 0);
    const pcm = float32ToPcm16(chunk);
    socket.emit('audio:frame', { sessionId, channel, seq, pcm: pcm.buffer as ArrayBuffer });
    options.onFrame?.(seq);
    seq++;
    if (Number.isFinite(speed)) {
      const dueMs = ((offset + frameSamples) / 16_000) * 1000 / speed;
      const waitMs = dueMs - (performance.now() - started);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    } else if (seq % 20 === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return seq;
}

/** Resolves when `predicate` holds for the recorded events, or rejects after `timeoutMs`. */
export async function waitFor(events: ReceivedEvent[], predicate: (events: ReceivedEvent[]) => boolean, timeoutMs = 30_000): Promise<void> {
  const started = performance.now();
  while (!predicate(events)) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms; received: ${events.map((e) => e.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
