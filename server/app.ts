import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/events.ts';
import {
  AnalysisRetryRequest,
  AudioFrame,
  SessionResumeRequest,
  SessionStartRequest,
  SessionStopRequest,
  type Ack,
  type Channel,
  type ErrorCode,
  type Language,
  type SessionContext,
} from '../protocol/schemas.ts';
import type { z } from 'zod';
import { Session, type ChannelResumePoint, type SessionDeps, type SessionEmit, type SessionObserver } from './session/session.ts';
import type { TurnDecoder } from './asr/turn-decoder.ts';
import type { TurnVad } from './vad/turn-vad.ts';
import type { Logger } from './logger.ts';

type VivaSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
/** The typed Socket.IO server. */
export type VivaIo = Server<ClientToServerEvents, ServerToClientEvents>;

/** A session known to storage that a reconnecting client may continue after a server restart. */
export interface StoredSession {
  sessionId: string;
  language: Language;
  channels: Channel[];
  context: SessionContext;
  resumeFrom: Partial<Record<Channel, ChannelResumePoint>>;
}

/** Session-level features layered on the transcript pipeline (storage, answer analysis). */
export interface SessionFeature {
  /** Called when a session is created or resumed; returns the hooks that observe it. */
  attach(session: Session, emit: SessionEmit, origin: 'start' | 'resume' | 'recording'): SessionObserver;
  /** Looks up a session that is not in memory (e.g. after a restart). */
  findStoredSession?(sessionId: string): StoredSession | undefined;
  /** Re-runs the analysis of one turn; false when the turn is unknown. */
  retryAnalysis?(sessionId: string, turnId: string): boolean;
}

/** Everything the app is built from; `index.ts` wires the real parts, tests inject what they need. */
export interface AppDeps {
  createVad(channel: Channel): TurnVad;
  decoder: TurnDecoder;
  logger: Logger;
  partialIntervalMs: number;
  features?: SessionFeature[];
  /** Routers mounted under /api. */
  apiRouters?: Router[];
  /** Built client to serve at / (client/dist), when present. */
  clientDir?: string;
  /** A socket-less session is stopped after this long without a client (default 10 minutes). */
  idleStopMs?: number;
  queueCapacity?: number;
}

/** The running app. */
export interface VivaApp {
  http: HttpServer;
  io: VivaIo;
  express: Express;
  sessions: Map<string, Session>;
  /** Listens on host:port (port 0 picks a free one) and resolves the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops every session (waiting for finals) and closes the servers. */
  close(): Promise<void>;
}

