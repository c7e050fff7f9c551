import { z } from 'zod';
import { SAMPLE_RATE } from './audio.ts';

/** Spoken language of a session: English, Mandarin Chinese, or detected per turn. */
export const Language = z.enum(['en', 'zh', 'auto']);
export type Language = z.infer<typeof Language>;

/** Who is speaking on an audio channel. */
export const Channel = z.enum(['interviewer', 'candidate']);
export type Channel = z.infer<typeof Channel>;

/** One dimension of the scoring rubric; `weight` is relative (weights need not sum to 1). */
export const RubricDimension = z.object({
  id: z.string().min(1).max(64).regex(/^[a-z0-9_-]+$/),
  name: z.string().min(1).max(120),
  description: z.string().max(2000).default(''),
  weight: z.number().positive().max(100).default(1),
});
export type RubricDimension = z.infer<typeof RubricDimension>;

/** A rubric: dimensions scored 1-10 for each answer, with a version recorded on every score. */
export const Rubric = z.object({
  version: z.string().min(1).max(64).default('custom'),
  dimensions: z.array(RubricDimension).min(1).max(12),
});
export type Rubric = z.infer<typeof Rubric>;

/** A question the interviewer plans to ask. */
export const PlannedQuestion = z.object({
  id: z.string().min(1).max(64),
  text: z.string().min(1).max(2000),
  kind: z.enum(['technical', 'behavioural', 'open']).optional(),
  competency: z.string().max(200).optional(),
});
export type PlannedQuestion = z.infer<typeof PlannedQuestion>;

/** The candidate's recording consent as the interviewer recorded it before the start (stored with the interview, shown in the report). */
export const SessionConsent = z.object({
  given: z.boolean(),
  /** When the interviewer recorded it (ms since epoch). */
  atMs: z.number().int().nonnegative(),
});
export type SessionConsent = z.infer<typeof SessionConsent>;

/** What the interview is about; all optional so a bare session still works. */
export const SessionContext = z.object({
  title: z.string().max(200).optional(),
  role: z.string().max(200).optional(),
  jobDescription: z.string().max(50_000).optional(),
  resume: z.string().max(100_000).optional(),
  candidateName: z.string().max(200).optional(),
  consent: SessionConsent.optional(),
  rubric: Rubric.optional(),
  plannedQuestions: z.array(PlannedQuestion).max(100).optional(),
  /** 'copilot': a human asks; 'automated': Viva asks. */
  mode: z.enum(['copilot', 'automated']).optional(),
});
export type SessionContext = z.infer<typeof SessionContext>;

/** `session:start` payload. */
export const SessionStartRequest = z.object({
  language: Language,
  sampleRate: z.literal(SAMPLE_RATE, { error: `sampleRate must be ${SAMPLE_RATE} (PCM16 mono 16 kHz); resample on the client` }),
  channels: z
    .array(Channel)
    .min(1)
    .max(2)
    .refine((channels) => new Set(channels).size === channels.length, 'channels must not repeat'),
  context: SessionContext.optional(),
});
export type SessionStartRequest = z.infer<typeof SessionStartRequest>;

/** `session:start` reply data. */
export const SessionStartResult = z.object({ sessionId: z.string() });
export type SessionStartResult = z.infer<typeof SessionStartResult>;

/** `session:resume` payload: continue a session after a reconnect (or a server restart). */
export const SessionResumeRequest = z.object({ sessionId: z.string().min(1).max(100) });
export type SessionResumeRequest = z.infer<typeof SessionResumeRequest>;

/** `session:resume` reply data: where each channel's stream stands, so the client resends only what is missing. */
export const SessionResumeResult = z.object({
  sessionId: z.string(),
  language: Language,
  channels: z.array(Channel),
  /** Next sequence number the server expects per channel. */
  nextSeq: z.partialRecord(Channel, z.number().int().nonnegative()),
});
export type SessionResumeResult = z.infer<typeof SessionResumeResult>;

/** Raw binary PCM as it arrives from Socket.IO (a Buffer on Node, an ArrayBuffer or typed array elsewhere). */
export const PcmPayload = z.custom<Uint8Array | ArrayBuffer>(
  (value) => value instanceof Uint8Array || value instanceof ArrayBuffer,
  'pcm must be binary PCM16 (ArrayBuffer or Uint8Array)',
);

/** `audio:frame` payload. */
export const AudioFrame = z.object({
  sessionId: z.string().min(1).max(100),
  channel: Channel,
  seq: z.number().int().nonnegative(),
  pcm: PcmPayload,
});
export type AudioFrame = z.infer<typeof AudioFrame>;

/** `session:stop` payload. */
export const SessionStopRequest = z.object({ sessionId: z.string().min(1).max(100) });
export type SessionStopRequest = z.infer<typeof SessionStopRequest>;

/** Per-channel ingest counters, returned when a session stops. */
export const ChannelStats = z.object({
  framesReceived: z.number().int(),
  framesRejected: z.number().int(),
  framesDropped: z.number().int(),
  framesDuplicate: z.number().int(),
  gaps: z.number().int(),
  missingFrames: z.number().int(),
  audioMs: z.number(),
  turns: z.number().int(),
  partialsPublished: z.number().int(),
  partialsSkipped: z.number().int(),
});
export type ChannelStats = z.infer<typeof ChannelStats>;

