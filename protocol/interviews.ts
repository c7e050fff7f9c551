import { z } from 'zod';
import { samplesToMs } from './audio.ts';
import {
  AnalysisProgress,
  AnswerScore,
  Channel,
  FollowUpSuggestion,
  Language,
  PlannedQuestion,
  Rubric,
  SessionContext,
  TranscriptSegment,
} from './schemas.ts';

// Shapes of the REST API under /api/interviews (server/api/interviews.ts), shared with the client's history and review
// screens. Times are milliseconds: `...AtMs` since the Unix epoch, `startMs`/`endMs` since the interview's audio start.

/** How an interview was run: a human asks (copilot), Viva asks (automated), or a recorded call was uploaded. */
export const InterviewMode = z.enum(['copilot', 'automated', 'recording']);
export type InterviewMode = z.infer<typeof InterviewMode>;

/** Life cycle of a stored interview. */
export const InterviewStatus = z.enum(['live', 'stopped', 'processing', 'done', 'failed']);
export type InterviewStatus = z.infer<typeof InterviewStatus>;

/** Days to keep audio or transcripts after the interview ends; null keeps them; 0 deletes at the next retention run. */
export const RetentionDays = z.number().int().min(0).max(36_500).nullable();
export type RetentionDays = z.infer<typeof RetentionDays>;

/** The candidate's recorded consent to being recorded and analysed. */
export const Consent = z.object({
  given: z.boolean(),
  /** When consent was given or refused (ms since epoch). */
  atMs: z.number().int().nonnegative().optional(),
  method: z.enum(['verbal', 'written', 'checkbox', 'other']).optional(),
  /** Who recorded it (interviewer's name or id). */
  by: z.string().max(200).optional(),
  note: z.string().max(2000).optional(),
});
export type Consent = z.infer<typeof Consent>;

/** Structured interview context kept as JSON: the rubric and the planned questions. */
export const InterviewContext = z.object({
  rubric: Rubric.optional(),
  plannedQuestions: z.array(PlannedQuestion).max(100).optional(),
});
export type InterviewContext = z.infer<typeof InterviewContext>;

/** One stored interview (without its turns). */
export const Interview = z.object({
  id: z.string(),
  title: z.string().nullable(),
  role: z.string().nullable(),
  jobDescription: z.string().nullable(),
  resume: z.string().nullable(),
  candidateName: z.string().nullable(),
  language: Language,
  mode: InterviewMode,
  context: InterviewContext,
  status: InterviewStatus,
  /** Why the status is what it is (e.g. the reason a recording failed); null when there is nothing to say. */
  statusMessage: z.string().nullable(),
  createdAtMs: z.number(),
  updatedAtMs: z.number(),
  endedAtMs: z.number().nullable(),
  audioRetentionDays: RetentionDays,
  transcriptRetentionDays: RetentionDays,
  consent: Consent.nullable(),
  /** Set when the retention policy deleted the audio files. */
  audioPurgedAtMs: z.number().nullable(),
  /** Set when the retention policy deleted the transcript and its analyses. */
  transcriptPurgedAtMs: z.number().nullable(),
});
export type Interview = z.infer<typeof Interview>;

/** Counters shown in the interview list. */
export const InterviewCounts = z.object({
  turns: z.number().int(),
  /** Candidate turns. */
  answers: z.number().int(),
  /** Turns with a score whose label is 'answer'. */
  scored: z.number().int(),
  /** Turns whose analysis failed and was not retried successfully. */
  failed: z.number().int(),
  /** Candidate turns with neither a score nor a failure yet (still being analysed). */
  pending: z.number().int(),
});
export type InterviewCounts = z.infer<typeof InterviewCounts>;

/**
 * Where an interview stands as the list shows it: 'live' (a session writes into it), 'processing' (an upload is being
 * transcribed), 'scoring' (ended, some answers not analysed yet), 'done' (every answer scored or failed), 'failed'.
 */
export const InterviewState = z.enum(['live', 'processing', 'scoring', 'done', 'failed']);
export type InterviewState = z.infer<typeof InterviewState>;

/** A row of the interview list. */
export const InterviewSummary = Interview.pick({
  id: true,
  title: true,
  role: true,
  candidateName: true,
  language: true,
  mode: true,
  status: true,
  statusMessage: true,
  createdAtMs: true,
  updatedAtMs: true,
  endedAtMs: true,
}).extend({
  counts: InterviewCounts,
  state: InterviewState,
  /** End of the last turn, ms since the audio start (0 without turns). */
  durationMs: z.number(),
});
export type InterviewSummary = z.infer<typeof InterviewSummary>;

