import type { Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  AnalysisErrorEvent,
  AnalysisProgressEvent,
  AudioGapEvent,
  ErrorEvent,
  FollowUpDeltaEvent,
  FollowUpEndEvent,
  SAMPLE_RATE,
  ScoreFinalEvent,
  SessionResumeResult,
  SessionStartResult,
  SessionStopResult,
  SpeechEvent,
  StorageErrorEvent,
  TranscriptEvent,
  TurnRoleEvent,
  AnswerTurnsEvent,
  type Channel,
  type ClientToServerEvents,
  type Language,
  type ServerToClientEvents,
  type SessionContext,
} from '../../../protocol/index.ts';
import { channelsFor, type AudioCapture, type CaptureMode, type OpenCapture } from '../audio/audio-capture.ts';
import { FRAME_MS } from '../audio/capture-messages.ts';
import { FrameOutbox } from '../audio/frame-outbox.ts';
import { parseAck, problemOf, type Problem } from '../api/replies.ts';
import type { InterviewAction } from '../state/interview-reducer.ts';
import type { LevelStore } from './level-store.ts';

/** The typed Socket.IO client of the Viva protocol. */
export type VivaSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** What the interviewer chose on the setup screen. */
export interface StartRequest {
  context: SessionContext;
  language: Language;
  captureMode: CaptureMode;
}

/** Parts and limits of a controller; everything external is injected so tests can use real sockets and fake audio. */
export interface InterviewControllerOptions {
  dispatch: (action: InterviewAction) => void;
  /** Creates a socket that is not connected yet (autoConnect: false). */
  createSocket: () => VivaSocket;
  openCapture: OpenCapture;
  levels: LevelStore;
  /** Frames held per channel while offline; 1200 × 100 ms = 2 minutes. */
  bufferCapacityFrames?: number;
  connectTimeoutMs?: number;
  ackTimeoutMs?: number;
  /** How long to wait for the `session:stop` reply (sent as soon as capture ended; finals arrive after it). */
  stopTimeoutMs?: number;
  /** Pause before asking again when a resume failed for a passing reason. */
  resumeRetryMs?: number;
  now?: () => Date;
}

/** An error with a code the interface can translate. */
export class ClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

const SERVER_EVENT_SCHEMAS = {
  'speech:start': SpeechEvent,
  'speech:end': SpeechEvent,
  'transcript:partial': TranscriptEvent,
  'transcript:final': TranscriptEvent,
  'audio:gap': AudioGapEvent,
  'followup:delta': FollowUpDeltaEvent,
  'followup:end': FollowUpEndEvent,
  'score:final': ScoreFinalEvent,
  'analysis:error': AnalysisErrorEvent,
  'analysis:progress': AnalysisProgressEvent,
  'session:end': SessionStopResult,
  'storage:error': StorageErrorEvent,
  'turn:role': TurnRoleEvent,
  'answer:turns': AnswerTurnsEvent,
  error: ErrorEvent,
} satisfies Record<keyof ServerToClientEvents, z.ZodType>;

/** Codes after which resuming cannot help: the server no longer has the session. */
const SESSION_GONE = new Set(['unknown-session', 'session-stopped']);

interface Run {
  abort: AbortController;
  socket: VivaSocket | null;
  capture: AudioCapture | null;
  outbox: FrameOutbox | null;
  sessionId: string | null;
  online: boolean;
  stopping: boolean;
  dead: boolean;
  /** Bumped on each disconnect so a late resume reply of an older connection is ignored. */
  connectionEpoch: number;
  onlineWaiters: Set<() => void>;
  lastBufferDispatchMs: number;
}

/**
 * Owns one interview's microphone(s), Socket.IO connection and frame outbox, and turns server events into
 * reducer actions. Start → `session:start`; frames → `audio:frame`; reconnect → `session:resume` then resend
 * from the server's `nextSeq`; stop → flush audio, `session:stop`. The socket stays open in review so late
 * follow-ups and scores still land.
 */
export class InterviewController {
  private run: Run | null = null;
  private readonly options: Required<Omit<InterviewControllerOptions, 'dispatch' | 'createSocket' | 'openCapture' | 'levels'>> &
    InterviewControllerOptions;

  constructor(options: InterviewControllerOptions) {
    this.options = {
      bufferCapacityFrames: (2 * 60 * 1000) / FRAME_MS,
      connectTimeoutMs: 10_000,
      ackTimeoutMs: 15_000,
      stopTimeoutMs: 120_000,
      resumeRetryMs: 2_000,
      now: () => new Date(),
      ...options,
    };
  }