/** How many of a session's answers are scored, waiting for the LLM, or failed (`analysis:progress`, the stop ack). */
export const AnalysisProgress = z.object({
  total: z.number().int(),
  done: z.number().int(),
  /** Queued or being scored. */
  pending: z.number().int(),
  failed: z.number().int(),
});
export type AnalysisProgress = z.infer<typeof AnalysisProgress>;

/** `analysis:progress`: an answer was queued, scored or failed ("scoring n of m"). */
export const AnalysisProgressEvent = AnalysisProgress.extend({ sessionId: z.string() });
export type AnalysisProgressEvent = z.infer<typeof AnalysisProgressEvent>;

/**
 * `session:stop` reply data (sent as soon as capture ended) and `session:end` (once every final is out). In the reply,
 * `stats` are the figures so far and `finishing` what is still being transcribed; `analysis` says where scoring stands
 * (it goes on after the stop).
 */
export const SessionStopResult = z.object({
  sessionId: z.string(),
  stats: z.partialRecord(Channel, ChannelStats),
  /** Turns heard but not yet final, and audio received but not yet processed, when the reply was sent. */
  finishing: z.object({ turns: z.number().int(), audioMs: z.number() }).optional(),
  analysis: AnalysisProgress.optional(),
});
export type SessionStopResult = z.infer<typeof SessionStopResult>;

/** `speech:start` / `speech:end`. */
export const SpeechEvent = z.object({ sessionId: z.string(), channel: Channel, atMs: z.number() });
export type SpeechEvent = z.infer<typeof SpeechEvent>;

/** A piece of a transcript with its audio time span (ms since session start). */
export const TranscriptSegment = z.object({ text: z.string(), startMs: z.number(), endMs: z.number() });
export type TranscriptSegment = z.infer<typeof TranscriptSegment>;

/** `transcript:partial` / `transcript:final`. */
export const TranscriptEvent = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  channel: Channel,
  text: z.string(),
  startMs: z.number(),
  endMs: z.number(),
  /** Language whisper used or detected for this turn. */
  language: z.string().optional(),
  segments: z.array(TranscriptSegment).optional(),
});
export type TranscriptEvent = z.infer<typeof TranscriptEvent>;

/** `audio:gap`: frames were missing between two received sequence numbers (reported, never glued silently). */
export const AudioGapEvent = z.object({
  sessionId: z.string(),
  channel: Channel,
  expectedSeq: z.number().int(),
  receivedSeq: z.number().int(),
  missingFrames: z.number().int(),
  atMs: z.number(),
});
export type AudioGapEvent = z.infer<typeof AudioGapEvent>;

/**
 * `storage:error`: storage refused a write of this session (a full disk, an I/O error): what is said from now on is not
 * being recorded. Sent when it happens and again to a screen that joins the session while it lasts.
 */
export const StorageErrorEvent = z.object({
  sessionId: z.string(),
  /** The write that failed, e.g. 'saveTurn'. */
  operation: z.string(),
  /** SQLite's or the file system's code, e.g. 'SQLITE_FULL', 'ENOSPC'. */
  code: z.string(),
  message: z.string(),
  atMs: z.number(),
});
export type StorageErrorEvent = z.infer<typeof StorageErrorEvent>;

/** Stable error codes sent to clients. */
export const ErrorCode = z.enum([
  'invalid-payload',
  'invalid-frame',
  'unknown-session',
  'session-stopped',
  'queue-overflow',
  'asr-failed',
  'vad-failed',
  'llm-unreachable',
  'llm-timeout',
  'llm-invalid-output',
  'llm-error',
  'analysis-cancelled',
  'not-found',
  /** A candidate link's socket asked for another session, or for something only an interviewer may do. */
  'forbidden',
  /** The socket has no signed-in user (a session cookie or `auth: { token }`) and is not a candidate link's. */
  'unauthenticated',
  /** Too many sessions opened from this client; the message says when to retry. */
  'rate-limited',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** `error`: something the client sent was refused, or a stage failed; the session goes on. */
export const ErrorEvent = z.object({
  code: ErrorCode,
  message: z.string(),
  sessionId: z.string().optional(),
  channel: Channel.optional(),
  seq: z.number().optional(),
});
export type ErrorEvent = z.infer<typeof ErrorEvent>;

/** A follow-up question suggested for the interviewer. */
export const FollowUpSuggestion = z.object({
  question: z.string().min(1).max(600),
  /** The candidate's own words it builds on, quoted verbatim from the transcript. */
  buildsOn: z.string().max(600),
  /** What the question probes (a gap, a claim to verify, a depth check). */
  probes: z.string().min(1).max(400),
});
export type FollowUpSuggestion = z.infer<typeof FollowUpSuggestion>;

/** `followup:delta`: suggestion text as tokens arrive. */
export const FollowUpDeltaEvent = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  text: z.string(),
  /** First text of a new run for an answer that had follow-ups before (it grew): replaces what was shown. */
  restart: z.boolean().optional(),
});
export type FollowUpDeltaEvent = z.infer<typeof FollowUpDeltaEvent>;

