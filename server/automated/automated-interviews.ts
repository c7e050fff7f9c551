/**
 * Automated first-round interviews: the recruiter's REST routes (create an interview with a candidate link, status,
 * links, stop), the candidate's Socket.IO events (join with the link token, consent, ready, speaking reports), and the
 * session feature that runs the turn-taking on the live session once the candidate has consented.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import {
  AUTOMATED_CONSENT_TEXT_VERSION,
  CANDIDATE_FRAME_MS,
  AutomatedLanguage,
  CreateAutomatedInterviewRequest,
  InterviewConsentRequest,
  InterviewJoinRequest,
  InterviewReadyRequest,
  InterviewSpeakingEnd,
  InterviewSpeakingStart,
  type AutomatedAck,
  type AutomatedErrorCode,
  type AutomatedInterviewStatus,
  type CandidateClientToServerEvents,
  type CandidateServerToClientEvents,
  type InterviewJoinResult,
  type IssuedCandidateLink,
} from '../../protocol/automated.ts';
import { samplesToMs } from '../../protocol/audio.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../protocol/events.ts';
import type { Interview } from '../../protocol/interviews.ts';
import type { Channel, TranscriptEvent } from '../../protocol/schemas.ts';
import { ApiError, apiErrorHandler, parseOr400, type ApiLogger } from '../api/errors.ts';
import type { SessionFeature, StoredSession } from '../app.ts';
import type { Logger } from '../logger.ts';
import type { Session, SessionObserver } from '../session/session.ts';
import type { InterviewRepository } from '../store/repository.ts';
import type { AutomatedPlan, AutomatedRecord, AutomatedStore } from './automated-store.ts';
import type { FollowUpDecider } from './follow-up-decider.ts';
import { InterviewRunner } from './interview-runner.ts';
import type { LinkSigner } from './link-tokens.ts';
import { resolveTurnTakingConfig, type TurnTakingConfig } from './turn-taking.ts';

/** The VAD hook this feature needs on `SessionObserver` (proposed addition to server/session/session.ts). */
export interface SpeechObserver {
  onSpeech?(session: Session, event: { type: 'start' | 'end'; channel: Channel; atMs: number }): void;
}

type CandidateSocket = Socket<
  ClientToServerEvents & CandidateClientToServerEvents,
  ServerToClientEvents & CandidateServerToClientEvents
>;
type CandidateIo = Server<ClientToServerEvents & CandidateClientToServerEvents, ServerToClientEvents & CandidateServerToClientEvents>;

/** What the automated interviews are built from. */
export interface AutomatedInterviewsDeps {
  repository: InterviewRepository;
  store: AutomatedStore;
  signer: LinkSigner;
  decider: FollowUpDecider;
  logger: Logger;
  /** Turn-taking defaults for every interview (env); an interview's own `turnTaking` overrides them. */
  turnTaking?: Partial<Omit<TurnTakingConfig, 'timeBudgetMs'>>;
  /** After the end, the browser gets this long to flush its audio and stop the session itself (default 15 s). */
  stopGraceMs?: number;
  /** Longest wait for an answer's finals before deciding on a follow-up (default 4000 ms). */
  finalWaitMs?: number;
  /** `VIVA_PUBLIC_URL`: origin used in candidate links; default the origin the recruiter's request came to. */
  publicUrl?: string;
  now?: () => number;
}

/** The pieces the lead wires into the app. */
export interface AutomatedInterviews {
  /** Add to `AppDeps.features` (see docs/automated.md for the order). */
  feature: SessionFeature;
  /** Mount under `/api`. */
  router: Router;
  /** Call once with `app.io` after `createApp`. */
  installSocketHandlers(io: unknown): void;
  /** The question a candidate turn answers, for the answer analysis; undefined when not an automated session. */
  questionForTurn(sessionId: string, turn: { startMs: number }): string | undefined;
  /** True when a candidate turn was judged to be Viva's own voice: store it, but do not score it. */
  isEchoTurn(sessionId: string, turn: { startMs: number }): boolean;
  /** Creates an automated interview and its first candidate link (what `POST /api/automated-interviews` does). */
  createInterview(request: z.input<typeof CreateAutomatedInterviewRequest>, origin: string): { interview: Interview; link: IssuedCandidateLink };
  /** Stops every running interview's timers. */
  close(): void;
}