/** `GET /api/interviews` reply: newest first. */
export const InterviewList = z.object({
  items: z.array(InterviewSummary),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type InterviewList = z.infer<typeof InterviewList>;

/** Filters of the interview list (`GET /api/interviews` query). */
export const InterviewListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** The stored status. */
  status: InterviewStatus.optional(),
  /** Where the interview stands as listed (see InterviewState). */
  state: InterviewState.optional(),
  /** Words that must all appear (substring, any case) in the candidate's name, role, title or transcript. */
  q: z.string().trim().max(200).optional(),
  /** Exact role. */
  role: z.string().max(200).optional(),
  /** Created at or after (ms since the epoch). */
  from: z.coerce.number().int().nonnegative().optional(),
  /** Created before (ms since the epoch). */
  to: z.coerce.number().int().nonnegative().optional(),
});
export type InterviewListQuery = z.infer<typeof InterviewListQuery>;

/**
 * The hiring recommendation of the report (server/reports), from the weighted overall of the scored answers; 'scoring'
 * while answers still wait for their score (it waits for them rather than judging on part of the evidence).
 */
export const Recommendation = z.enum(['strong-hire', 'hire', 'lean-no-hire', 'no-hire', 'insufficient-evidence', 'scoring']);
export type Recommendation = z.infer<typeof Recommendation>;

/** A row of `GET /api/interviews`: the summary plus the report's weighted overall and recommendation. */
export const InterviewListItem = InterviewSummary.extend({
  overall: z.number().nullable(),
  recommendation: Recommendation,
});
export type InterviewListItem = z.infer<typeof InterviewListItem>;

/** `GET /api/interviews` reply: a page of the filtered list, newest first, and every role stored (for the filter). */
export const InterviewPage = InterviewList.extend({
  items: z.array(InterviewListItem),
  roles: z.array(z.string()),
});
export type InterviewPage = z.infer<typeof InterviewPage>;

/** Where a channel's audio stream stands, so a restarted server resumes without processing a frame twice. */
export const ChannelProgress = z.object({
  channel: Channel,
  nextSeq: z.number().int().nonnegative(),
  samplesReceived: z.number().int().nonnegative(),
  updatedAtMs: z.number(),
});
export type ChannelProgress = z.infer<typeof ChannelProgress>;

/** Follow-up suggestions stored for a turn. */
export const StoredSuggestions = z.object({
  suggestions: z.array(FollowUpSuggestion),
  model: z.string(),
  promptVersion: z.string(),
  createdAtMs: z.number(),
});
export type StoredSuggestions = z.infer<typeof StoredSuggestions>;

/** A turn whose analysis failed (kept until a retry succeeds). */
export const AnalysisFailure = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  atMs: z.number(),
});
export type AnalysisFailure = z.infer<typeof AnalysisFailure>;

/** Where a turn's speaker role (its channel) came from: the audio channel, a guess from its words, or a person. */
export const RoleSource = z.enum(['channel', 'auto', 'user']);
export type RoleSource = z.infer<typeof RoleSource>;

/** One final transcript turn as stored. */
export const StoredTurn = z.object({
  turnId: z.string(),
  channel: Channel,
  startMs: z.number(),
  endMs: z.number(),
  text: z.string(),
  language: z.string().nullable(),
  segments: z.array(TranscriptSegment),
  /** True when the turn's audio is kept (GET /api/interviews/{id}/turns/{turnId}/audio). */
  hasAudio: z.boolean(),
  createdAtMs: z.number(),
  /** A candidate turn's answer: the id of the answer's first turn (its score is stored under it); null: not in one. */
  answerId: z.string().nullable().optional(),
  /** Where `channel` came from (absent: the audio channel). */
  roleSource: RoleSource.optional(),
  /** With roleSource 'auto': how sure the guess is, 0-1. */
  roleConfidence: z.number().min(0).max(1).nullable().optional(),
});
export type StoredTurn = z.infer<typeof StoredTurn>;

/** A turn with everything analysed about it. */
export const TurnDetail = StoredTurn.extend({
  suggestions: StoredSuggestions.nullable(),
  score: AnswerScore.nullable(),
  failure: AnalysisFailure.nullable(),
});
export type TurnDetail = z.infer<typeof TurnDetail>;