/** `followup:end`: the validated suggestions, 1 to 3, best first. */
export const FollowUpEndEvent = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  suggestions: z.array(FollowUpSuggestion).min(1).max(3),
});
export type FollowUpEndEvent = z.infer<typeof FollowUpEndEvent>;

/** What kind of turn the candidate gave; only 'answer' is scored on the rubric. */
export const AnswerLabel = z.enum(['answer', 'empty', 'off-topic', 'non-answer', 'gibberish']);
export type AnswerLabel = z.infer<typeof AnswerLabel>;

/** A verbatim quote from the transcript with its time span. */
export const Evidence = z.object({ quote: z.string().min(1), startMs: z.number(), endMs: z.number() });
export type Evidence = z.infer<typeof Evidence>;

/**
 * One rubric dimension's score for an answer. `score` is null ("no evidence") when none of the model's quotes for the
 * dimension was found in the transcript: a number is never shown without verified evidence. Scores stored before this
 * rule always carry a number, so they still parse.
 */
export const DimensionScore = z.object({
  id: z.string(),
  name: z.string(),
  score: z.number().int().min(1).max(10).nullable(),
  /** The model's reason; for a dimension without evidence, why it has no score. */
  reason: z.string(),
  evidence: z.array(Evidence),
});
export type DimensionScore = z.infer<typeof DimensionScore>;

/** A validated score card for one answer. */
export const AnswerScore = z.object({
  label: AnswerLabel,
  /** Empty unless label is 'answer'. */
  dimensions: z.array(DimensionScore),
  /**
   * Weighted mean of the evidenced dimensions (1-10); null when the turn was not an answer, or when it was an answer
   * but no dimension had verified evidence (then it is not scored, see {@link isUnevidencedAnswer}).
   */
  overall: z.number().min(1).max(10).nullable(),
  /** How many dimensions the overall is built from. Absent on scores stored before the evidence rule. */
  evidencedDimensions: z.number().int().nonnegative().optional(),
  /** Evidence quotes the model gave and how many of them were found in the transcript. Absent on older scores. */
  quotes: z.object({ claimed: z.number().int().nonnegative(), verified: z.number().int().nonnegative() }).optional(),
  remark: z.string(),
  model: z.string(),
  promptVersion: z.string(),
  rubricVersion: z.string(),
});
export type AnswerScore = z.infer<typeof AnswerScore>;

/** True for an answer that is not scored because none of its evidence verified against the transcript. */
export function isUnevidencedAnswer(score: Pick<AnswerScore, 'label' | 'overall'>): boolean {
  return score.label === 'answer' && score.overall === null;
}

/** `score:final`. */
export const ScoreFinalEvent = z.object({ sessionId: z.string(), turnId: z.string(), score: AnswerScore });
export type ScoreFinalEvent = z.infer<typeof ScoreFinalEvent>;

/** `analysis:error`: analysing one answer failed; `retryable` says whether `analysis:retry` can help. */
export const AnalysisErrorEvent = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  code: ErrorCode,
  message: z.string(),
  retryable: z.boolean(),
});
export type AnalysisErrorEvent = z.infer<typeof AnalysisErrorEvent>;

/** `analysis:retry` payload. */
export const AnalysisRetryRequest = z.object({ sessionId: z.string().min(1).max(100), turnId: z.string().min(1).max(100) });
export type AnalysisRetryRequest = z.infer<typeof AnalysisRetryRequest>;

/** `turn:relabel` (single-microphone mode): the user says who spoke a turn; the server regroups and re-scores answers. */
export const TurnRelabelRequest = z.object({ sessionId: z.string().min(1).max(100), turnId: z.string().min(1).max(100), channel: Channel });
export type TurnRelabelRequest = z.infer<typeof TurnRelabelRequest>;

/**
 * `turn:role`: who spoke a turn, as the server now holds it — guessed from its words in a one-channel session
 * (`source` 'auto', with a confidence 0-1) or corrected by a person ('user'). Turns without one keep their channel.
 */
export const TurnRoleEvent = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  channel: Channel,
  source: z.enum(['auto', 'user']),
  confidence: z.number().min(0).max(1).nullable(),
});
export type TurnRoleEvent = z.infer<typeof TurnRoleEvent>;

/** `answer:turns`: the candidate turns that make one answer so far (`answerId`: its first turn, which its score is keyed by). */
export const AnswerTurnsEvent = z.object({ sessionId: z.string(), answerId: z.string(), turnIds: z.array(z.string()), final: z.boolean() });
export type AnswerTurnsEvent = z.infer<typeof AnswerTurnsEvent>;

/** Error body of a failed acknowledgement. */
export const AckError = z.object({ code: ErrorCode, message: z.string() });
export type AckError = z.infer<typeof AckError>;

/** Every acknowledgement: `{ ok: true, data }` or `{ ok: false, error }`, never a thrown string. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
