import { z } from 'zod';
import { PrepLanguage } from './prep.ts';
import { PlannedQuestion, Rubric } from './schemas.ts';

// Automated first-round interviews: Viva asks, the candidate answers in a browser opened from a one-interview link.
// Candidate events travel on the same Socket.IO connection as `session:resume` / `audio:frame`; they are kept out of the
// shared event maps in events.ts so the interviewer client's exhaustive handler tables stay valid. docs/automated.md.

/** Languages an automated interview can be run in (Viva speaks, so 'auto' is not possible): the preparation languages. */
export const AutomatedLanguage = PrepLanguage;
export type AutomatedLanguage = z.infer<typeof AutomatedLanguage>;

/** Version of the consent text the candidate page shows (en and zh say the same thing); stored with the consent. */
export const AUTOMATED_CONSENT_TEXT_VERSION = 'automated-consent@1';

/** The candidate page sends 100 ms frames, so frame counts are positions on the candidate's audio timeline. */
export const CANDIDATE_FRAME_MS = 100;

/** Rough time to speak `text` aloud (ms): the browser's fallback when it has no voice, and the server's watchdog. */
export function estimateSpeakingMs(text: string): number {
  // ~4 Chinese characters or ~14 other characters per second of speech, plus a little lead-in.
  const cjk = (text.match(/[\u3400-\u9fff]/g) ?? []).length;
  const other = text.length - cjk;
  return Math.round(600 + (cjk / 4 + other / 14) * 1000);
}

/** A signed candidate link token: `v1.<payload>.<signature>`, base64url parts. */
export const InterviewToken = z
  .string()
  .min(20)
  .max(1000)
  .regex(/^[A-Za-z0-9._-]+$/, 'not a Viva interview link token');

/** Error codes of the candidate events (besides the shared ones). */
export const AutomatedErrorCode = z.enum([
  'invalid-payload',
  /** Signature, format or interview unknown. */
  'link-invalid',
  'link-expired',
  'link-revoked',
  /** The interview already ended; a link is good for one interview only. */
  'interview-ended',
  /** Audio or readiness before the candidate agreed to be recorded. */
  'consent-required',
  /** The socket has not joined with a valid token (or joined another interview). */
  'not-joined',
  'unknown-session',
  'internal',
]);
export type AutomatedErrorCode = z.infer<typeof AutomatedErrorCode>;

/** Ack of a candidate event. */
export type AutomatedAck<T> = { ok: true; data: T } | { ok: false; error: { code: AutomatedErrorCode; message: string } };

/** Where an automated interview stands. */
export const AutomatedState = z.enum(['invited', 'consented', 'running', 'ended']);
export type AutomatedState = z.infer<typeof AutomatedState>;

/** Why an automated interview ended. */
export const AutomatedEndReason = z.enum(['completed', 'time-up', 'no-response', 'disconnected', 'stopped']);
export type AutomatedEndReason = z.infer<typeof AutomatedEndReason>;

/** A question as Viva asks it. `index` is 1-based over the planned questions; a follow-up keeps its parent's index. */
export const AskedQuestion = z.object({
  questionId: z.string().min(1).max(100),
  text: z.string().min(1).max(2000),
  kind: z.enum(['planned', 'follow-up']),
  index: z.number().int().positive(),
  total: z.number().int().positive(),
});
export type AskedQuestion = z.infer<typeof AskedQuestion>;

/** Turn-taking phase shown to the candidate. */
export const InterviewPhase = z.enum(['waiting', 'speaking', 'listening', 'answering', 'thinking', 'paused', 'ended']);
export type InterviewPhase = z.infer<typeof InterviewPhase>;

// ---- client → server -------------------------------------------------------------------------------------------

/** `interview:join`: the candidate opened the link; binds this socket to the link's interview. Sent on every connect. */
export const InterviewJoinRequest = z.object({ token: InterviewToken });
export type InterviewJoinRequest = z.infer<typeof InterviewJoinRequest>;

/** `interview:join` reply: what the candidate page needs to show. */
export const InterviewJoinResult = z.object({
  interviewId: z.string(),
  /** The Socket.IO session id to `session:resume` and send `audio:frame` to (equal to the interview id). */
  sessionId: z.string(),
  language: AutomatedLanguage,
  title: z.string().nullable(),
  role: z.string().nullable(),
  candidateName: z.string().nullable(),
  questionCount: z.number().int().nonnegative(),
  timeBudgetMs: z.number().int().positive(),
  linkExpiresAtMs: z.number(),
  state: AutomatedState,
  consentAtMs: z.number().nullable(),
  /** Version of the consent text the server expects the candidate to have read. */
  consentTextVersion: z.string(),
});
export type InterviewJoinResult = z.infer<typeof InterviewJoinResult>;

