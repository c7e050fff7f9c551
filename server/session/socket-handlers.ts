/** The interviewer's Socket.IO events (`session:*`, `audio:frame`, `analysis:retry`, `turn:relabel`): parsed, then handed to the hub. */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { CandidateClientEvents, CandidateServerEvents } from '../../protocol/events.ts';
import {
  AnalysisRetryRequest,
  AudioFrame,
  SessionResumeRequest,
  SessionStartRequest,
  SessionStopRequest,
  TurnRelabelRequest,
  type Ack,
  type Channel,
  type ErrorCode,
  type Language,
  type SessionStopResult,
  type StorageErrorEvent,
} from '../../protocol/schemas.ts';
import type { AnalysisJobs } from '../analysis/analysis-jobs.ts';
import { retryAfterSeconds, type RateLimiter } from '../http/rate-limit.ts';
import type { Logger } from '../logger.ts';
import { SOCKET_SOURCE } from './session.ts';
import type { SessionHub } from './session-hub.ts';
import { roomOf, type VivaIo } from './socket-emitter.ts';
import { candidatePresenceRoomOf, claimSession, refusalFor, scopeOf } from './socket-scope.ts';

/** A connection (an interviewer's screen or a candidate page: one Socket.IO server serves both). */
export type VivaSocket = Socket<CandidateClientEvents, CandidateServerEvents>;

/** What the handlers need. */
export interface SessionSocketDeps {
  io: VivaIo;
  hub: SessionHub;
  logger: Logger;
  /** A socket-less session is stopped after this long without a client (default 10 minutes). */
  idleStopMs?: number;
  /** `session:start` per client IP (none: unlimited). */
  sessionLimiter?: RateLimiter;
  /** `session:start` per signed-in user (none: unlimited). */
  userSessionLimiter?: RateLimiter;
  /** The analysis jobs (with an LLM): `analysis:retry` of a stopped or earlier session, scoring progress in the stop reply. */
  analysisJobs?: Pick<AnalysisJobs, 'retry' | 'progress'>;
  /** The failed write that stopped a session being recorded, if it is not (told to a screen as it joins). */
  storageProblemOf?: (sessionId: string) => StorageErrorEvent | undefined;
}

/** The handlers of one connection, and a way to cancel the idle timers at shutdown. */
export interface SessionSocketHandlers {
  onConnection(socket: VivaSocket): void;
  close(): void;
}

function fail(code: ErrorCode, message: string): { ok: false; error: { code: ErrorCode; message: string } } {
  return { ok: false, error: { code, message } };
}

/** The zod issues of a refused payload, as one line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');
}

/** Wraps an ack callback so a client that sent no callback cannot crash the handler. */
export function safeAck<T>(ack: unknown): (reply: Ack<T>) => void {
  return typeof ack === 'function' ? (ack as (reply: Ack<T>) => void) : () => {};
}

