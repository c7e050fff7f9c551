/**
 * The one event stream of a session. The pipeline (audio source → frame gate → VAD → decode scheduler) publishes what it
 * hears; subscribers (storage, answers, analysis, the automated interviewer, the socket emitter) read it in a fixed order
 * and may publish their own results or submit commands. No subscriber writes another one's state.
 *
 * Modelled on vercel/ai stream parts (a union on `type`) and livekit's SpeechEventType. Wire payloads are embedded as
 * they are, so the socket emitter only renames `type` to the Socket.IO event name.
 */
import type {
  Ack,
  AnalysisErrorEvent,
  AnalysisProgressEvent,
  AudioGapEvent,
  Channel,
  ErrorEvent,
  FollowUpDeltaEvent,
  FollowUpEndEvent,
  ScoreFinalEvent,
  SessionStopResult,
  SpeechEvent,
  StorageErrorEvent,
  TranscriptEvent,
  TurnRoleEvent,
} from '../../protocol/schemas.ts';

/** Where a session's audio comes from: a client's socket (new or resumed after a restart) or a file on the server. */
export type SessionOrigin = 'start' | 'resume' | 'file';

/** Where a channel resumes after a server restart: the next frame to resend and the sample position it starts at. */
export interface ChannelResumePoint {
  nextSeq: number;
  samplesReceived: number;
}

/** A turn the automated interviewer spoke (Viva's own question, as text with its place on the candidate's timeline). */
export interface QuestionTurn {
  turnId: string;
  text: string;
  startMs: number;
  endMs: number;
}

/** Everything that happens in a session, in the order it happened. */
export type SessionEvent =
  /** The session opened (first event of every stream). */
  | { type: 'session-start'; origin: SessionOrigin }
  /** The VAD confirmed speech on a channel; `atMs` is where the turn starts. */
  | ({ type: 'speech-start' } & SpeechEvent)
  /** The VAD closed a turn; `atMs` is where it ends. A `transcript-final` (or an `error`) follows. */
  | ({ type: 'speech-end' } & SpeechEvent)
  /** Text of a turn still open (only when the source asks for partials); replaced by later partials and the final. */
  | ({ type: 'transcript-partial' } & TranscriptEvent)
  /**
   * The final text of a closed turn, with its audio, how long after the end of speech it was ready, and the channel's
   * resume point now that the turn is out (stored with the turn, before any client sees it).
   */
  | ({ type: 'transcript-final' } & TranscriptEvent & { audio: Float32Array; finalLatencyMs: number; resumePoint?: ChannelResumePoint })
  /** Frames that never arrived; filled with silence so the timeline stays true. */
  | ({ type: 'audio-gap' } & AudioGapEvent)
  /** Storage refused a write of this session: it is not being recorded (published by the app from the repository's failures). */
  | ({ type: 'storage-error' } & StorageErrorEvent)
  /** A channel's safe resume point moved (what a restarted server continues from). */
  | ({ type: 'channel-progress'; sessionId: string; channel: Channel } & ChannelResumePoint)
  /** The automated interviewer asked (or re-worded) a question. */
  | ({ type: 'question-asked'; sessionId: string } & QuestionTurn)
  /**
   * An answer still open grew (the candidate paused inside it): its text so far, with the question it answers when known.
   * Analysis may refresh follow-ups from it (a newer update or the final makes older follow-up work stale); never scored.
   * `turnId` is the answer's id: the id of its first candidate turn. `turnIds` lists every turn in it so far.
   */
  | ({ type: 'answer-update' } & TranscriptEvent & { question?: string; turnIds?: string[] })
  /**
   * A complete candidate answer to analyse (follow-ups and the one score), with the question it answers when known.
   * `turnId` is the answer's id (its first candidate turn); `turnIds` lists every candidate turn it is made of (absent:
   * just `turnId`), and its text is theirs joined in order.
   */
  | ({ type: 'answer-final' } & TranscriptEvent & { question?: string; turnIds?: string[] })
  /**
   * Who spoke a turn changed from its channel: guessed from its words in a one-channel session ('auto') or corrected by
   * a person ('user', after `relabel-turn`). Published by the answers subscriber before the answers it changes.
   */
  | ({ type: 'turn-role' } & TurnRoleEvent)
  /** Follow-up suggestion text as the model writes it (never stored). */
  | ({ type: 'followup-delta' } & FollowUpDeltaEvent)
  /** The validated follow-up suggestions of an answer. */
  | ({ type: 'followup-end' } & FollowUpEndEvent)
  /** The validated score card of an answer. */
  | ({ type: 'score-final' } & ScoreFinalEvent)
  /** A part of an answer's analysis failed; says whether a retry can help. */
  | ({ type: 'analysis-error' } & AnalysisErrorEvent)
  /** Where scoring of the session's answers stands (an answer was queued, scored or failed). */
  | ({ type: 'analysis-progress' } & AnalysisProgressEvent)
  /** A pipeline failure the screen should show (VAD or ASR failed; audio is kept). */
  | ({ type: 'error' } & ErrorEvent)
  /** The session stopped: every queued frame was processed and every final is out (last event of every stream). */
  | { type: 'session-end'; result: SessionStopResult };