/** `interview:consent`: the candidate agreed to be recorded and scored by an AI; stored with its time. */
export const InterviewConsentRequest = z.object({
  agreed: z.literal(true, { error: 'consent must be given explicitly (agreed: true)' }),
  /** Language the consent text was shown in. */
  locale: AutomatedLanguage,
  consentTextVersion: z.string().min(1).max(64),
});
export type InterviewConsentRequest = z.infer<typeof InterviewConsentRequest>;

/** `interview:consent` reply. */
export const InterviewConsentResult = z.object({ consentAtMs: z.number() });
export type InterviewConsentResult = z.infer<typeof InterviewConsentResult>;

/**
 * `interview:ready`: microphone checked and `session:resume` done; starts the interview, or after a reconnect asks the
 * server where it stands (the reply and a re-sent `interview:question` / `interview:listening` say so).
 */
export const InterviewReadyRequest = z.object({ sessionId: z.string().min(1).max(100) });
export type InterviewReadyRequest = z.infer<typeof InterviewReadyRequest>;

/** `interview:ready` reply. */
export const InterviewReadyResult = z.object({
  phase: InterviewPhase,
  question: AskedQuestion.nullable(),
  elapsedMs: z.number(),
  timeBudgetMs: z.number(),
});
export type InterviewReadyResult = z.infer<typeof InterviewReadyResult>;

/**
 * `interview:speaking-start`: the browser started speaking a question. `audioMs` is the candidate channel's audio
 * position (frames captured × frame length) at that moment, so the server can mark audio heard while Viva spoke.
 */
export const InterviewSpeakingStart = z.object({
  sessionId: z.string().min(1).max(100),
  questionId: z.string().min(1).max(100),
  audioMs: z.number().nonnegative(),
});
export type InterviewSpeakingStart = z.infer<typeof InterviewSpeakingStart>;

/**
 * `interview:speaking-end`: the browser stopped speaking: 'finished'; 'barge-in' (it heard the candidate and cancelled);
 * 'no-voice' / 'error' (no speech synthesis: the text was shown for an estimated reading time instead).
 */
export const InterviewSpeakingEnd = InterviewSpeakingStart.extend({
  reason: z.enum(['finished', 'barge-in', 'no-voice', 'error']),
});
export type InterviewSpeakingEnd = z.infer<typeof InterviewSpeakingEnd>;

// ---- server → client -------------------------------------------------------------------------------------------

/** `interview:question`: speak this now (and show it). A repeat after a reconnect carries the same `questionId`. */
export const InterviewQuestionEvent = AskedQuestion.extend({
  sessionId: z.string(),
  language: AutomatedLanguage,
  elapsedMs: z.number(),
  timeBudgetMs: z.number(),
});
export type InterviewQuestionEvent = z.infer<typeof InterviewQuestionEvent>;

/**
 * `interview:listening`: Viva listens; on 'barge-in' the browser must stop speaking at once; 'continued': the candidate
 * talks on after the answer was judged over (what they say is kept with the question while Viva decides).
 */
export const InterviewListeningEvent = z.object({
  sessionId: z.string(),
  questionId: z.string(),
  reason: z.enum(['spoken', 'barge-in', 'resumed', 'continued']),
});
export type InterviewListeningEvent = z.infer<typeof InterviewListeningEvent>;

/**
 * `interview:thinking`: the answer is judged finished; Viva decides between a follow-up and the next question, for at
 * most `maxWaitMs` (the decision timeout; then it moves on). Sent again when the candidate stops talking on meanwhile.
 */
export const InterviewThinkingEvent = z.object({ sessionId: z.string(), questionId: z.string(), maxWaitMs: z.number().nonnegative().optional() });
export type InterviewThinkingEvent = z.infer<typeof InterviewThinkingEvent>;

/** `interview:end`: the interview is over; the browser flushes its audio, sends `session:stop` and thanks the candidate. */
export const InterviewEndEvent = z.object({
  sessionId: z.string(),
  reason: AutomatedEndReason,
  questionsAsked: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
});
export type InterviewEndEvent = z.infer<typeof InterviewEndEvent>;

