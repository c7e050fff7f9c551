import type {
  AnalysisErrorEvent,
  AnalysisProgress,
  AnalysisProgressEvent,
  AnswerScore,
  AudioGapEvent,
  Channel,
  ErrorEvent,
  FollowUpDeltaEvent,
  FollowUpEndEvent,
  FollowUpSuggestion,
  Language,
  ScoreFinalEvent,
  SessionContext,
  SessionStopResult,
  SpeechEvent,
  TranscriptEvent,
  TurnRoleEvent,
  AnswerTurnsEvent,
  TranscriptSegment,
  StorageErrorEvent,
} from '../../../protocol/index.ts';
import type { Problem } from '../api/replies.ts';
import type { CaptureMode } from '../audio/audio-capture.ts';

/** Where the interview stands. */
export type Phase = 'setup' | 'starting' | 'live' | 'stopping' | 'review';

/** State of the Socket.IO link as the interviewer should see it. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'resuming';

/** One speech turn as the server transcribed it, partial until its final arrives. */
export interface Turn {
  turnId: string;
  channel: Channel;
  text: string;
  startMs: number;
  endMs: number;
  isFinal: boolean;
  language?: string;
  segments?: TranscriptSegment[];
  /** Arrival order, to keep turns with equal start times stable. */
  arrival: number;
}

/** Follow-up suggestions for one answer: raw streamed text until the validated list replaces it. */
export interface FollowUpState {
  streamText: string;
  suggestions: FollowUpSuggestion[] | null;
}

/** A failed analysis of one answer. */
export interface AnalysisFailure {
  code: string;
  message: string;
  retryable: boolean;
  /** A retry was requested and nothing has come back yet. */
  retrying: boolean;
}

/** A problem to show (client-side errors use their own codes, so `code` is a plain string). */
export type { Problem } from '../api/replies.ts';

/** Audio buffering counters shown while the connection is down. */
export interface BufferStatus {
  pendingFrames: number;
  droppedFrames: number;
  lostInTransitFrames: number;
}

/** Everything the interviewer's screen renders. */
export interface InterviewState {
  phase: Phase;
  sessionId: string | null;
  connection: ConnectionStatus;
  language: Language;
  captureMode: CaptureMode;
  channels: Channel[];
  context: SessionContext;
  startedAt: string | null;
  stoppedAt: string | null;
  startError: Problem | null;
  /** The session cannot go on (e.g. the server forgot it); what was captured stays on screen. */
  fatalError: Problem | null;
  /**
   * Latest LLM failure reported by the server; an analysis that succeeds clears it unless another answer still has an
   * LLM failure waiting for Retry (a follow-up for a new answer does not make an earlier failed score go away).
   */
  llmError: Problem | null;
  /** Storage refused a write of this session: what is said now is not being recorded (until the session ends). */
  notRecording: Problem | null;
  /** Other server errors, newest last, bounded. */
  serverErrors: ErrorEvent[];
  /** Sources that stopped on their own (tab sharing ended). */
  endedChannels: Channel[];
  turns: Record<string, Turn>;
  followUps: Record<string, FollowUpState>;
  scores: Record<string, AnswerScore>;
  analysisErrors: Record<string, AnalysisFailure>;
  speaking: Record<Channel, boolean>;
  gaps: AudioGapEvent[];
  buffer: BufferStatus;
  /** Turns made of one answer, by answer id (its first turn, which its score is keyed by); from `answer:turns`. */
  answers: Record<string, string[]>;
  /** Who spoke a turn when it differs from its channel: the user's flips (sent to the server) and the server's roles. */
  roleOverrides: Record<string, Channel>;
  /** Planned questions ticked or unticked by hand (true/false); absent = decided by the heuristic. */
  manualCoverage: Record<string, boolean>;
  stopResult: SessionStopResult | null;
  stopError: Problem | null;
  /** After the stop: turns still being transcribed on the server (null once `session:end` said every final is out). */
  finishing: { turns: number; audioMs: number } | null;
  /** Where scoring of the answers stands ("scoring n of m"); it goes on after the stop. */
  analysisProgress: AnalysisProgress | null;
  /** The server said every final is out (`session:end`). */
  ended: boolean;
  arrivals: number;
}