function fail(code: ErrorCode, message: string): { ok: false; error: { code: ErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');
}

/** Wraps an ack callback so a client that sent no callback cannot crash the handler. */
function safeAck<T>(ack: unknown): (reply: Ack<T>) => void {
  return typeof ack === 'function' ? (ack as (reply: Ack<T>) => void) : () => {};
}

/** Builds the HTTP server, REST routes and Socket.IO handlers from injected parts. */
export function createApp(deps: AppDeps): VivaApp {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_request, response) => {
    response.json({ ok: true, sessions: sessions.size });
  });
  for (const router of deps.apiRouters ?? []) app.use('/api', router);
  if (deps.clientDir && existsSync(path.join(deps.clientDir, 'index.html'))) {
    const clientDir = deps.clientDir;
    app.use(express.static(clientDir));
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_request, response) => response.sendFile(path.join(clientDir, 'index.html')));
  }

  const http = createServer(app);
  const io: VivaIo = new Server(http, { maxHttpBufferSize: 1e6, serveClient: false });
  const sessions = new Map<string, Session>();
  const idleTimers = new Map<string, NodeJS.Timeout>();
  const features = deps.features ?? [];
  const log = deps.logger;

  const roomOf = (sessionId: string): string => `session:${sessionId}`;
  const emitterFor =
    (sessionId: string): SessionEmit =>
    (event, ...args) => {
      io.to(roomOf(sessionId)).emit(event, ...args);
    };

  function openSession(
    sessionId: string,
    language: Language,
    channels: Channel[],
    context: SessionContext,
    origin: 'start' | 'resume',
    resumeFrom: Partial<Record<Channel, ChannelResumePoint>> = {},
  ): Session {
    const emit = emitterFor(sessionId);
    const observers: SessionObserver[] = [];
    const observer: SessionObserver = {
      onFinal: (session, turn) => observers.forEach((o) => o.onFinal?.(session, turn)),
      onProgress: (session, channel, nextSeq, samples) => observers.forEach((o) => o.onProgress?.(session, channel, nextSeq, samples)),
      onSpeech: (session, event) => observers.forEach((o) => o.onSpeech?.(session, event)),
      onStop: async (session) => {
        for (const o of observers) await o.onStop?.(session);
      },
    };
    const sessionDeps: SessionDeps = {
      createVad: deps.createVad,
      decoder: deps.decoder,
      emit,
      observer,
      partialIntervalMs: deps.partialIntervalMs,
      ...(deps.queueCapacity === undefined ? {} : { queueCapacity: deps.queueCapacity }),
    };
    const session = new Session(sessionId, language, channels, context, sessionDeps, resumeFrom);
    for (const feature of features) observers.push(feature.attach(session, emit, origin));
    sessions.set(sessionId, session);
    return session;
  }

  function findSession(sessionId: string, socket?: VivaSocket): Session | undefined {
    const live = sessions.get(sessionId);
    if (live) return live;
    for (const feature of features) {
      const stored = feature.findStoredSession?.(sessionId);
      if (stored) {
        log.info(`resuming stored session ${sessionId}`);
        return openSession(stored.sessionId, stored.language, stored.channels, stored.context, 'resume', stored.resumeFrom);
      }
    }
    if (socket) socket.emit('error', { code: 'unknown-session', message: `no session ${sessionId}`, sessionId });
    return undefined;
  }

  function watchIdle(sessionId: string): void {
    clearTimeout(idleTimers.get(sessionId));
    const room = io.sockets.adapter.rooms.get(roomOf(sessionId));
    if (room && room.size > 0) return;
    const timer = setTimeout(() => {
      idleTimers.delete(sessionId);
      const session = sessions.get(sessionId);
      const stillEmpty = (io.sockets.adapter.rooms.get(roomOf(sessionId))?.size ?? 0) === 0;
      if (session && stillEmpty) {
        log.info(`session ${sessionId}: no client for ${deps.idleStopMs ?? 600_000} ms, stopping`);
        void session.stop().finally(() => sessions.delete(sessionId));
      }
    }, deps.idleStopMs ?? 600_000);
    timer.unref();
    idleTimers.set(sessionId, timer);
  }

  io.on('connection', (socket: VivaSocket) => {
    const joined = new Set<string>();

    socket.on('session:start', (request, ackArg) => {
      const ack = safeAck<{ sessionId: string }>(ackArg);
      const parsed = SessionStartRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const sessionId = randomUUID();
      const { language, channels, context } = parsed.data;
      openSession(sessionId, language, channels, context ?? {}, 'start');
      void socket.join(roomOf(sessionId));
      joined.add(sessionId);
      log.info(`session ${sessionId} started (${language}, ${channels.join('+')})`);
      ack({ ok: true, data: { sessionId } });
    });

    socket.on('session:resume', (request, ackArg) => {
      const ack = safeAck<{ sessionId: string; language: Language; channels: Channel[]; nextSeq: Partial<Record<Channel, number>> }>(ackArg);
      const parsed = SessionResumeRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const session = findSession(parsed.data.sessionId);
      if (!session) return ack(fail('unknown-session', `no session ${parsed.data.sessionId} to resume`));
      if (session.stopped) return ack(fail('session-stopped', `session ${session.id} has stopped`));
      void socket.join(roomOf(session.id));
      joined.add(session.id);
      clearTimeout(idleTimers.get(session.id));
      ack({ ok: true, data: { sessionId: session.id, language: session.language, channels: session.channelNames, nextSeq: session.nextSeq() } });
    });

    socket.on('audio:frame', (frame) => {
      const parsed = AudioFrame.safeParse(frame);
      if (!parsed.success) {
        socket.emit('error', { code: 'invalid-frame', message: `audio:frame refused: ${describeIssues(parsed.error)}` });
        return;
      }
      const session = findSession(parsed.data.sessionId, socket);
      if (!session) return;
      const error = session.acceptFrame(parsed.data);
      if (error) socket.emit('error', error);
    });

    socket.on('session:stop', (request, ackArg) => {
      const ack = safeAck<Awaited<ReturnType<Session['stop']>>>(ackArg);
      const parsed = SessionStopRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const session = sessions.get(parsed.data.sessionId);
      if (!session) return ack(fail('unknown-session', `no live session ${parsed.data.sessionId}`));
      session
        .stop()
        .then((result) => {
          sessions.delete(session.id);
          log.info(`session ${session.id} stopped`);
          ack({ ok: true, data: result });
        })
        .catch((error: unknown) => ack(fail('internal', error instanceof Error ? error.message : String(error))));
    });

    socket.on('analysis:retry', (request, ackArg) => {
      const ack = safeAck<{ turnId: string }>(ackArg);
      const parsed = AnalysisRetryRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const { sessionId, turnId } = parsed.data;
      const retried = features.some((feature) => feature.retryAnalysis?.(sessionId, turnId) ?? false);
      if (!retried) return ack(fail('not-found', `no analysis to retry for turn ${turnId}`));
      ack({ ok: true, data: { turnId } });
    });

    socket.on('disconnect', () => {
      for (const sessionId of joined) if (sessions.has(sessionId)) watchIdle(sessionId);
    });
  });

  return {
    http,
    io,
    express: app,
    sessions,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          const address = http.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      });
    },
    async close() {
      for (const timer of idleTimers.values()) clearTimeout(timer);
      await Promise.allSettled([...sessions.values()].map((session) => session.stop()));
      sessions.clear();
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
