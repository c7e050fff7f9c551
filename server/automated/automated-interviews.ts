/**
 * Automated first-round interviews: what the recruiter's routes, the candidate's socket events and the per-session
 * interviewer share — the stored interview and links, the running interview runners, and presence. The pieces that use
 * it: `automated-router.ts` (REST), `candidate-socket.ts` (Socket.IO), `automated-subscriber.ts` (the session's events).
 */
import type { z } from 'zod';
import {
  AUTOMATED_CONSENT_TEXT_VERSION,
  AutomatedLanguage,
  CreateAutomatedInterviewRequest,
  type AutomatedErrorCode,
  type CandidateServerToClientEvents,
  type InterviewJoinResult,
  type IssuedCandidateLink,
} from '../../protocol/automated.ts';
import type { Interview } from '../../protocol/interviews.ts';
import type { Logger } from '../logger.ts';
import type { Session } from '../session/session.ts';
import type { InterviewRepository } from '../store/repository.ts';
import type { AutomatedPlan, AutomatedRecord, AutomatedStore } from './automated-store.ts';
import type { FollowUpDecider } from './follow-up-decider.ts';
import type { InterviewRunner } from './interview-runner.ts';
import type { LinkSigner } from './link-tokens.ts';
import { resolveTurnTakingConfig, type TurnTakingConfig } from './turn-taking.ts';

/** Sends a candidate event to everyone in an automated interview's candidate room. */
export type CandidateEmit = (
  interviewId: string,
) => <E extends keyof CandidateServerToClientEvents>(event: E, ...args: Parameters<CandidateServerToClientEvents[E]>) => void;

/** What the automated interviews are built from. */
export interface AutomatedInterviewsDeps {
  repository: InterviewRepository;
  store: AutomatedStore;
  signer: LinkSigner;
  decider: FollowUpDecider;
  logger: Logger;
  /** Emits to the candidate room (`candidateRoomOf`) of an interview. */
  emitToCandidate: CandidateEmit;
  /** Turn-taking defaults for every interview; an interview's own `turnTaking` overrides them. */
  turnTaking?: Partial<Omit<TurnTakingConfig, 'timeBudgetMs'>>;
  /** After the end, the browser gets this long to flush its audio and stop the session itself (default 15 s). */
  stopGraceMs?: number;
  /** Longest wait for an answer's finals before deciding on a follow-up (default 4000 ms). */
  finalWaitMs?: number;
  /** `VIVA_PUBLIC_URL`: origin used in candidate links. */
  publicUrl?: string;
  /** The origin of candidate links without a public URL: the address the server listens on (never a request's Host). */
  linkOrigin?: () => string;
  now?: () => number;
}

/** A running interview: its turn-taking runner on its live session. */
export interface RunningInterview {
  runner: InterviewRunner;
  session: Session;
  stopTimer?: NodeJS.Timeout;
}

/** The Socket.IO room of an automated interview's candidate page. */
export const candidateRoomOf = (interviewId: string): string => `automated:${interviewId}`;
const HOUR_MS = 3_600_000;

/** The state and operations the automated pieces share. */
export type AutomatedInterviews = ReturnType<typeof createAutomatedInterviews>;

/** Builds the shared part of automated interviews. */
export function createAutomatedInterviews(deps: AutomatedInterviewsDeps) {
  const { repository, store, signer, logger } = deps;
  const now = deps.now ?? Date.now;
  const runners = new Map<string, RunningInterview>();
  /** Sockets that sent `interview:ready`, per interview: presence for the disconnect grace. */
  const present = new Map<string, Set<string>>();

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

  /** What `interview:join` acknowledges. */
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

  /** Marks an interview ended; the browser gets the grace time to stop its session, else it is stopped here. */
  function finish(interviewId: string, reason: string, immediate: boolean): void {
    const entry = runners.get(interviewId);
    const nowMs = now();
    store.update(interviewId, { state: 'ended', endedAtMs: nowMs, endReason: reason as AutomatedRecord['endReason'] }, nowMs);
    // Ended now, for the recruiter's list too: the last finals and the scoring go on after, and must not keep it 'live'.
    try {
      repository.updateInterviewStatus(interviewId, 'stopped', { message: `automated interview (AI-run) ended: ${reason}` });
    } catch (error) {
      logger.warn(`automated ${interviewId}: could not update the status: ${String(error)}`);
    }
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

  return {
    deps,
    now,
    runners,
    present,
    configFor,
    issueLink,
    /** Creates an automated interview and its first candidate link (what `POST /api/automated-interviews` does). */
    createInterview,
    checkToken,
    joinResult,
    finish,
    /** Whether `session:resume` may open the interview's session: only after the candidate consented. */
    mayCapture(interviewId: string): boolean {
      const record = store.get(interviewId);
      return record !== null && record !== undefined && (record.state === 'consented' || record.state === 'running');
    },
    /** Stops every running interview's timers. */
    close(): void {
      for (const entry of runners.values()) {
        clearTimeout(entry.stopTimer);
        entry.runner.dispose();
      }
    },
  };
}
