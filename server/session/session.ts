import { msToSamples, pcm16ToFloat32, samplesToMs, BYTES_PER_SAMPLE } from '../../protocol/audio.ts';
import type {
  AudioFrame,
  Channel,
  ChannelStats,
  ErrorEvent,
  Language,
  SessionContext,
  SessionStopResult,
} from '../../protocol/schemas.ts';
import { BoundedQueue } from '../ingest/bounded-queue.ts';
import { FrameGate } from '../ingest/frame-gate.ts';
import type { TurnDecoder } from '../asr/turn-decoder.ts';
import { ChannelPipeline, type ChannelEvent } from '../turns/channel-pipeline.ts';
import type { TurnVad } from '../vad/turn-vad.ts';
import { SessionBus, type ChannelResumePoint, type SessionOrigin } from './events.ts';

/** How an audio source wants its session run: the same pipeline, different options. */
export interface SourceOptions {
  /** Re-decode open turns for partial transcripts (a screen is watching). */
  partials: boolean;
  /**
   * 'fresh': follow-ups only while the interviewer can use them (stale ones and those left at the stop are cancelled);
   * 'all': every answer gets them (a review). Scores are durable jobs either way and finish after the stop.
   */
  followUps: 'fresh' | 'all';
}

/** A client streaming frames over Socket.IO: partials and fresh follow-ups for its screen. */
export const SOCKET_SOURCE: SourceOptions = { partials: true, followUps: 'fresh' };
/** A recording decoded on the server: nobody watches it live; every answer gets follow-ups and a score. */
export const FILE_SOURCE: SourceOptions = { partials: false, followUps: 'all' };

/** What a session is built from: the speech stages and how its source wants them run. */
export interface SessionDeps {
  createVad(channel: Channel): TurnVad;
  decoder: TurnDecoder;
  source: SourceOptions;
  partialIntervalMs: number;
  /** Frames held per channel between the source and the VAD: a socket's extra frames are dropped, a file waits. */
  queueCapacity?: number;
  /** Where a subscriber that throws is reported. */
  onSubscriberFailure?(subscriber: string, event: string, error: unknown): void;
  /** The server's clock (ms), which paces the silence a sequence gap may insert (default `Date.now`). */
  now?: () => number;
}

export type { ChannelResumePoint } from './events.ts';

/** A frame's audio (PCM16 from a socket, samples from a file, or silence filling a gap before frame `seq`) on its way to the VAD. */
interface QueuedAudio {
  seq: number;
  bytes?: Uint8Array;
  samples?: Float32Array;
  silenceSamples?: number;
}

interface ChannelState {
  gate: FrameGate;
  queue: BoundedQueue<QueuedAudio>;
  /** Processed frames not yet behind the safe resume point: (seq, start sample), oldest first. */
  recentFrames: { seq: number; startSample: number }[];
  resumePoint: ChannelResumePoint;
  /** Sequence number of the last frame the pipeline processed (-1 before any). */
  lastProcessedSeq: number;
  pipeline: ChannelPipeline;
  loop: Promise<void>;
  framesReceived: number;
  /** Samples accepted from the socket so far (absolute position), ahead of what the pipeline has processed. */
  samplesAccepted: number;
  /** Samples of frames dropped on overflow, inserted as silence when the queue has room so the timeline stays true. */
  owedSilence: number;
  /** Chunks queued by `feed` (their sequence numbers). */
  framesFed: number;
  /** Server clock when the channel opened and when its last frame arrived: what a gap may fill with silence. */
  openedAtMs: number;
  lastFrameAtMs: number;
  /** Silence inserted for sequence gaps so far (ms); never more than the real time since the channel opened (plus slack). */
  gapFilledMs: number;
  vadFailed: boolean;
  /** Turns the VAD opened and turns that ended in a final or an error: what is still being transcribed. */
  turnsStarted: number;
  turnsFinished: number;
}

/** Audio kept before the current position while nobody speaks: covers the VAD's pre-speech pad and confirmation delay. */
const PRE_ROLL_MS = 4_000;
/** How far the resume point moves while nobody speaks before it is stored again (1 s). */
const RESUME_POINT_STEP_SAMPLES = 16_000;
/** Chunks of file audio queued ahead of the VAD at most: the file is read only as fast as the pipeline takes it. */
const FILE_CHUNKS_QUEUED = 2;
/** A gap is filled with at most this much silence so a bad sequence number cannot allocate unbounded memory. */
const MAX_GAP_FILL_MS = 10_000;
/** Jitter allowed on top of the real time that passed: a client's frames do not arrive exactly on the clock. */
const GAP_SLACK_MS = 1_000;