const roomOf = (interviewId: string) => `automated:${interviewId}`;
const HOUR_MS = 3_600_000;

function fail<T>(code: AutomatedErrorCode, message: string): AutomatedAck<T> {
  return { ok: false, error: { code, message } };
}

function safeAck<T>(ack: unknown): (reply: AutomatedAck<T>) => void {
  return typeof ack === 'function' ? (ack as (reply: AutomatedAck<T>) => void) : () => {};
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`).join('; ');
}

/** Builds the automated-interview routes, socket handlers and session feature. */
export function createAutomatedInterviews(deps: AutomatedInterviewsDeps): AutomatedInterviews {
  const { repository, store, signer, logger } = deps;
  const now = deps.now ?? Date.now;
  const runners = new Map<string, { runner: InterviewRunner; session: Session; stopTimer?: NodeJS.Timeout }>();
  /** Sockets that sent `interview:ready`, per interview: presence for the disconnect grace. */
  const present = new Map<string, Set<string>>();
  let io: CandidateIo | null = null;

  const configFor = (record: AutomatedRecord): TurnTakingConfig =>
    resolveTurnTakingConfig({ ...deps.turnTaking, ...record.plan.turnTaking, timeBudgetMs: record.plan.timeBudgetMs });

  function issueLink(interviewId: string, validHours: number, origin: string): IssuedCandidateLink {
    const nowMs = now();
    const link = store.createLink(interviewId, Math.round(nowMs + validHours * HOUR_MS), nowMs);
    const token = signer.sign({ interviewId, linkId: link.linkId, expiresAtMs: link.expiresAtMs });
    const base = (deps.publicUrl ?? origin).replace(/\/+$/, '');
    return { ...link, token, url: `${base}/interview#${token}` };
  }

  function createInterview(input: z.input<typeof CreateAutomatedInterviewRequest>, origin: string) {
    const request = CreateAutomatedInterviewRequest.parse(input);
    const plan: AutomatedPlan = { timeBudgetMs: Math.round(request.timeBudgetMinutes * 60_000), turnTaking: request.turnTaking ?? {} };
    // Check the knobs before anything is stored: a bad combination is the recruiter's 400, not a crash at start.
    resolveTurnTakingConfig({ ...deps.turnTaking, ...plan.turnTaking, timeBudgetMs: plan.timeBudgetMs });
    const interview = repository.createInterview({
      title: request.title ?? null,
      role: request.role,
      jobDescription: request.jobDescription ?? null,
      candidateName: request.candidateName ?? null,
      language: request.language,
      mode: 'automated',
      context: { plannedQuestions: request.plannedQuestions, ...(request.rubric ? { rubric: request.rubric } : {}) },
      // 'live' keeps ended_at empty until the interview really ends (retention counts from there).
      status: 'live',
    });
    try {
      store.create(interview.id, plan, now());
      repository.updateInterviewStatus(interview.id, 'live', { message: 'automated interview: waiting for the candidate' });
      const link = issueLink(interview.id, request.linkValidHours, origin);
      store.appendEvent(interview.id, 'created', { linkId: link.linkId, timeBudgetMs: plan.timeBudgetMs }, now());
      return { interview: repository.getInterview(interview.id) ?? interview, link };
    } catch (error) {
      void repository.deleteInterview(interview.id);
      throw error;
    }
  }

  /** Checks a token; an expired link still lets a candidate back into an interview already running. */
  function checkToken(token: string): { ok: true; record: AutomatedRecord; interview: Interview; expiresAtMs: number } | { ok: false; code: AutomatedErrorCode; message: string } {
    const check = signer.verify(token, now());
    if (!check.ok && check.problem !== 'expired') return { ok: false, code: 'link-invalid', message: 'this interview link is not valid' };
    const claims = check.ok ? check.claims : check.claims;
    if (!claims) return { ok: false, code: 'link-invalid', message: 'this interview link is not valid' };
    const link = store.getLink(claims.linkId);
    const record = store.get(claims.interviewId);
    const interview = repository.getInterview(claims.interviewId);
    if (!link || link.interviewId !== claims.interviewId || !record || !interview) {
      return { ok: false, code: 'link-invalid', message: 'this interview link is not valid (the interview may have been deleted)' };
    }
    if (link.revokedAtMs !== null) return { ok: false, code: 'link-revoked', message: 'this interview link was withdrawn' };
    if (record.state === 'ended') return { ok: false, code: 'interview-ended', message: 'this interview has already taken place' };
    if (!check.ok && record.state !== 'running') return { ok: false, code: 'link-expired', message: 'this interview link has expired' };
    return { ok: true, record, interview, expiresAtMs: claims.expiresAtMs };
  }

  function joinResult(record: AutomatedRecord, interview: Interview, expiresAtMs: number): InterviewJoinResult {
    return {
      interviewId: interview.id,
      sessionId: interview.id,
      language: AutomatedLanguage.parse(interview.language),
      title: interview.title,
      role: interview.role,
      candidateName: interview.candidateName,
      questionCount: interview.context.plannedQuestions?.length ?? 0,
      timeBudgetMs: record.plan.timeBudgetMs,
      linkExpiresAtMs: expiresAtMs,
      state: record.state,
      consentAtMs: record.consentAtMs,
      consentTextVersion: AUTOMATED_CONSENT_TEXT_VERSION,
    };
  }

  function emitTo(interviewId: string) {
    return <E extends keyof CandidateServerToClientEvents>(event: E, ...args: Parameters<CandidateServerToClientEvents[E]>) => {
      io?.to(roomOf(interviewId)).emit(event, ...args);
    };
  }

  function finish(interviewId: string, reason: string, immediate: boolean): void {
    const entry = runners.get(interviewId);
    const nowMs = now();
    store.update(interviewId, { state: 'ended', endedAtMs: nowMs, endReason: reason as AutomatedRecord['endReason'] }, nowMs);
    if (!entry) return;
    // The browser flushes its last audio and sends session:stop; if it does not (gone, crashed), stop it here.
    entry.stopTimer = setTimeout(
      () => {
        if (!entry.session.stopped) void entry.session.stop().catch((error: unknown) => logger.warn(`automated ${interviewId}: stop failed: ${String(error)}`));
      },
      immediate ? 0 : (deps.stopGraceMs ?? 15_000),
    );
    entry.stopTimer.unref();
  }

  function saveQuestionTurn(session: Session, turn: { turnId: string; text: string; startMs: number; endMs: number }): void {
    try {
      repository.saveTurn(session.id, { turnId: turn.turnId, channel: 'interviewer', text: turn.text, startMs: turn.startMs, endMs: turn.endMs, language: session.language });
    } catch (error) {
      logger.warn(`automated ${session.id}: could not store question turn ${turn.turnId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The session's finals are the conversation the answer analysis reads its history from: Viva's questions belong there.
    const event: TranscriptEvent = { sessionId: session.id, turnId: turn.turnId, channel: 'interviewer', text: turn.text, startMs: turn.startMs, endMs: turn.endMs };
    const index = session.finals.findIndex((final) => final.turnId === turn.turnId);
    if (index >= 0) session.finals[index] = event;
    else session.finals.push(event);
  }

  const feature: SessionFeature = {
    findStoredSession(sessionId): StoredSession | undefined {
      const record = store.get(sessionId);
      // Before consent nothing may be captured: the session cannot be opened, so audio frames are refused.
      if (!record || (record.state !== 'consented' && record.state !== 'running')) return undefined;
      const interview = repository.getInterview(sessionId);
      if (!interview) return undefined;
      return {
        sessionId,
        language: interview.language,
        channels: ['candidate'],
        context: {
          mode: 'automated',
          ...(interview.title ? { title: interview.title } : {}),
          ...(interview.role ? { role: interview.role } : {}),
          ...(interview.jobDescription ? { jobDescription: interview.jobDescription } : {}),
          ...(interview.candidateName ? { candidateName: interview.candidateName } : {}),
          ...(interview.context.rubric ? { rubric: interview.context.rubric } : {}),
          ...(interview.context.plannedQuestions ? { plannedQuestions: interview.context.plannedQuestions } : {}),
        },
        resumeFrom: repository.getChannelProgress(sessionId),
      };
    },

    attach(session) {
      const record = store.get(session.id);
      if (!record || session.context.mode !== 'automated' || record.state === 'ended' || record.state === 'invited') return {};
      const interviewId = session.id;
      const emit = emitTo(interviewId);
      const stopController = new AbortController();
      const runner = new InterviewRunner({
        sessionId: interviewId,
        language: AutomatedLanguage.parse(session.language),
        questions: (session.context.plannedQuestions ?? []).map((question) => ({ id: question.id, text: question.text })),
        config: configFor(record),
        role: session.context.role ?? null,
        jobDescription: session.context.jobDescription ?? null,
        decider: deps.decider,
        logger,
        signal: stopController.signal,
        ...(deps.finalWaitMs === undefined ? {} : { finalWaitMs: deps.finalWaitMs }),
        // The candidate page sends 100 ms frames: the frames received say where its audio stands right now.
        receivedMs: () => (session.nextSeq().candidate ?? 0) * CANDIDATE_FRAME_MS,
        now,
        sink: {
          question: (event) => emit('interview:question', event),
          listening: (event) => emit('interview:listening', event),
          thinking: (event) => emit('interview:thinking', event),
          end: (event) => emit('interview:end', event),
          record: (type, data) => {
            try {
              store.appendEvent(interviewId, type, data, now());
            } catch (error) {
              logger.warn(`automated ${interviewId}: could not record ${type}: ${String(error)}`);
            }
          },
          saveQuestionTurn: (turn) => saveQuestionTurn(session, turn),
          finished: (reason) => finish(interviewId, reason, reason === 'disconnected' || reason === 'stopped'),
        },
      });
      const entry = { runner, session };
      runners.set(interviewId, entry);
      logger.info(`automated interview ${interviewId}: session attached`);

      let heardSpeechEvent = false;
      let warnedNoHook = false;
      const observer: SessionObserver & SpeechObserver = {
        onSpeech(_session, event) {
          heardSpeechEvent = true;
          if (event.channel !== 'candidate') return;
          if (event.type === 'start') runner.speechStart(event.atMs);
          else runner.speechEnd(event.atMs);
        },
        onFinal(_session, turn) {
          if (turn.channel !== 'candidate') return;
          if (!heardSpeechEvent && !warnedNoHook) {
            // A final without any VAD event before it: the app does not forward SessionObserver.onSpeech.
            warnedNoHook = true;
            logger.error(`automated ${interviewId}: the session does not report VAD events (SessionObserver.onSpeech is not wired): Viva cannot hear the candidate; see docs/automated.md`);
          }
          runner.final(turn);
        },
        onProgress(_session, channel, _nextSeq, samples) {
          if (channel === 'candidate') runner.progress(samplesToMs(samples));
        },
        onStop() {
          if (!runner.isEnded) runner.stop();
          stopController.abort();
          clearTimeout(runners.get(interviewId)?.stopTimer);
          if (runners.get(interviewId)?.runner === runner) runners.delete(interviewId);
          const current = store.get(interviewId);
          if (current && current.state !== 'ended') store.update(interviewId, { state: 'ended', endedAtMs: now(), endReason: 'stopped' }, now());
          const ended = store.get(interviewId);
          try {
            repository.updateInterviewStatus(interviewId, 'stopped', {
              message: `automated interview (AI-run) ended: ${ended?.endReason ?? 'stopped'}`,
            });
          } catch (error) {
            logger.warn(`automated ${interviewId}: could not update the status: ${String(error)}`);
          }
        },
      };
      return observer;
    },
  };

  function installSocketHandlers(ioArg: unknown): void {
    io = ioArg as CandidateIo;
    io.on('connection', (socket: CandidateSocket) => {
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
        const checked = checkToken(parsed.data.token);
        if (!checked.ok) return ack(fail(checked.code, checked.message));
        if (joinedId !== null && joinedId !== checked.interview.id) void socket.leave(roomOf(joinedId));
        joinedId = checked.interview.id;
        void socket.join(roomOf(joinedId));
        ack({ ok: true, data: joinResult(checked.record, checked.interview, checked.expiresAtMs) });
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
    });
  }

  const router = buildRouter();

  function buildRouter(): Router {
    const r = express.Router();
    const json = express.json({ limit: '1mb' });
    const IdParams = z.object({ id: z.string().min(1).max(200) });
    const LinkParams = IdParams.extend({ linkId: z.string().min(1).max(100) });
    const NewLinkBody = z.strictObject({ validHours: z.number().min(0.05).max(24 * 60).default(72) });
    const originOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;
    const requireAutomated = (id: string) => {
      const record = store.get(id);
      if (!record) throw new ApiError(404, 'not-found', `no automated interview with id "${id}"`);
      return record;
    };
    const route =
      (handler: (req: Request, res: Response) => void) =>
      (req: Request, res: Response): void => {
        handler(req, res);
      };

    r.post(
      '/automated-interviews',
      json,
      route((req, res) => {
        const body = parseOr400(CreateAutomatedInterviewRequest, req.body ?? {}, 'body');
        let created;
        try {
          created = createInterview(body, originOf(req));
        } catch (error) {
          if (error instanceof RangeError) throw new ApiError(400, 'invalid-request', `invalid body: turnTaking: ${error.message}`);
          throw error;
        }
        res.status(201).location(`/api/automated-interviews/${created.interview.id}`).json(created);
      }),
    );

    r.get(
      '/automated-interviews/:id',
      route((req, res) => {
        const { id } = parseOr400(IdParams, req.params, 'path');
        const record = requireAutomated(id);
        const interview = repository.getInterview(id);
        const status: AutomatedInterviewStatus = {
          interviewId: id,
          state: record.state,
          timeBudgetMs: record.plan.timeBudgetMs,
          startedAtMs: record.startedAtMs,
          endedAtMs: record.endedAtMs,
          endReason: record.endReason,
          consent: interview?.consent ?? null,
          links: store.listLinks(id),
          events: store.events(id),
        };
        res.json(status);
      }),
    );

    r.post(
      '/automated-interviews/:id/links',
      json,
      route((req, res) => {
        const { id } = parseOr400(IdParams, req.params, 'path');
        const body = parseOr400(NewLinkBody, req.body ?? {}, 'body');
        const record = requireAutomated(id);
        if (record.state === 'ended') throw new ApiError(409, 'conflict', 'this interview has already taken place');
        res.status(201).json(issueLink(id, body.validHours, originOf(req)));
      }),
    );

    r.delete(
      '/automated-interviews/:id/links/:linkId',
      route((req, res) => {
        const { id, linkId } = parseOr400(LinkParams, req.params, 'path');
        requireAutomated(id);
        const link = store.getLink(linkId);
        if (!link || link.interviewId !== id) throw new ApiError(404, 'not-found', `no link ${linkId} for interview ${id}`);
        store.revokeLink(linkId, now());
        store.appendEvent(id, 'link-revoked', { linkId }, now());
        res.status(204).end();
      }),
    );

    r.post(
      '/automated-interviews/:id/stop',
      route((req, res) => {
        const { id } = parseOr400(IdParams, req.params, 'path');
        const record = requireAutomated(id);
        const entry = runners.get(id);
        if (entry && !entry.runner.isEnded) entry.runner.stop();
        else if (record.state !== 'ended') store.update(id, { state: 'ended', endedAtMs: now(), endReason: 'stopped' }, now());
        res.status(202).json({ interviewId: id, state: 'ended' });
      }),
    );

    const apiLogger: ApiLogger = {
      info: (message) => logger.info(message),
      warn: (message) => logger.warn(message),
      error: (message, fields) => logger.error(`${message} ${fields ? JSON.stringify(fields) : ''}`),
    };
    r.use('/automated-interviews', apiErrorHandler(apiLogger));
    return r;
  }

  return {
    feature,
    router,
    installSocketHandlers,
    questionForTurn(sessionId, turn) {
      return runners.get(sessionId)?.runner.questionFor(turn.startMs);
    },
    isEchoTurn(sessionId, turn) {
      return runners.get(sessionId)?.runner.isEcho(turn.startMs) ?? false;
    },
    createInterview,
    close() {
      for (const entry of runners.values()) {
        clearTimeout(entry.stopTimer);
        entry.runner.dispose();
      }
    },
  };
}
