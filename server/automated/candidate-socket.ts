/** The candidate's Socket.IO events: join with the link token, consent, ready, and Viva's own speaking reports. */
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import {
  AUTOMATED_CONSENT_TEXT_VERSION,
  InterviewConsentRequest,
  InterviewJoinRequest,
  InterviewReadyRequest,
  InterviewSpeakingEnd,
  InterviewSpeakingStart,
  type AutomatedAck,
  type AutomatedErrorCode,
  type InterviewJoinResult,
} from '../../protocol/automated.ts';
import type { CandidateClientEvents, CandidateServerEvents } from '../../protocol/events.ts';
import { scopeToCandidate } from '../session/socket-scope.ts';
import { candidateRoomOf, type AutomatedInterviews } from './automated-interviews.ts';
import type { InterviewRunner } from './interview-runner.ts';

/** A socket speaking the shared protocol plus the candidate events. */
export type CandidateSocket = Socket<CandidateClientEvents, CandidateServerEvents>;

function fail<T>(code: AutomatedErrorCode, message: string): AutomatedAck<T> {
  return { ok: false, error: { code, message } };
}

function safeAck<T>(ack: unknown): (reply: AutomatedAck<T>) => void {
  return typeof ack === 'function' ? (ack as (reply: AutomatedAck<T>) => void) : () => {};
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');
}

/** Builds the candidate's connection handler. */
export function createCandidateSocketHandler(automated: AutomatedInterviews): (socket: CandidateSocket) => void {
  const { store, repository } = automated.deps;
  const { now, runners, present } = automated;
  return (socket: CandidateSocket) => {
    let joinedId: string | null = null;

    const requireJoined = <T>(ack: (reply: AutomatedAck<T>) => void): string | null => {
      if (joinedId === null) {
        ack(fail('not-joined', 'send interview:join with the link token first'));
        return null;
      }
      return joinedId;
    };

    socket.on('interview:join', (request, ackArg) => {
      const ack = safeAck<InterviewJoinResult>(ackArg);
      const parsed = InterviewJoinRequest.safeParse(request);
      if (!parsed.success) return ack(fail('link-invalid', 'this interview link is not valid'));
      const checked = automated.checkToken(parsed.data.token);
      if (!checked.ok) return ack(fail(checked.code, checked.message));
      if (joinedId !== null && joinedId !== checked.interview.id) void socket.leave(candidateRoomOf(joinedId));
      joinedId = checked.interview.id;
      scopeToCandidate(socket, joinedId);
      void socket.join(candidateRoomOf(joinedId));
      ack({ ok: true, data: automated.joinResult(checked.record, checked.interview, checked.expiresAtMs) });
    });

    socket.on('interview:consent', (request, ackArg) => {
      const ack = safeAck<{ consentAtMs: number }>(ackArg);
      const interviewId = requireJoined(ack);
      if (interviewId === null) return;
      const parsed = InterviewConsentRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describe(parsed.error)));
      if (parsed.data.consentTextVersion !== AUTOMATED_CONSENT_TEXT_VERSION) {
        return ack(fail('invalid-payload', `consent text ${parsed.data.consentTextVersion} is not the current one (${AUTOMATED_CONSENT_TEXT_VERSION}); reload the page`));
      }
      const record = store.get(interviewId);
      if (!record) return ack(fail('link-invalid', 'the interview no longer exists'));
      if (record.state === 'ended') return ack(fail('interview-ended', 'this interview has already taken place'));
      if (record.consentAtMs !== null) return ack({ ok: true, data: { consentAtMs: record.consentAtMs } });
      const atMs = now();
      try {
        repository.updateInterview(interviewId, {
          consent: {
            given: true,
            atMs,
            method: 'checkbox',
            by: 'candidate (automated interview link)',
            note: `${AUTOMATED_CONSENT_TEXT_VERSION} shown in ${parsed.data.locale}: the interview is recorded, transcribed and scored by an AI`,
          },
        });
        store.update(interviewId, { state: 'consented', consentAtMs: atMs }, atMs);
        store.appendEvent(interviewId, 'consent', { locale: parsed.data.locale, version: parsed.data.consentTextVersion }, atMs);
      } catch (error) {
        // A full disk must not take the server down from a socket handler: the consent is simply not given yet.
        return ack(fail('internal', `the consent could not be saved: ${error instanceof Error ? error.message : String(error)}`));
      }
      ack({ ok: true, data: { consentAtMs: atMs } });
    });

    socket.on('interview:ready', (request, ackArg) => {
      const ack = safeAck<ReturnType<InterviewRunner['ready']>>(ackArg);
      const interviewId = requireJoined(ack);
      if (interviewId === null) return;
      const parsed = InterviewReadyRequest.safeParse(request);
      if (!parsed.success) return ack(fail('invalid-payload', describe(parsed.error)));
      if (parsed.data.sessionId !== interviewId) return ack(fail('not-joined', 'this socket joined another interview'));
      const record = store.get(interviewId);
      if (!record) return ack(fail('link-invalid', 'the interview no longer exists'));
      if (record.state === 'ended') return ack(fail('interview-ended', 'this interview has already taken place'));
      if (record.state === 'invited') return ack(fail('consent-required', 'the candidate has not agreed to the recording yet'));
      const entry = runners.get(interviewId);
      if (!entry || entry.session.stopped) return ack(fail('unknown-session', 'send session:resume with the interview id first'));
      let sockets = present.get(interviewId);
      if (!sockets) present.set(interviewId, (sockets = new Set()));
      sockets.add(socket.id);
      if (record.state === 'consented') {
        store.update(interviewId, { state: 'running', startedAtMs: now() }, now());
        repository.updateInterviewStatus(interviewId, 'live', { message: 'automated interview (AI-run) in progress' });
      }
      ack({ ok: true, data: entry.runner.ready() });
    });

    socket.on('interview:speaking-start', (event) => {
      const parsed = InterviewSpeakingStart.safeParse(event);
      if (!parsed.success || parsed.data.sessionId !== joinedId) return;
      runners.get(parsed.data.sessionId)?.runner.speakingStart(parsed.data.questionId, parsed.data.audioMs);
    });

    socket.on('interview:speaking-end', (event) => {
      const parsed = InterviewSpeakingEnd.safeParse(event);
      if (!parsed.success || parsed.data.sessionId !== joinedId) return;
      runners.get(parsed.data.sessionId)?.runner.speakingEnd(parsed.data.questionId, parsed.data.audioMs, parsed.data.reason);
    });

    socket.on('disconnect', () => {
      if (joinedId === null) return;
      const sockets = present.get(joinedId);
      if (!sockets?.delete(socket.id)) return;
      if (sockets.size === 0) {
        present.delete(joinedId);
        runners.get(joinedId)?.runner.disconnected();
      }
    });
  };
}