/**
 * One interview's audio path: per channel a frame gate (sequence numbers), a bounded queue, and a turn pipeline (VAD →
 * ASR), all publishing into the session's event stream (`events`). Two sources feed it: socket frames, accepted
 * synchronously (`acceptFrame`: a full queue drops and counts), and file audio (`feed`: waits for room). Each channel's
 * queue is drained by its own async loop.
 */
export class Session {
  private readonly channels = new Map<Channel, ChannelState>();
  private readonly controller = new AbortController();
  private stopping: Promise<SessionStopResult> | undefined;
  private openedAs: SessionOrigin | undefined;
  /** The session's event stream: subscribe before `open()`. */
  readonly events: SessionBus;

  constructor(
    readonly id: string,
    readonly language: Language,
    channels: readonly Channel[],
    readonly context: SessionContext,
    private readonly deps: SessionDeps,
    resumeFrom: Partial<Record<Channel, ChannelResumePoint>> = {},
  ) {
    this.events = new SessionBus(deps.onSubscriberFailure);
    const openedAtMs = this.now();
    for (const channel of channels) {
      const resume = resumeFrom[channel];
      const pipeline = new ChannelPipeline(
        {
          sessionId: id,
          channel,
          language,
          partials: deps.source.partials,
          partialIntervalMs: deps.partialIntervalMs,
          preRollMs: PRE_ROLL_MS,
          startSample: resume?.samplesReceived ?? 0,
          signal: this.controller.signal,
        },
        deps.createVad(channel),
        deps.decoder,
        (event) => this.onChannelEvent(event),
      );
      const state: ChannelState = {
        gate: new FrameGate(resume?.nextSeq ?? 0),
        queue: new BoundedQueue(deps.queueCapacity ?? 600),
        recentFrames: [],
        resumePoint: { nextSeq: resume?.nextSeq ?? 0, samplesReceived: resume?.samplesReceived ?? 0 },
        lastProcessedSeq: (resume?.nextSeq ?? 0) - 1,
        pipeline,
        loop: Promise.resolve(),
        framesReceived: 0,
        samplesAccepted: resume?.samplesReceived ?? 0,
        owedSilence: 0,
        framesFed: 0,
        openedAtMs,
        lastFrameAtMs: openedAtMs,
        gapFilledMs: 0,
        vadFailed: false,
        turnsStarted: 0,
        turnsFinished: 0,
      };
      state.loop = this.drainChannel(channel, state);
      this.channels.set(channel, state);
    }
  }

  /** The options of the source feeding this session. */
  get source(): SourceOptions {
    return this.deps.source;
  }

  /** Publishes the first event, once the subscribers are in place. */
  open(origin: SessionOrigin): void {
    this.openedAs = origin;
    this.events.publish({ type: 'session-start', origin });
  }

  /** How the session was opened (undefined before `open`). */
  get origin(): SessionOrigin | undefined {
    return this.openedAs;
  }

  /** The channels this session listens to. */
  get channelNames(): Channel[] {
    return [...this.channels.keys()];
  }

  /** True once stop has begun. */
  get stopped(): boolean {
    return this.stopping !== undefined;
  }

  /** Aborted when the session stops: cancels its decodes and analyses. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Next sequence number expected per channel (what a reconnecting client resends from). */
  nextSeq(): Partial<Record<Channel, number>> {
    const result: Partial<Record<Channel, number>> = {};
    for (const [channel, state] of this.channels) result[channel] = state.gate.nextSeq;
    return result;
  }