/** Candidate events the client sends (parsed with the schemas above on arrival). */
export interface CandidateClientToServerEvents {
  'interview:join': (request: InterviewJoinRequest, ack: (reply: AutomatedAck<InterviewJoinResult>) => void) => void;
  'interview:consent': (request: InterviewConsentRequest, ack: (reply: AutomatedAck<InterviewConsentResult>) => void) => void;
  'interview:ready': (request: InterviewReadyRequest, ack: (reply: AutomatedAck<InterviewReadyResult>) => void) => void;
  'interview:speaking-start': (event: InterviewSpeakingStart) => void;
  'interview:speaking-end': (event: InterviewSpeakingEnd) => void;
}

/** Candidate events the server sends. */
export interface CandidateServerToClientEvents {
  'interview:question': (event: InterviewQuestionEvent) => void;
  'interview:listening': (event: InterviewListeningEvent) => void;
  'interview:thinking': (event: InterviewThinkingEvent) => void;
  'interview:end': (event: InterviewEndEvent) => void;
}

// ---- REST (recruiter) ------------------------------------------------------------------------------------------

/** Turn-taking knobs an interview may override (ms). Defaults in docs/automated.md. */
export const TurnTakingOverrides = z.strictObject({
  answerEndPauseMs: z.number().int().min(500).max(15_000).optional(),
  thinkingPauseMs: z.number().int().min(500).max(30_000).optional(),
  noAnswerTimeoutMs: z.number().int().min(2_000).max(120_000).optional(),
  maxAnswerMs: z.number().int().min(10_000).max(1_800_000).optional(),
  /** Empty answers in a row after which the interview ends as 'no-response'. */
  maxSilentAnswers: z.number().int().min(1).max(20).optional(),
});
export type TurnTakingOverrides = z.infer<typeof TurnTakingOverrides>;

/** `POST /api/automated-interviews` body: role, question plan and time budget. */
export const CreateAutomatedInterviewRequest = z.strictObject({
  title: z.string().max(200).optional(),
  role: z.string().min(1).max(200),
  jobDescription: z.string().max(50_000).optional(),
  candidateName: z.string().max(200).optional(),
  language: AutomatedLanguage,
  plannedQuestions: z.array(PlannedQuestion).min(1).max(30),
  rubric: Rubric.optional(),
  timeBudgetMinutes: z.number().min(1).max(180),
  /** Hours the candidate link stays valid (default 72). */
  linkValidHours: z.number().min(0.05).max(24 * 60).default(72),
  turnTaking: TurnTakingOverrides.optional(),
});
export type CreateAutomatedInterviewRequest = z.input<typeof CreateAutomatedInterviewRequest>;

/** A candidate link as the recruiter sees it (the token only once, at creation). */
export const CandidateLink = z.object({
  linkId: z.string(),
  interviewId: z.string(),
  expiresAtMs: z.number(),
  createdAtMs: z.number(),
  revokedAtMs: z.number().nullable(),
});
export type CandidateLink = z.infer<typeof CandidateLink>;

/** A new link with its token and the URL to send. */
export const IssuedCandidateLink = CandidateLink.extend({
  token: InterviewToken,
  /** `<origin>/interview#<token>`: the token stays in the fragment, out of server and proxy logs. */
  url: z.string(),
});
export type IssuedCandidateLink = z.infer<typeof IssuedCandidateLink>;

/** One thing that happened in an automated interview, for the recruiter's timeline. */
export const AutomatedEventRecord = z.object({
  atMs: z.number(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type AutomatedEventRecord = z.infer<typeof AutomatedEventRecord>;

/** `GET /api/automated-interviews/{id}` reply. */
export const AutomatedInterviewStatus = z.object({
  interviewId: z.string(),
  state: AutomatedState,
  timeBudgetMs: z.number(),
  startedAtMs: z.number().nullable(),
  endedAtMs: z.number().nullable(),
  endReason: AutomatedEndReason.nullable(),
  consent: z
    .object({ given: z.boolean(), atMs: z.number().optional(), method: z.string().optional(), note: z.string().optional() })
    .nullable(),
  links: z.array(CandidateLink),
  events: z.array(AutomatedEventRecord),
});
export type AutomatedInterviewStatus = z.infer<typeof AutomatedInterviewStatus>;