/** Every change to the interview state. Server events keep their Socket.IO event name as `type`. */
export type InterviewAction =
  | { type: 'session/starting'; context: SessionContext; language: Language; captureMode: CaptureMode; channels: Channel[] }
  | { type: 'session/started'; sessionId: string; startedAt: string }
  | { type: 'session/start-failed'; error: Problem }
  | { type: 'session/stopping' }
  | { type: 'session/stopped'; result: SessionStopResult | null; error: Problem | null; stoppedAt: string }
  | { type: 'session/fatal'; error: Problem }
  | { type: 'session/reset' }
  | { type: 'connection/changed'; status: ConnectionStatus }
  | { type: 'buffer/changed'; buffer: BufferStatus }
  | { type: 'capture/ended'; channel: Channel }
  | { type: 'analysis/retry-requested'; turnId: string }
  | { type: 'analysis/retry-failed'; turnId: string; error: Problem }
  | { type: 'turn/flip-role'; turnId: string }
  | { type: 'question/set-covered'; questionId: string; covered: boolean }
  | { type: 'speech:start'; event: SpeechEvent }
  | { type: 'speech:end'; event: SpeechEvent }
  | { type: 'transcript:partial'; event: TranscriptEvent }
  | { type: 'transcript:final'; event: TranscriptEvent }
  | { type: 'turn:role'; event: TurnRoleEvent }
  | { type: 'answer:turns'; event: AnswerTurnsEvent }
  | { type: 'audio:gap'; event: AudioGapEvent }
  | { type: 'followup:delta'; event: FollowUpDeltaEvent }
  | { type: 'followup:end'; event: FollowUpEndEvent }
  | { type: 'score:final'; event: ScoreFinalEvent }
  | { type: 'analysis:error'; event: AnalysisErrorEvent }
  | { type: 'analysis:progress'; event: AnalysisProgressEvent }
  | { type: 'session:end'; event: SessionStopResult }
  | { type: 'storage:error'; event: StorageErrorEvent }
  | { type: 'error'; event: ErrorEvent };

const MAX_SERVER_ERRORS = 20;
const MAX_GAPS = 100;
const LLM_CODES = new Set(['llm-unreachable', 'llm-timeout', 'llm-invalid-output', 'llm-error']);

/** The newest LLM failure an answer is still left with (null: none), for the banner after another analysis succeeded. */
function outstandingLlmError(errors: InterviewState['analysisErrors']): Problem | null {
  const failure = Object.values(errors).reverse().find((entry) => LLM_CODES.has(entry.code));
  return failure ? { code: failure.code, message: failure.message } : null;
}