  /** Takes one frame from the socket. Returns an error for the sender when the frame is refused; the session goes on. */
  acceptFrame(frame: AudioFrame): ErrorEvent | undefined {
    const base = { sessionId: this.id, channel: frame.channel, seq: frame.seq };
    if (this.stopping) return { code: 'session-stopped', message: 'this session has stopped; start a new one', ...base };
    const state = this.channels.get(frame.channel);
    if (!state) {
      return {
        code: 'invalid-frame',
        message: `channel '${frame.channel}' was not opened by session:start (opened: ${this.channelNames.join(', ')})`,
        ...base,
      };
    }
    const verdict = state.gate.admit(frame.seq, frame.pcm);
    if (verdict.kind === 'duplicate') return undefined;
    if (verdict.kind === 'reject') return { code: 'invalid-frame', message: verdict.message, ...base };
    state.framesReceived++;
    const nowMs = this.now();
    if (verdict.missingFrames > 0) {
      const fillSamples = Math.min(verdict.missingFrames * (verdict.bytes.byteLength / BYTES_PER_SAMPLE), msToSamples(this.gapAllowanceMs(state, nowMs)));
      state.gapFilledMs += samplesToMs(fillSamples);
      this.events.publish({
        type: 'audio-gap',
        sessionId: this.id,
        channel: frame.channel,
        expectedSeq: verdict.expectedSeq,
        receivedSeq: frame.seq,
        missingFrames: verdict.missingFrames,
        atMs: samplesToMs(state.samplesAccepted),
      });
      // Silence keeps the timeline in real time and lets the VAD close a turn at the hole instead of gluing across it.
      if (fillSamples > 0 && state.queue.push({ seq: frame.seq, silenceSamples: fillSamples })) state.samplesAccepted += fillSamples;
    }
    state.lastFrameAtMs = nowMs;
    // Copy: socket.io may reuse the underlying buffer, and the queue outlives this call.
    const frameSamples = verdict.bytes.byteLength / BYTES_PER_SAMPLE;
    if (state.owedSilence > 0 && state.queue.size < state.queue.capacity - 1 && state.queue.push({ seq: frame.seq, silenceSamples: state.owedSilence })) {
      state.samplesAccepted += state.owedSilence;
      state.owedSilence = 0;
    }
    if (state.queue.push({ seq: frame.seq, bytes: verdict.bytes.slice() })) {
      state.samplesAccepted += frameSamples;
    } else {
      state.owedSilence += frameSamples;
      return {
        code: 'queue-overflow',
        message: `server is behind: frame ${frame.seq} was dropped (${state.queue.dropped} dropped so far on this channel)`,
        ...base,
      };
    }
    return undefined;
  }