/** The `type` of a session event. */
export type SessionEventType = SessionEvent['type'];

/** The session event of one type. */
export type SessionEventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;

/** Requests a subscriber or a socket handler may submit to a session's subscribers. */
export type SessionCommand =
  /** Re-run the failed parts of an answer's analysis. */
  | { type: 'retry-analysis'; turnId: string }
  /**
   * The user changed who said what (relabel) or corrected text: the answers subscriber regroups, and the answers that
   * changed are analysed again (their old scores replaced).
   */
  | { type: 'relabel-turn'; turnId: string; channel: Channel; text?: string };

/** One independent reader of a session's events. */
export interface SessionSubscriber {
  /** Named in logs and in the bus counters. */
  readonly name: string;
  /**
   * Reads one event; must not throw (a throw is logged and counted, and the other subscribers still get the event). It
   * may publish its own results, never in reply to events of the kind it publishes (that dispatch would never end).
   */
  handle(event: SessionEvent): void;
  /** Answers a command it owns (undefined: not mine). */
  command?(command: SessionCommand): Ack<unknown> | undefined;
  /** After `session-end`: resolves once the subscriber's own work (e.g. analysis still running) is done or given up. */
  settled?(): Promise<void>;
}

/** Counters of a session's bus, for logs and tests. */
export interface SessionBusStats {
  published: Partial<Record<SessionEventType, number>>;
  /** Events refused because too many were waiting (a subscriber publishing in a loop). */
  dropped: number;
  /** Subscriber throws, per subscriber name. */
  failures: Record<string, number>;
}

/** Events waiting to be dispatched at most; beyond it new ones are refused and counted (in practice the queue holds 0-2). */
const MAX_PENDING_EVENTS = 1_000;

/**
 * Delivers a session's events to its subscribers synchronously, in the order they subscribed, one event at a time: an
 * event published while another is being dispatched (a subscriber's own result) waits until every subscriber has seen
 * the current one. So the order is the same for everyone, and "storage before the socket" is a matter of subscribing
 * storage first. The bus holds nothing for slow readers: work that takes time has its own bounded queue (frames before
 * the VAD, answers before the LLM), each counting what it drops.
 */
export class SessionBus {
  private readonly subscribers: SessionSubscriber[] = [];
  private readonly pending: SessionEvent[] = [];
  private dispatching = false;
  private readonly counters: SessionBusStats = { published: {}, dropped: 0, failures: {} };

  constructor(private readonly onFailure: (subscriber: string, event: SessionEventType, error: unknown) => void = () => {}) {}

  /** Adds a reader; it sees every event published from now on, after the readers added before it. */
  subscribe(subscriber: SessionSubscriber): void {
    this.subscribers.push(subscriber);
  }

  /** Publishes an event to every subscriber (now, or right after the event being dispatched). */
  publish(event: SessionEvent): void {
    if (this.pending.length >= MAX_PENDING_EVENTS) {
      this.counters.dropped++;
      return;
    }
    this.pending.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) this.dispatch(next);
    } finally {
      this.dispatching = false;
    }
  }

  /** Hands a command to the subscriber that owns it; `not-found` when none does. */
  command(command: SessionCommand): Ack<unknown> {
    for (const subscriber of this.subscribers) {
      const reply = subscriber.command?.(command);
      if (reply) return reply;
    }
    return { ok: false, error: { code: 'not-found', message: `nothing in this session handles ${command.type}` } };
  }

  /** Resolves once every subscriber's work after the end is done. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.subscribers.map((subscriber) => subscriber.settled?.()));
  }

  /** What went through the bus so far. */
  stats(): SessionBusStats {
    return { published: { ...this.counters.published }, dropped: this.counters.dropped, failures: { ...this.counters.failures } };
  }

  private dispatch(event: SessionEvent): void {
    this.counters.published[event.type] = (this.counters.published[event.type] ?? 0) + 1;
    for (const subscriber of this.subscribers) {
      try {
        subscriber.handle(event);
      } catch (error) {
        this.counters.failures[subscriber.name] = (this.counters.failures[subscriber.name] ?? 0) + 1;
        this.onFailure(subscriber.name, event.type, error);
      }
    }
  }
}