/** `GET /api/interviews/{id}` reply: the interview and its turns in time order. */
export const InterviewDetail = z.object({
  interview: Interview,
  channels: z.array(ChannelProgress),
  turns: z.array(TurnDetail),
  /** Where scoring of its answers stands (durable analysis jobs); absent when none was ever queued. */
  analysis: AnalysisProgress.optional(),
});
export type InterviewDetail = z.infer<typeof InterviewDetail>;

/**
 * How long an interview's audio runs (ms): the audio its channels received, or the end of its last turn when that is
 * later. The last turn alone is too short whenever audio went on after it (a quiet end, finals still decoding at stop).
 */
export function interviewDurationMs(detail: { turns: readonly { endMs: number }[]; channels: readonly { samplesReceived: number }[] }): number {
  const lastTurnEndMs = detail.turns.reduce((max, turn) => Math.max(max, turn.endMs), 0);
  const heardMs = detail.channels.reduce((max, channel) => Math.max(max, samplesToMs(channel.samplesReceived)), 0);
  return Math.max(lastTurnEndMs, heardMs);
}

/** `POST /api/interviews` body: a session context plus language, mode, retention and consent. Unknown keys are refused. */
export const CreateInterviewRequest = z.strictObject({
  ...SessionContext.shape,
  mode: InterviewMode.optional(),
  language: Language.default('auto'),
  audioRetentionDays: RetentionDays.optional(),
  transcriptRetentionDays: RetentionDays.optional(),
  consent: Consent.nullable().optional(),
});
export type CreateInterviewRequest = z.input<typeof CreateInterviewRequest>;

/**
 * `PATCH /api/interviews/{id}/turns/{turnId}` body: who said the turn and/or its corrected text. The answers that change
 * are scored again (their old scores are replaced).
 */
export const CorrectTurnRequest = z
  .strictObject({
    channel: Channel.optional(),
    text: z.string().trim().min(1).max(100_000).optional(),
  })
  .refine((body) => body.channel !== undefined || body.text !== undefined, 'give channel and/or text');
export type CorrectTurnRequest = z.infer<typeof CorrectTurnRequest>;

/** `PATCH /api/interviews/{id}/turns/{turnId}` reply: the turn as stored now and the answers being scored again. */
export const CorrectTurnResult = z.object({
  turnId: z.string(),
  channel: Channel,
  text: z.string(),
  /** Ids of the answers whose score is being replaced (each shows "scoring…" until its new score is stored). */
  rescoring: z.array(z.string()),
});
export type CorrectTurnResult = z.infer<typeof CorrectTurnResult>;

/** `PATCH /api/interviews/{id}` body: retention settings, consent and labels. At least one key. */
export const UpdateInterviewRequest = z
  .strictObject({
    title: z.string().max(200).nullable().optional(),
    role: z.string().max(200).nullable().optional(),
    candidateName: z.string().max(200).nullable().optional(),
    audioRetentionDays: RetentionDays.optional(),
    transcriptRetentionDays: RetentionDays.optional(),
    consent: Consent.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
export type UpdateInterviewRequest = z.input<typeof UpdateInterviewRequest>;

/** State of the processing of an uploaded recording; 'none' when nothing was uploaded. */
export const RecordingState = z.enum(['none', 'queued', 'processing', 'done', 'failed', 'cancelled']);
export type RecordingState = z.infer<typeof RecordingState>;

/** `GET /api/interviews/{id}/recording/status` reply. */
export const RecordingStatus = z.object({
  interviewId: z.string(),
  jobId: z.string().nullable(),
  state: RecordingState,
  /** 0..1 */
  progress: z.number().min(0).max(1),
  /** What the processing is doing now (e.g. 'decoding', 'transcribing'), as reported by the pipeline. */
  stage: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  uploadBytes: z.number().int().nullable(),
  startedAtMs: z.number().nullable(),
  finishedAtMs: z.number().nullable(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

/** `POST /api/interviews/{id}/recording` reply (202). */
export const RecordingAccepted = z.object({
  jobId: z.string(),
  interviewId: z.string(),
  uploadBytes: z.number().int(),
  /** What ffprobe found in the upload. */
  format: z.string(),
  durationMs: z.number().nullable(),
});
export type RecordingAccepted = z.infer<typeof RecordingAccepted>;

/** One validation problem in a 400 reply. */
export const ApiIssue = z.object({ path: z.string(), message: z.string(), code: z.string() });
export type ApiIssue = z.infer<typeof ApiIssue>;

/** Body of every REST error reply. */
export const ApiErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(ApiIssue).optional() }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