  /** Opens the audio, connects and starts a session; failures are dispatched as `session/start-failed`. */
  start = async (request: StartRequest): Promise<void> => {
    if (this.run) return;
    const { dispatch } = this.options;
    const channels = channelsFor(request.captureMode);
    dispatch({ type: 'session/starting', context: request.context, language: request.language, captureMode: request.captureMode, channels });
    const run: Run = {
      abort: new AbortController(),
      socket: null,
      capture: null,
      outbox: null,
      sessionId: null,
      online: false,
      stopping: false,
      dead: false,
      connectionEpoch: 0,
      onlineWaiters: new Set(),
      lastBufferDispatchMs: 0,
    };
    this.run = run;
    try {
      // Permission prompts first: no server session is created for audio the browser will not give.
      run.capture = await this.options.openCapture(request.captureMode, run.abort.signal);
      const socket = this.options.createSocket();
      run.socket = socket;
      this.wire(run, socket);
      socket.connect();
      await this.waitForConnect(socket, run.abort.signal);
      const reply = await socket
        .timeout(this.options.ackTimeoutMs)
        .emitWithAck('session:start', { language: request.language, sampleRate: SAMPLE_RATE, channels, context: request.context });
      const ack = parseAck(SessionStartResult, reply);
      if (!ack.ok) throw new ClientError(ack.error.code, ack.error.message);
      run.abort.signal.throwIfAborted();
      run.sessionId = ack.data.sessionId;
      run.online = socket.connected;
      run.outbox = new FrameOutbox({
        channels,
        capacityFrames: this.options.bufferCapacityFrames,
        send: (frame) => socket.emit('audio:frame', { sessionId: ack.data.sessionId, channel: frame.channel, seq: frame.seq, pcm: frame.pcm }),
      });
      if (!run.online) run.outbox.goOffline();
      dispatch({ type: 'session/started', sessionId: ack.data.sessionId, startedAt: this.options.now().toISOString() });
      run.capture.start({
        onFrame: (channel, frame) => {
          this.options.levels.set(channel, { rms: frame.rms, peak: frame.peak });
          run.outbox?.push(channel, frame.pcm);
          if (!run.online) this.reportBuffer(run, false);
        },
        onEnded: (channel) => dispatch({ type: 'capture/ended', channel }),
      });
    } catch (error) {
      await this.teardown(run);
      if (this.run === run) this.run = null;
      dispatch({ type: 'session/start-failed', error: problemOf(error) });
    }
  };

  /** Flushes the last audio, waits for the buffered frames to go out, and stops the session on the server. */
  stop = async (): Promise<void> => {
    const run = this.run;
    if (!run || !run.sessionId || run.stopping) return;
    run.stopping = true;
    const { dispatch } = this.options;
    dispatch({ type: 'session/stopping' });
    if (run.capture) {
      await run.capture.flush(AbortSignal.any([run.abort.signal, AbortSignal.timeout(1_000)])).catch(() => {});
      await run.capture.close();
      run.capture = null;
    }
    this.options.levels.reset();
    let result: SessionStopResult | null = null;
    let problem: Problem | null = null;
    if (run.dead || !run.socket) {
      problem = { code: 'unknown-session', message: 'the session was lost' };
    } else {
      try {
        if (!run.online && !(await this.waitOnline(run, this.options.stopTimeoutMs))) {
          throw new ClientError('server-unreachable', 'the server did not come back before the stop');
        }
        const reply = await run.socket.timeout(this.options.stopTimeoutMs).emitWithAck('session:stop', { sessionId: run.sessionId });
        const ack = parseAck(SessionStopResult, reply);
        if (ack.ok) result = ack.data;
        else problem = ack.error;
      } catch (error) {
        problem = problemOf(error);
      }
    }
    dispatch({ type: 'session/stopped', result, error: problem, stoppedAt: this.options.now().toISOString() });
  };

  /** Asks the server to analyse an answer again. */
  retryAnalysis = async (turnId: string): Promise<void> => {
    const run = this.run;
    const { dispatch } = this.options;
    if (!run?.socket || !run.sessionId) return;
    dispatch({ type: 'analysis/retry-requested', turnId });
    try {
      const reply = await run.socket.timeout(this.options.ackTimeoutMs).emitWithAck('analysis:retry', { sessionId: run.sessionId, turnId });
      const ack = parseAck(z.object({ turnId: z.string() }), reply);
      if (!ack.ok) dispatch({ type: 'analysis/retry-failed', turnId, error: ack.error });
    } catch (error) {
      dispatch({ type: 'analysis/retry-failed', turnId, error: problemOf(error) });
    }
  };

  /** Tells the server who spoke a turn (single-microphone mode); it regroups the answers and scores the changed ones again. */
  relabelTurn = async (turnId: string, channel: Channel): Promise<void> => {
    const run = this.run;
    if (!run?.socket || !run.sessionId) return;
    try {
      const reply = await run.socket.timeout(this.options.ackTimeoutMs).emitWithAck('turn:relabel', { sessionId: run.sessionId, turnId, channel });
      const ack = parseAck(z.object({ turnId: z.string(), rescoring: z.array(z.string()) }), reply);
      if (!ack.ok) console.warn(`[viva] relabel of ${turnId} refused: ${ack.error.message}`);
    } catch (error) {
      console.warn(`[viva] relabel of ${turnId} failed: ${problemOf(error).message}`);
    }
  };