/** The state before anything happened. */
export function initialInterviewState(): InterviewState {
  return {
    phase: 'setup',
    sessionId: null,
    connection: 'idle',
    language: 'auto',
    captureMode: 'mic-and-tab',
    channels: [],
    context: {},
    startedAt: null,
    stoppedAt: null,
    startError: null,
    fatalError: null,
    llmError: null,
    notRecording: null,
    serverErrors: [],
    endedChannels: [],
    turns: {},
    followUps: {},
    scores: {},
    analysisErrors: {},
    speaking: { interviewer: false, candidate: false },
    gaps: [],
    buffer: { pendingFrames: 0, droppedFrames: 0, lostInTransitFrames: 0 },
    answers: {},
    roleOverrides: {},
    manualCoverage: {},
    stopResult: null,
    stopError: null,
    finishing: null,
    analysisProgress: null,
    ended: false,
    arrivals: 0,
  };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** A success clears a failure only when it answers a retry: otherwise the other half of the analysis failed. */
function clearRetried(errors: Record<string, AnalysisFailure>, turnId: string): Record<string, AnalysisFailure> {
  return errors[turnId]?.retrying ? without(errors, turnId) : errors;
}

function mergeTranscript(state: InterviewState, event: TranscriptEvent, isFinal: boolean): InterviewState {
  const existing = state.turns[event.turnId];
  // A late partial must never overwrite the final text.
  if (existing?.isFinal && !isFinal) return state;
  const turn: Turn = {
    turnId: event.turnId,
    channel: event.channel,
    text: event.text,
    startMs: event.startMs,
    endMs: event.endMs,
    isFinal,
    ...(event.language !== undefined ? { language: event.language } : {}),
    ...(event.segments !== undefined ? { segments: event.segments } : {}),
    arrival: existing?.arrival ?? state.arrivals,
  };
  return {
    ...state,
    turns: { ...state.turns, [event.turnId]: turn },
    arrivals: existing ? state.arrivals : state.arrivals + 1,
    speaking: isFinal ? { ...state.speaking, [event.channel]: false } : state.speaking,
  };
}

/** Pure reducer of the interview state; events of another session are ignored. */
export function interviewReducer(state: InterviewState, action: InterviewAction): InterviewState {
  if ('event' in action && 'sessionId' in action.event && action.event.sessionId !== undefined) {
    if (state.sessionId !== null && action.event.sessionId !== state.sessionId) return state;
  }
  switch (action.type) {
    case 'session/starting':
      return {
        ...initialInterviewState(),
        phase: 'starting',
        connection: 'connecting',
        context: action.context,
        language: action.language,
        captureMode: action.captureMode,
        channels: action.channels,
      };
    case 'session/started':
      return { ...state, phase: 'live', sessionId: action.sessionId, startedAt: action.startedAt, connection: 'connected' };
    case 'session/start-failed':
      return { ...state, phase: 'setup', connection: 'idle', startError: action.error };
    case 'session/stopping':
      return state.phase === 'live' ? { ...state, phase: 'stopping' } : state;
    case 'session/stopped':
      return {
        ...state,
        phase: 'review',
        // A `session:end` that arrived before the reply was handled already holds the final figures.
        stopResult: state.ended && state.stopResult ? state.stopResult : action.result,
        stopError: action.error,
        // Until session:end the server may still send finals, even with nothing counted at the reply (speech the VAD had
        // not confirmed yet is flushed by the stop), so the review says it is finishing until then.
        finishing: action.result && !state.ended ? (action.result.finishing ?? { turns: 0, audioMs: 0 }) : null,
        analysisProgress: action.result?.analysis ?? state.analysisProgress,
        stoppedAt: action.stoppedAt,
        speaking: { interviewer: false, candidate: false },
      };
    case 'session/fatal':
      return { ...state, fatalError: action.error };
    case 'session/reset':
      return { ...initialInterviewState(), context: state.context, language: state.language, captureMode: state.captureMode };
    case 'connection/changed':
      if (state.connection === action.status) return state;
      // A stopped session's socket that drops will not get its session:end: stop promising it (a reload shows the rest).
      if (state.phase === 'review' && state.finishing && action.status === 'reconnecting') return { ...state, connection: action.status, finishing: null };
      return { ...state, connection: action.status };
    case 'buffer/changed':
      return { ...state, buffer: action.buffer };
    case 'capture/ended':
      return state.endedChannels.includes(action.channel) ? state : { ...state, endedChannels: [...state.endedChannels, action.channel] };
    case 'analysis/retry-requested': {
      const failure = state.analysisErrors[action.turnId];
      if (!failure) return state;
      return {
        ...state,
        analysisErrors: { ...state.analysisErrors, [action.turnId]: { ...failure, retrying: true } },
        // The retry streams its follow-ups again from the start.
        followUps: without(state.followUps, action.turnId),
      };
    }
    case 'analysis/retry-failed': {
      const failure = state.analysisErrors[action.turnId];
      return {
        ...state,
        analysisErrors: {
          ...state.analysisErrors,
          [action.turnId]: { code: action.error.code, message: action.error.message, retryable: failure?.retryable ?? true, retrying: false },
        },
      };
    }
    case 'turn/flip-role': {
      const turn = state.turns[action.turnId];
      if (!turn) return state;
      const current = state.roleOverrides[action.turnId] ?? turn.channel;
      const flipped: Channel = current === 'candidate' ? 'interviewer' : 'candidate';
      const roleOverrides = flipped === turn.channel ? without(state.roleOverrides, action.turnId) : { ...state.roleOverrides, [action.turnId]: flipped };
      return { ...state, roleOverrides };
    }
    case 'question/set-covered':
      return { ...state, manualCoverage: { ...state.manualCoverage, [action.questionId]: action.covered } };
    case 'speech:start':
      return { ...state, speaking: { ...state.speaking, [action.event.channel]: true } };
    case 'speech:end':
      return { ...state, speaking: { ...state.speaking, [action.event.channel]: false } };
    case 'transcript:partial':
      return mergeTranscript(state, action.event, false);
    case 'transcript:final': {
      const merged = mergeTranscript(state, action.event, true);
      // A final that lands after the stop is one of the turns the server was finishing.
      return state.finishing ? { ...merged, finishing: { ...state.finishing, turns: Math.max(0, state.finishing.turns - 1) } } : merged;
    }
    case 'session:end':
      return { ...state, ended: true, finishing: null, stopResult: action.event };
    case 'analysis:progress': {
      const { sessionId: _sessionId, ...progress } = action.event;
      return { ...state, analysisProgress: progress };
    }
    case 'turn:role': {
      const { turnId, channel } = action.event;
      const turn = state.turns[turnId];
      const roleOverrides = turn && turn.channel === channel ? without(state.roleOverrides, turnId) : { ...state.roleOverrides, [turnId]: channel };
      return { ...state, roleOverrides };
    }
    case 'answer:turns': {
      const { answerId, turnIds, final } = action.event;
      const answers = { ...state.answers, [answerId]: turnIds };
      if (!final) return { ...state, answers };
      // A final (again, after a relabel) starts the answer's scoring: its old score and any score of a turn that is now
      // part of it go, so it shows as being scored until the new one arrives.
      let scores = state.scores;
      for (const turnId of turnIds) scores = without(scores, turnId);
      return { ...state, answers, scores, analysisErrors: without(state.analysisErrors, answerId) };
    }
    case 'audio:gap':
      return { ...state, gaps: [...state.gaps, action.event].slice(-MAX_GAPS) };
    case 'storage:error':
      return { ...state, notRecording: { code: action.event.code, message: action.event.message } };
    case 'followup:delta': {
      const { turnId, text } = action.event;
      const current = state.followUps[turnId];
      // A new run for an answer that grew replaces what was shown.
      if (action.event.restart) return { ...state, followUps: { ...state.followUps, [turnId]: { streamText: text, suggestions: null } } };
      // Deltas after the validated list (a late chunk) must not bring raw text back.
      if (current?.suggestions) return state;
      return { ...state, followUps: { ...state.followUps, [turnId]: { streamText: (current?.streamText ?? '') + text, suggestions: null } } };
    }
    case 'followup:end': {
      const analysisErrors = clearRetried(state.analysisErrors, action.event.turnId);
      return {
        ...state,
        followUps: { ...state.followUps, [action.event.turnId]: { streamText: '', suggestions: action.event.suggestions } },
        analysisErrors,
        llmError: outstandingLlmError(analysisErrors),
      };
    }
    case 'score:final': {
      const analysisErrors = clearRetried(state.analysisErrors, action.event.turnId);
      return {
        ...state,
        scores: { ...state.scores, [action.event.turnId]: action.event.score },
        analysisErrors,
        llmError: outstandingLlmError(analysisErrors),
      };
    }
    case 'analysis:error': {
      const { turnId, code, message, retryable } = action.event;
      return {
        ...state,
        analysisErrors: { ...state.analysisErrors, [turnId]: { code, message, retryable, retrying: false } },
        llmError: LLM_CODES.has(code) ? { code, message } : state.llmError,
      };
    }
    case 'error': {
      const event = action.event;
      return {
        ...state,
        serverErrors: [...state.serverErrors, event].slice(-MAX_SERVER_ERRORS),
        llmError: LLM_CODES.has(event.code) ? { code: event.code, message: event.message } : state.llmError,
      };
    }
  }
}

/** Who spoke a turn, after the interviewer's manual correction. */
export function effectiveChannel(state: Pick<InterviewState, 'roleOverrides'>, turn: Turn): Channel {
  return state.roleOverrides[turn.turnId] ?? turn.channel;
}

/** Turns in speaking order (start time, then arrival). */
export function orderedTurns(turns: Record<string, Turn>): Turn[] {
  return Object.values(turns).sort((a, b) => a.startMs - b.startMs || a.arrival - b.arrival);
}
