import type { CandidateClientToServerEvents, CandidateServerToClientEvents } from './automated.ts';
import type {
  Ack,
  AnalysisErrorEvent,
  AnalysisProgressEvent,
  AnalysisRetryRequest,
  AudioFrame,
  AudioGapEvent,
  ErrorEvent,
  FollowUpDeltaEvent,
  FollowUpEndEvent,
  ScoreFinalEvent,
  SessionResumeRequest,
  SessionResumeResult,
  SessionStartRequest,
  SessionStartResult,
  SessionStopRequest,
  SessionStopResult,
  SpeechEvent,
  StorageErrorEvent,
  AnswerTurnsEvent,
  TranscriptEvent,
  TurnRelabelRequest,
  TurnRoleEvent,
} from './schemas.ts';

/** Events the client sends. Every payload is parsed with its zod schema on arrival: these types are not validation. */
export interface ClientToServerEvents {
  'session:start': (request: SessionStartRequest, ack: (reply: Ack<SessionStartResult>) => void) => void;
  'session:resume': (request: SessionResumeRequest, ack: (reply: Ack<SessionResumeResult>) => void) => void;
  'audio:frame': (frame: AudioFrame) => void;
  'session:stop': (request: SessionStopRequest, ack: (reply: Ack<SessionStopResult>) => void) => void;
  'analysis:retry': (request: AnalysisRetryRequest, ack: (reply: Ack<{ turnId: string }>) => void) => void;
  'turn:relabel': (request: TurnRelabelRequest, ack: (reply: Ack<{ turnId: string; rescoring: string[] }>) => void) => void;
}

/** Events the server sends. */
export interface ServerToClientEvents {
  'speech:start': (event: SpeechEvent) => void;
  'speech:end': (event: SpeechEvent) => void;
  'transcript:partial': (event: TranscriptEvent) => void;
  'transcript:final': (event: TranscriptEvent) => void;
  'audio:gap': (event: AudioGapEvent) => void;
  'followup:delta': (event: FollowUpDeltaEvent) => void;
  'followup:end': (event: FollowUpEndEvent) => void;
  'score:final': (event: ScoreFinalEvent) => void;
  'analysis:error': (event: AnalysisErrorEvent) => void;
  /** Where scoring of the session's answers stands; sent as answers are queued, scored or fail (also after the stop). */
  'analysis:progress': (event: AnalysisProgressEvent) => void;
  /** The stopped session's last final is out (the `session:stop` reply came before, as soon as capture ended). */
  'session:end': (result: SessionStopResult) => void;
  'storage:error': (event: StorageErrorEvent) => void;
  /** Who spoke a turn, as the server now holds it (a guess in one-channel sessions, or a person's correction). */
  'turn:role': (event: TurnRoleEvent) => void;
  /** The turns one answer is made of so far (its score is keyed by the first). */
  'answer:turns': (event: AnswerTurnsEvent) => void;
  error: (event: ErrorEvent) => void;
}

/** What the candidate page sends: the session events it uses (`session:resume`, `audio:frame`, `session:stop`) and `interview:*`. */
export type CandidateClientEvents = ClientToServerEvents & CandidateClientToServerEvents;

/** What the candidate page receives: the session events and `interview:*`. */
export type CandidateServerEvents = ServerToClientEvents & CandidateServerToClientEvents;