  /** Ends everything (after review, or on unmount) and clears the state for a new interview. */
  reset = async (): Promise<void> => {
    const run = this.run;
    this.run = null;
    if (run) await this.teardown(run);
    this.options.dispatch({ type: 'session/reset' });
  };

  /** Releases microphone, audio context and socket without touching the state (component unmount). */
  dispose = (): void => {
    const run = this.run;
    this.run = null;
    if (run) void this.teardown(run);
  };

  private async teardown(run: Run): Promise<void> {
    run.abort.abort();
    for (const resolve of run.onlineWaiters) resolve();
    run.onlineWaiters.clear();
    if (run.socket) {
      run.socket.removeAllListeners();
      run.socket.disconnect();
    }
    if (run.capture) await run.capture.close();
    run.capture = null;
    this.options.levels.reset();
  }

  private wire(run: Run, socket: VivaSocket): void {
    const { dispatch } = this.options;
    for (const [name, schema] of Object.entries(SERVER_EVENT_SCHEMAS)) {
      // The typed map cannot express "any of these names" in one call; each payload is validated right here.
      (socket as unknown as { on(name: string, listener: (payload: unknown) => void): void }).on(name, (payload) => {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          console.warn(`[viva] ignored malformed ${name} event`, parsed.error.issues);
          return;
        }
        dispatch({ type: name, event: parsed.data } as InterviewAction);
      });
    }
    socket.on('connect', () => {
      if (run.sessionId && !run.dead) void this.resume(run, socket);
    });
    socket.on('disconnect', (reason) => {
      if (!run.sessionId) return;
      run.online = false;
      run.connectionEpoch++;
      run.outbox?.goOffline();
      if (!run.dead) dispatch({ type: 'connection/changed', status: 'reconnecting' });
      // After a server-side disconnect Socket.IO does not reconnect by itself.
      if (reason === 'io server disconnect' && !run.abort.signal.aborted) socket.connect();
    });
  }

  private async resume(run: Run, socket: VivaSocket): Promise<void> {
    const { dispatch } = this.options;
    const epoch = run.connectionEpoch;
    const sessionId = run.sessionId;
    if (!sessionId) return;
    dispatch({ type: 'connection/changed', status: 'resuming' });
    let retry = false;
    try {
      const reply = await socket.timeout(this.options.ackTimeoutMs).emitWithAck('session:resume', { sessionId });
      if (epoch !== run.connectionEpoch || run.abort.signal.aborted) return;
      const ack = parseAck(SessionResumeResult, reply);
      if (!ack.ok) {
        if (SESSION_GONE.has(ack.error.code)) {
          run.dead = true;
          await run.capture?.close();
          run.capture = null;
          this.options.levels.reset();
          dispatch({ type: 'session/fatal', error: ack.error });
          dispatch({ type: 'connection/changed', status: 'connected' });
          for (const resolve of run.onlineWaiters) resolve();
          return;
        }
        retry = true;
      } else {
        // Resend before anything new is pushed: this runs synchronously, so frame order is kept.
        run.outbox?.resume(ack.data.nextSeq);
        run.online = true;
        dispatch({ type: 'connection/changed', status: 'connected' });
        this.reportBuffer(run, true);
        for (const resolve of run.onlineWaiters) resolve();
        run.onlineWaiters.clear();
      }
    } catch {
      retry = true; // ack timeout: the link may be flapping
    }
    if (retry && socket.connected && epoch === run.connectionEpoch && !run.abort.signal.aborted) {
      setTimeout(() => {
        if (socket.connected && epoch === run.connectionEpoch && !run.abort.signal.aborted) void this.resume(run, socket);
      }, this.options.resumeRetryMs);
    }
  }

  private reportBuffer(run: Run, force: boolean): void {
    const nowMs = Date.now();
    if (!force && nowMs - run.lastBufferDispatchMs < 500) return;
    run.lastBufferDispatchMs = nowMs;
    const stats = run.outbox?.stats();
    if (!stats) return;
    this.options.dispatch({
      type: 'buffer/changed',
      buffer: { pendingFrames: stats.pendingFrames, droppedFrames: stats.droppedFrames, lostInTransitFrames: stats.lostInTransitFrames },
    });
  }

  private waitForConnect(socket: VivaSocket, signal: AbortSignal): Promise<void> {
    if (socket.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new ClientError('server-unreachable', 'cannot reach the Viva server')), this.options.connectTimeoutMs);
      const onConnect = () => finish();
      const onAbort = () => finish(new ClientError('cancelled', 'cancelled'));
      const finish = (error?: Error) => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      socket.on('connect', onConnect);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private waitOnline(run: Run, timeoutMs: number): Promise<boolean> {
    if (run.online) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        run.onlineWaiters.delete(done);
        resolve(run.online);
      };
      const timer = setTimeout(done, timeoutMs);
      run.onlineWaiters.add(done);
    });
  }
}