  /**
   * How much silence a sequence gap may insert now. A seq jump must not buy audio time (600 frames with jumps of 1000 once
   * bought 50 minutes of processing): a gap is filled with at most the real time since the channel's last frame, and all
   * gaps together with at most the real time since the channel opened, each plus a little slack for jitter.
   */
  private gapAllowanceMs(state: ChannelState, nowMs: number): number {
    const sinceLastFrameMs = nowMs - state.lastFrameAtMs + GAP_SLACK_MS;
    const creditMs = nowMs - state.openedAtMs + GAP_SLACK_MS - state.gapFilledMs;
    return Math.max(0, Math.min(MAX_GAP_FILL_MS, sinceLastFrameMs, creditMs));
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /**
   * The file source: queues audio decoded on the server (an uploaded recording) like a frame, waiting for room instead of
   * dropping (back-pressure), so a file is read exactly as fast as the VAD takes it. Resolves once the audio is queued.
   */
  async feed(channel: Channel, samples: Float32Array): Promise<void> {
    const state = this.channels.get(channel);
    if (!state) throw new Error(`channel '${channel}' is not open in session ${this.id}`);
    await state.queue.whenRoom(FILE_CHUNKS_QUEUED);
    if (this.stopping) throw new Error(`session ${this.id} has stopped`);
    if (!state.queue.push({ seq: state.framesFed++, samples })) throw new Error(`session ${this.id}: the ${channel} queue refused file audio`);
    state.samplesAccepted += samples.length;
  }

  /**
   * What is still being transcribed: turns heard but not final yet, and audio received but not yet through the VAD
   * (right after `stop()`, what the screen says it is finishing).
   */
  pendingWork(): { turns: number; audioMs: number } {
    let turns = 0;
    let samples = 0;
    for (const state of this.channels.values()) {
      turns += Math.max(0, state.turnsStarted - state.turnsFinished);
      samples += Math.max(0, state.samplesAccepted - state.pipeline.samplesReceived);
    }
    return { turns, audioMs: samplesToMs(samples) };
  }

  /** The figures of every channel so far (final once `stop()` resolved). */
  stats(): Partial<Record<Channel, ChannelStats>> {
    const stats: Partial<Record<Channel, ChannelStats>> = {};
    for (const [channel, state] of this.channels) stats[channel] = this.channelStats(state);
    return stats;
  }

  /**
   * Stops listening: capture ends at once (frames are refused from the first synchronous step), then every queued frame
   * is processed and open turns are closed; resolves once every final transcript is out (`session-end`).
   */
  stop(): Promise<SessionStopResult> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /** Aborts everything at once (server shutdown); queued audio is not processed. */
  abort(): void {
    this.controller.abort();
    for (const state of this.channels.values()) state.queue.close();
  }

  private async doStop(): Promise<SessionStopResult> {
    for (const state of this.channels.values()) state.queue.close();
    await Promise.all([...this.channels.values()].map((state) => state.loop));
    await Promise.all([...this.channels.values()].map((state) => (state.vadFailed ? state.pipeline.drain() : state.pipeline.finish())));
    const result = { sessionId: this.id, stats: this.stats() };
    this.events.publish({ type: 'session-end', result });
    return result;
  }

  private channelStats(state: ChannelState): ChannelStats {
    return {
      framesReceived: state.framesReceived,
      framesRejected: state.gate.rejected,
      framesDropped: state.queue.dropped,
      framesDuplicate: state.gate.duplicates,
      gaps: state.gate.gaps,
      missingFrames: state.gate.missingFrames,
      audioMs: samplesToMs(state.pipeline.samplesReceived),
      turns: state.pipeline.stats.turns,
      partialsPublished: state.pipeline.stats.partialsPublished,
      partialsSkipped: state.pipeline.stats.partialsSkipped,
    };
  }

  private async drainChannel(channel: Channel, state: ChannelState): Promise<void> {
    for await (const item of state.queue) {
      if (state.vadFailed) continue;
      const samples = item.bytes ? pcm16ToFloat32(item.bytes) : (item.samples ?? new Float32Array(item.silenceSamples ?? 0));
      if (item.bytes || item.samples) state.recentFrames.push({ seq: item.seq, startSample: state.pipeline.samplesReceived });
      try {
        await state.pipeline.push(samples);
      } catch (error) {
        state.vadFailed = true;
        this.events.publish({
          type: 'error',
          code: 'vad-failed',
          message: `speech detection failed on the ${channel} channel: ${error instanceof Error ? error.message : String(error)}`,
          sessionId: this.id,
          channel,
        });
      }
      state.lastProcessedSeq = item.seq;
      this.advanceResumePoint(channel, state);
    }
  }

  /** Moves the channel's resume point (what a restarted server resumes from) up to the pipeline's safe position. */
  private advanceResumePoint(channel: Channel, state: ChannelState): void {
    const point = this.nextResumePoint(state, false);
    if (point) this.events.publish({ type: 'channel-progress', sessionId: this.id, channel, ...point });
  }

  /** The channel's new resume point when it moved enough to be stored (`force`: any move), else undefined. */
  private nextResumePoint(state: ChannelState, force: boolean): ChannelResumePoint | undefined {
    const lastSeq = state.lastProcessedSeq;
    const safe = state.pipeline.safeResumeSample();
    const frames = state.recentFrames;
    // Keep the frame holding `safe` (and everything after it): a restart resends from there.
    while (frames.length > 1 && (frames[1]?.startSample ?? Infinity) <= safe) frames.shift();
    const first = frames[0];
    let point: ChannelResumePoint;
    if (safe >= state.pipeline.samplesReceived) {
      point = { nextSeq: lastSeq + 1, samplesReceived: state.pipeline.samplesReceived };
      frames.length = 0;
    } else if (first && first.startSample <= safe) {
      point = { nextSeq: first.seq, samplesReceived: first.startSample };
    } else {
      return undefined; // The safe position lies before the frames this process has seen: keep the stored point.
    }
    if (point.nextSeq === state.resumePoint.nextSeq && point.samplesReceived === state.resumePoint.samplesReceived) return undefined;
    // While nobody speaks the point creeps forward with every frame; storing it once a second is enough (a lagging point
    // only means a restart re-hears a little more silence). A final moves it past its turn at once (force): a restart must
    // never hear a stored turn again.
    const aheadSamples = point.samplesReceived - state.resumePoint.samplesReceived;
    if (!force && aheadSamples >= 0 && aheadSamples < RESUME_POINT_STEP_SAMPLES) return undefined;
    state.resumePoint = point;
    return point;
  }

  /** Where each channel would resume after a server restart. */
  resumePoints(): Partial<Record<Channel, ChannelResumePoint>> {
    const result: Partial<Record<Channel, ChannelResumePoint>> = {};
    for (const [channel, state] of this.channels) result[channel] = { ...state.resumePoint };
    return result;
  }

  private onChannelEvent(event: ChannelEvent): void {
    const channel = 'channel' in event ? event.channel : undefined;
    const counted = channel === undefined ? undefined : this.channels.get(channel);
    if (counted && event.type === 'speech-start') counted.turnsStarted++;
    else if (counted && (event.type === 'transcript-final' || event.type === 'error')) counted.turnsFinished = Math.min(counted.turnsStarted, counted.turnsFinished + 1);
    if (event.type !== 'transcript-final') return this.events.publish(event);
    // The final carries the channel's new resume point, so storage writes both before any client sees the turn: an
    // acknowledged turn survives a crash and is not heard again after a restart.
    const state = this.channels.get(event.channel);
    const resumePoint = state ? this.nextResumePoint(state, true) : undefined;
    this.events.publish(resumePoint ? { ...event, resumePoint } : event);
  }
}
