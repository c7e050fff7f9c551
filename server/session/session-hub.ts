import type { Channel, Language, SessionContext } from '../../protocol/schemas.ts';
import type { TurnDecoder } from '../asr/turn-decoder.ts';
import type { Logger } from '../logger.ts';
import type { TurnVad } from '../vad/turn-vad.ts';
import type { ChannelResumePoint, SessionOrigin, SessionSubscriber } from './events.ts';
import { Session, type SourceOptions } from './session.ts';
import type { StoredSession } from './stored-sessions.ts';

/** Builds one subscriber for a new session, or undefined when the feature has nothing to do in it. */
export type SubscriberFactory = (session: Session) => SessionSubscriber | undefined;

/** What the hub opens sessions with. */
export interface SessionHubDeps {
  createVad(channel: Channel): TurnVad;
  decoder: TurnDecoder;
  partialIntervalMs: number;
  queueCapacity?: number;
  logger: Logger;
  /** Every session's subscribers, in dispatch order (storage first, the socket emitter last). */
  subscribers: SubscriberFactory[];
  /** The one lookup of a stored session that `resume` may reopen. */
  findStored(sessionId: string): StoredSession | undefined;
}

/** What a new session is about. */
export interface SessionSpec {
  sessionId: string;
  language: Language;
  channels: Channel[];
  context: SessionContext;
  resumeFrom?: Partial<Record<Channel, ChannelResumePoint>>;
}

/** The sessions running in this process, whatever feeds them (sockets or files). */
export class SessionHub {
  private readonly live = new Map<string, Session>();

  constructor(private readonly deps: SessionHubDeps) {}

  /** Number of running sessions. */
  get size(): number {
    return this.live.size;
  }

  /** The running session with this id. */
  get(sessionId: string): Session | undefined {
    return this.live.get(sessionId);
  }

  /** The running session a client may address (join, send frames to, stop): never a file being processed. */
  forClient(sessionId: string): Session | undefined {
    const session = this.live.get(sessionId);
    return session && session.origin !== 'file' ? session : undefined;
  }

  /** Opens a session: builds its pipeline, subscribes every feature in order, publishes `session-start`. */
  open(spec: SessionSpec, origin: SessionOrigin, source: SourceOptions): Session {
    const { logger } = this.deps;
    const session = new Session(spec.sessionId, spec.language, spec.channels, spec.context, {
      createVad: this.deps.createVad,
      decoder: this.deps.decoder,
      source,
      partialIntervalMs: this.deps.partialIntervalMs,
      ...(this.deps.queueCapacity === undefined ? {} : { queueCapacity: this.deps.queueCapacity }),
      onSubscriberFailure: (name, event, error) =>
        logger.error(`session ${spec.sessionId}: subscriber ${name} failed on ${event}: ${error instanceof Error ? error.message : String(error)}`),
    }, spec.resumeFrom);
    for (const factory of this.deps.subscribers) {
      const subscriber = factory(session);
      if (subscriber) session.events.subscribe(subscriber);
    }
    // Whoever stops it (a client, the automated interviewer, shutdown), a stopped session is no longer running.
    session.events.subscribe({
      name: 'hub',
      handle: (event) => {
        if (event.type === 'session-end' && this.live.get(session.id) === session) this.live.delete(session.id);
      },
    });
    this.live.set(session.id, session);
    session.open(origin);
    return session;
  }

  /** The running session, or a stored live one reopened (after a restart; an automated interview's first join). */
  resume(sessionId: string, source: SourceOptions): Session | undefined {
    if (this.live.has(sessionId)) return this.forClient(sessionId);
    const stored = this.deps.findStored(sessionId);
    if (!stored) return undefined;
    this.deps.logger.info(`resuming stored session ${sessionId}`);
    // No screen shows an automated interview's partial transcripts (the candidate's socket never gets them): decoding
    // them would only make its finals, which the follow-up decision waits for, wait behind them on a busy CPU.
    return this.open(stored, 'resume', stored.context.mode === 'automated' ? { ...source, partials: false } : source);
  }

  /** Aborts a session at once (its source failed): queued audio is not processed, and it is forgotten. */
  discard(session: Session): void {
    session.abort();
    if (this.live.get(session.id) === session) this.live.delete(session.id);
  }

  /** Stops every session (waiting for their finals). */
  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.live.values()].map((session) => session.stop()));
  }
}
