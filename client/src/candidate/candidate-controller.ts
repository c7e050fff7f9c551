import type { Socket } from 'socket.io-client';
import { z } from 'zod';
import {
  AUTOMATED_CONSENT_TEXT_VERSION,
  CANDIDATE_FRAME_MS,
  InterviewConsentResult,
  InterviewEndEvent,
  InterviewJoinResult,
  InterviewListeningEvent,
  InterviewQuestionEvent,
  InterviewReadyResult,
  InterviewThinkingEvent,
  SessionResumeResult,
  type AutomatedLanguage,
  type CandidateClientToServerEvents,
  type CandidateServerToClientEvents,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '../../../protocol/index.ts';
import { parseAck } from '../api/replies.ts';
import { CaptureError, type AudioCapture, type OpenCapture } from '../audio/audio-capture.ts';
import { FRAME_MS } from '../audio/capture-messages.ts';

// The server reads frame counts as audio positions (CANDIDATE_FRAME_MS): the capture worklet must keep to it.
if (FRAME_MS !== CANDIDATE_FRAME_MS) throw new Error(`capture frames are ${FRAME_MS} ms; the candidate protocol expects ${CANDIDATE_FRAME_MS} ms`);
import { FrameOutbox } from '../audio/frame-outbox.ts';
import type { LevelStore } from '../session/level-store.ts';
import { BargeInDetector } from './barge-in-detector.ts';
import type { CandidateAction, CandidateProblem } from './candidate-state.ts';
import type { SpeechOutput } from './speech-output.ts';

/** The candidate's socket: the shared protocol plus the candidate events. */
export type CandidateSocket = Socket<ServerToClientEvents & CandidateServerToClientEvents, ClientToServerEvents & CandidateClientToServerEvents>;

/** Parts of a candidate controller; everything external is injected. */
export interface CandidateControllerOptions {
  token: string;
  dispatch: (action: CandidateAction) => void;
  /** A socket that is not connected yet (autoConnect: false); Socket.IO's own reconnection stays on. */
  createSocket: () => CandidateSocket;
  openCapture: OpenCapture;
  speech: SpeechOutput;
  levels: LevelStore;
  ackTimeoutMs?: number;
  /** Frames held while offline (1200 × 100 ms = 2 minutes, enough for the one-minute reconnect grace). */
  bufferCapacityFrames?: number;
  now?: () => number;
}

/** Longest wait for the server to acknowledge the stop before the page says the answers are saved. */
const STOP_ACK_WAIT_MS = 5_000;

/** A level above this during the mic check means the microphone hears the candidate. */
const VOICE_RMS = 0.02;

function problemOf(error: unknown): CandidateProblem {
  if (error instanceof CaptureError) return { code: error.code, message: error.message };
  if (error instanceof Error && /timed? ?out/i.test(error.message)) return { code: 'server-unreachable', message: error.message };
  return { code: 'generic', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Owns the candidate's socket, microphone and Viva's voice. Join (token) → consent → mic check → `session:resume`
 * (opens the session) → `interview:ready`; then speaks each `interview:question`, reports speaking start/end with the
 * audio position, stops at once on barge-in (server `interview:listening` 'barge-in' or its own level detector), and
 * on `interview:end` flushes the audio and stops the session. Reconnects resend held frames and re-join with the token.
 */
export class CandidateController {
  private socket: CandidateSocket | null = null;
  private capture: AudioCapture | null = null;
  private opening: Promise<void> | null = null;
  private outbox: FrameOutbox | null = null;
  private language: AutomatedLanguage = 'en';
  private sessionId: string | null = null;
  /** Server seq of this page's first frame (non-zero when the page was reloaded mid-interview). */
  private seqBase = 0;
  private framesCaptured = 0;
  private begun = false;
  private ended = false;
  private online = false;
  /** Question being spoken (audible or in the no-voice fallback) and its attempt number. */
  private speaking: { questionId: string; attempt: number; audible: boolean } | null = null;
  private speakAttempt = 0;
  private readonly bargeIn = new BargeInDetector();
  private readonly abort = new AbortController();
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: CandidateControllerOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 15_000;
  }

  /** Connects and joins with the link token. */
  join = async (): Promise<void> => {
    const socket = this.options.createSocket();
    this.socket = socket;
    this.wire(socket);
    socket.connect();
    // The first join runs from the 'connect' handler, like every later re-join.
  };

  /** Records the candidate's agreement. */
  consent = async (locale: AutomatedLanguage): Promise<void> => {
    const socket = this.socket;
    if (!socket) return;
    try {
      const reply = await socket.timeout(this.ackTimeoutMs).emitWithAck('interview:consent', { agreed: true, locale, consentTextVersion: AUTOMATED_CONSENT_TEXT_VERSION });
      const ack = parseAck(InterviewConsentResult, reply);
      if (ack.ok) this.options.dispatch({ type: 'consented', consentAtMs: ack.data.consentAtMs });
      else this.options.dispatch({ type: 'failed', error: ack.error });
    } catch (error) {
      this.options.dispatch({ type: 'failed', error: problemOf(error) });
    }
  };

  /** Opens the microphone for the check; nothing is sent until `begin`. Repeated calls share the one capture. */
  openMic = (): Promise<void> => {
    // Two captures would interleave their frames into one stream (React's strict mode runs effects twice in dev).
    this.opening ??= this.doOpenMic().finally(() => {
      if (!this.capture) this.opening = null;
    });
    return this.opening;
  };

  private async doOpenMic(): Promise<void> {
    this.options.dispatch({ type: 'mic', mic: 'opening' });
    try {
      const capture = await this.options.openCapture('single-mic', this.abort.signal);
      if (this.abort.signal.aborted) {
        await capture.close();
        return;
      }
      this.capture = capture;
      capture.start({
        onFrame: (_channel, frame) => this.onFrame(frame.pcm, frame.rms, frame.peak),
        onEnded: () => this.options.dispatch({ type: 'failed', error: { code: 'device-failed', message: 'the microphone was disconnected' } }),
      });
      this.options.dispatch({ type: 'mic', mic: 'open' });
    } catch (error) {
      this.options.dispatch({ type: 'mic', mic: 'closed' });
      this.options.dispatch({ type: 'failed', error: problemOf(error) });
    }
  }

  /** Opens the session and starts (or rejoins) the interview. */
  begin = async (): Promise<void> => {
    if (this.begun || !this.socket || !this.sessionId) return;
    this.options.dispatch({ type: 'starting' });
    this.begun = true;
    const ok = await this.resumeAndReady(this.socket, true);
    if (!ok) this.begun = false;
  };

  /** Releases microphone, voice and socket (page unload). */
  dispose = (): void => {
    this.abort.abort();
    this.options.speech.cancel();
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    void this.capture?.close();
    this.options.levels.reset();
  };

  /** Audio position of the candidate channel on the server's timeline. */
  private audioMs(): number {
    return (this.seqBase + this.framesCaptured) * FRAME_MS;
  }

  private onFrame(pcm: ArrayBuffer, rms: number, peak: number): void {
    this.options.levels.set('candidate', { rms, peak });
    if (!this.begun || !this.outbox || this.ended) {
      // Mic check: levels only. Nothing captured before the interview starts leaves the browser.
      if (rms >= VOICE_RMS) this.options.dispatch({ type: 'voice-heard' });
      return;
    }
    this.outbox.push('candidate', pcm);
    this.framesCaptured++;
    const speaking = this.speaking;
    if (this.bargeIn.observe(rms, speaking?.audible === true) && speaking) {
      // The candidate talks over Viva: stop now; the speak() promise reports 'barge-in' to the server.
      this.options.speech.cancel();
    }
  }

  private wire(socket: CandidateSocket): void {
    const on = <T extends z.ZodType>(name: string, schema: T, handle: (event: z.infer<T>) => void) => {
      (socket as unknown as { on(name: string, listener: (payload: unknown) => void): void }).on(name, (payload) => {
        const parsed = schema.safeParse(payload);
        if (!parsed.success) {
          console.warn(`[viva] ignored malformed ${name} event`, parsed.error.issues);
          return;
        }
        const data = parsed.data as { sessionId?: unknown };
        if (this.sessionId && data.sessionId !== undefined && data.sessionId !== this.sessionId) return;
        handle(parsed.data);
      });
    };
    on('interview:question', InterviewQuestionEvent, (event) => {
      this.options.dispatch({ type: 'question', question: event, elapsedMs: event.elapsedMs, atMs: this.now() });
      void this.speak(event);
    });
    on('interview:listening', InterviewListeningEvent, (event) => {
      if (event.reason === 'barge-in' && this.speaking?.questionId === event.questionId) this.options.speech.cancel();
      this.options.dispatch({ type: 'listening', questionId: event.questionId });
    });
    on('interview:thinking', InterviewThinkingEvent, (event) => this.options.dispatch({ type: 'thinking', questionId: event.questionId }));
    on('interview:end', InterviewEndEvent, (event) => void this.finish(event));

    socket.on('connect', () => void this.onConnect(socket));
    socket.on('connect_error', () => {
      if (!this.sessionId) this.options.dispatch({ type: 'failed', error: { code: 'server-unreachable', message: 'cannot reach the interview server' } });
    });
    socket.on('disconnect', (reason) => {
      this.online = false;
      this.outbox?.goOffline();
      if (!this.ended) this.options.dispatch({ type: 'online', online: false });
      // After a server-side disconnect Socket.IO does not reconnect by itself.
      if (reason === 'io server disconnect' && !this.abort.signal.aborted) socket.connect();
    });
  }

  /** Every connection (the first and each reconnect) joins with the token; an interview under way is resumed. */
  private async onConnect(socket: CandidateSocket): Promise<void> {
    try {
      const reply = await socket.timeout(this.ackTimeoutMs).emitWithAck('interview:join', { token: this.options.token });
      const ack = parseAck(InterviewJoinResult, reply);
      if (!ack.ok) {
        if (!this.ended) this.options.dispatch({ type: 'failed', error: ack.error });
        return;
      }
      this.sessionId = ack.data.sessionId;
      this.language = ack.data.language;
      this.options.dispatch({ type: 'joined', info: ack.data });
      if (this.begun && !this.ended) await this.resumeAndReady(socket, false);
    } catch (error) {
      // An ack timeout on a flapping link: Socket.IO reconnects and this runs again.
      if (!this.sessionId) this.options.dispatch({ type: 'failed', error: problemOf(error) });
    }
  }

  private async resumeAndReady(socket: CandidateSocket, first: boolean): Promise<boolean> {
    const sessionId = this.sessionId;
    if (!sessionId) return false;
    try {
      const resumed = parseAck(SessionResumeResult, await socket.timeout(this.ackTimeoutMs).emitWithAck('session:resume', { sessionId }));
      if (!resumed.ok) throw Object.assign(new Error(resumed.error.message), { code: resumed.error.code });
      const serverNext = resumed.data.nextSeq.candidate ?? 0;
      if (!this.outbox) {
        // A reloaded page continues the server's numbering; the outbox counts from 0 locally.
        this.seqBase = serverNext;
        this.outbox = new FrameOutbox({
          channels: ['candidate'],
          capacityFrames: this.options.bufferCapacityFrames ?? (2 * 60 * 1000) / FRAME_MS,
          send: (frame) => this.socket?.emit('audio:frame', { sessionId, channel: 'candidate', seq: frame.seq + this.seqBase, pcm: frame.pcm }),
        });
      } else {
        this.outbox.resume({ candidate: Math.max(0, serverNext - this.seqBase) });
      }
      this.online = true;
      this.options.dispatch({ type: 'online', online: true });
      const ready = parseAck(InterviewReadyResult, await socket.timeout(this.ackTimeoutMs).emitWithAck('interview:ready', { sessionId }));
      if (!ready.ok) throw Object.assign(new Error(ready.error.message), { code: ready.error.code });
      this.options.dispatch({ type: 'started', phase: ready.data.phase, question: ready.data.question, elapsedMs: ready.data.elapsedMs, atMs: this.now() });
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const problem = typeof code === 'string' ? { code, message: (error as Error).message } : problemOf(error);
      if (first || problem.code !== 'server-unreachable') this.options.dispatch({ type: 'failed', error: problem });
      return false;
    }
  }

  private async speak(question: InterviewQuestionEvent): Promise<void> {
    const attempt = ++this.speakAttempt;
    // A repeated question (after a reconnect) replaces whatever was being said.
    if (this.speaking) this.options.speech.cancel();
    this.speaking = { questionId: question.questionId, attempt, audible: false };
    this.bargeIn.reset();
    const outcome = await this.options.speech.speak(question.text, this.language, () => {
      if (this.speaking?.attempt !== attempt) return;
      this.speaking.audible = true;
      this.options.dispatch({ type: 'viva-speaking', speaking: true });
      this.socket?.emit('interview:speaking-start', { sessionId: question.sessionId, questionId: question.questionId, audioMs: this.audioMs() });
    });
    if (this.speaking?.attempt !== attempt) return; // superseded: the newer attempt reports for itself
    this.speaking = null;
    this.options.dispatch({ type: 'viva-speaking', speaking: false });
    if (this.ended) return;
    const reason = outcome === 'cancelled' ? 'barge-in' : outcome;
    this.socket?.emit('interview:speaking-end', { sessionId: question.sessionId, questionId: question.questionId, audioMs: this.audioMs(), reason });
  }

  private async finish(event: InterviewEndEvent): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.speaking = null;
    this.options.speech.cancel();
    this.options.dispatch({ type: 'ended', end: event });
    const socket = this.socket;
    try {
      if (this.capture) await this.capture.flush(AbortSignal.any([this.abort.signal, AbortSignal.timeout(1_000)])).catch(() => {});
      await this.capture?.close();
      this.capture = null;
      this.options.levels.reset();
      // The stop follows the last frames on the same connection, so once it is sent the server has the answer; its ack
      // may wait for the last transcripts, which are the server's business, not the candidate's (a few seconds at most).
      if (socket && this.online && this.sessionId) await socket.timeout(STOP_ACK_WAIT_MS).emitWithAck('session:stop', { sessionId: this.sessionId });
    } catch {
      // The server stops the session itself shortly after the end; nothing the candidate can do here.
    }
    this.options.dispatch({ type: 'saved' });
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}