/** Builds the `session:*` handlers. Only `session:resume` reopens a stored session; a frame for an unknown id is refused. */
export function createSessionSocketHandlers(deps: SessionSocketDeps): SessionSocketHandlers {
  const { io, hub, logger: log } = deps;
  const idleStopMs = deps.idleStopMs ?? 600_000;
  const idleTimers = new Map<string, NodeJS.Timeout>();

  const clientsOf = (sessionId: string): number =>
    (io.sockets.adapter.rooms.get(roomOf(sessionId))?.size ?? 0) + (io.sockets.adapter.rooms.get(candidatePresenceRoomOf(sessionId))?.size ?? 0);

  function watchIdle(sessionId: string): void {
    clearTimeout(idleTimers.get(sessionId));
    if (clientsOf(sessionId) > 0) return;
    const timer = setTimeout(() => {
      idleTimers.delete(sessionId);
      const session = hub.forClient(sessionId);
      const stillEmpty = clientsOf(sessionId) === 0;
      if (session && stillEmpty) {
        log.info(`session ${sessionId}: no client for ${idleStopMs} ms, stopping`);
        void session.stop();
      }
    }, idleStopMs);
    timer.unref();
    idleTimers.set(sessionId, timer);
  }

  function onConnection(socket: VivaSocket): void {
    const joined = new Set<string>();
    const join = (sessionId: string): void => {
      // A candidate's socket never joins the co-pilot room: transcripts, suggestions and scores are not for the candidate.
      const candidate = scopeOf(socket).kind === 'candidate';
      void socket.join(candidate ? candidatePresenceRoomOf(sessionId) : roomOf(sessionId));
      joined.add(sessionId);
      clearTimeout(idleTimers.get(sessionId));
      // A failure while the session opened (or before this screen joined) was sent to a room it was not in yet.
      const problem = candidate ? undefined : deps.storageProblemOf?.(sessionId);
      if (problem) socket.emit('storage:error', problem);
    };

    socket.on('session:start', (request, ackArg) => {
      const ack = safeAck<{ sessionId: string }>(ackArg);
      const parsed = SessionStartRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const refused = refusalFor(socket, undefined);
      if (refused) return ack(fail('forbidden', `session:start refused: ${refused}`));
      const verdict = deps.sessionLimiter?.take(socket.handshake.address) ?? { ok: true };
      if (!verdict.ok) {
        const seconds = retryAfterSeconds(verdict.retryAfterMs);
        return ack(fail('rate-limited', `too many sessions started from this address (at most ${deps.sessionLimiter?.limit} a minute); retry in ${seconds} s`));
      }
      const scope = scopeOf(socket);
      const userId = scope.kind === 'interviewer' ? scope.access?.userId : undefined;
      const perUser = userId === undefined ? undefined : deps.userSessionLimiter?.take(userId);
      if (perUser && !perUser.ok) {
        const seconds = retryAfterSeconds(perUser.retryAfterMs);
        return ack(fail('rate-limited', `too many sessions started by this user (at most ${deps.userSessionLimiter?.limit} a minute); retry in ${seconds} s`));
      }
      const sessionId = randomUUID();
      const { language, channels, context } = parsed.data;
      hub.open({ sessionId, language, channels, context: context ?? {} }, 'start', SOCKET_SOURCE);
      // The store subscriber created the interview row while the session opened: it belongs to whoever started it.
      claimSession(socket, sessionId);
      join(sessionId);
      log.info(`session ${sessionId} started (${language}, ${channels.join('+')})`);
      ack({ ok: true, data: { sessionId } });
    });

    socket.on('session:resume', (request, ackArg) => {
      const ack = safeAck<{ sessionId: string; language: Language; channels: Channel[]; nextSeq: Partial<Record<Channel, number>> }>(ackArg);
      const parsed = SessionResumeRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const refused = refusalFor(socket, parsed.data.sessionId);
      if (refused) return ack(fail('forbidden', `session:resume refused: ${refused}`));
      const session = hub.resume(parsed.data.sessionId, SOCKET_SOURCE);
      if (!session) return ack(fail('unknown-session', `no session ${parsed.data.sessionId} to resume`));
      if (session.stopped) return ack(fail('session-stopped', `session ${session.id} has stopped`));
      join(session.id);
      ack({ ok: true, data: { sessionId: session.id, language: session.language, channels: session.channelNames, nextSeq: session.nextSeq() } });
    });

    socket.on('audio:frame', (frame) => {
      const parsed = AudioFrame.safeParse(frame);
      if (!parsed.success) {
        socket.emit('error', { code: 'invalid-frame', message: `audio:frame refused: ${describeIssues(parsed.error)}` });
        return;
      }
      const { sessionId } = parsed.data;
      const refused = refusalFor(socket, sessionId);
      if (refused) return void socket.emit('error', { code: 'forbidden', message: `audio:frame refused: ${refused}`, sessionId });
      const session = hub.forClient(sessionId);
      if (!session) {
        socket.emit('error', { code: 'unknown-session', message: `no session ${sessionId}: send session:resume first`, sessionId });
        return;
      }
      const error = session.acceptFrame(parsed.data);
      if (error) socket.emit('error', error);
    });

    socket.on('session:stop', (request, ackArg) => {
      const ack = safeAck<SessionStopResult>(ackArg);
      const parsed = SessionStopRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const refused = refusalFor(socket, parsed.data.sessionId);
      if (refused) return ack(fail('forbidden', `session:stop refused: ${refused}`));
      const session = hub.forClient(parsed.data.sessionId);
      if (!session) return ack(fail('unknown-session', `no live session ${parsed.data.sessionId}`));
      // Capture ends now; the audio already received is transcribed in the background (its finals reach the room as
      // they land, then `session:end`), and scoring goes on as durable jobs. The reply says what is still coming.
      session
        .stop()
        .then(() => log.info(`session ${session.id} stopped: every final is out`))
        .catch((error: unknown) => log.error(`session ${session.id}: stopping failed: ${error instanceof Error ? error.message : String(error)}`));
      const analysis = deps.analysisJobs?.progress(session.id);
      ack({ ok: true, data: { sessionId: session.id, stats: session.stats(), finishing: session.pendingWork(), ...(analysis ? { analysis } : {}) } });
    });

    socket.on('analysis:retry', (request, ackArg) => {
      const ack = safeAck<{ turnId: string }>(ackArg);
      const parsed = AnalysisRetryRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const { sessionId, turnId } = parsed.data;
      // Retrying an analysis is the interviewer's: a candidate never sees analyses.
      if (scopeOf(socket).kind === 'candidate') return ack(fail('forbidden', 'analysis:retry refused: a candidate link cannot do this'));
      const refused = refusalFor(socket, sessionId);
      if (refused) return ack(fail('forbidden', `analysis:retry refused: ${refused}`));
      // A running session's subscribers answer; after the stop (or a restart) the durable jobs do.
      const live = hub.forClient(sessionId);
      const reply = live && !live.stopped ? live.events.command({ type: 'retry-analysis', turnId }) : deps.analysisJobs?.retry(sessionId, turnId);
      if (!reply?.ok) return ack(fail('not-found', `no analysis to retry for turn ${turnId}${reply ? `: ${reply.error.message}` : ''}`));
      // A screen opened after the stop may not be in the room yet: it hears the new score there.
      join(sessionId);
      ack({ ok: true, data: { turnId } });
    });

    socket.on('turn:relabel', (request, ackArg) => {
      const ack = safeAck<{ turnId: string; rescoring: string[] }>(ackArg);
      const parsed = TurnRelabelRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describeIssues(parsed.error)));
      const { sessionId, turnId, channel } = parsed.data;
      if (scopeOf(socket).kind === 'candidate') return ack(fail('forbidden', 'turn:relabel refused: a candidate link cannot do this'));
      const refused = refusalFor(socket, sessionId);
      if (refused) return ack(fail('forbidden', `turn:relabel refused: ${refused}`));
      const session = hub.forClient(sessionId);
      if (!session) return ack(fail('unknown-session', `no live session ${sessionId}`));
      const reply = session.events.command({ type: 'relabel-turn', turnId, channel });
      if (!reply.ok) return ack(fail('not-found', reply.error.message));
      ack(reply as Ack<{ turnId: string; rescoring: string[] }>);
    });

    socket.on('disconnect', () => {
      for (const sessionId of joined) if (hub.forClient(sessionId)) watchIdle(sessionId);
    });
  }

  return {
    onConnection,
    close() {
      for (const timer of idleTimers.values()) clearTimeout(timer);
    },
  };
}
