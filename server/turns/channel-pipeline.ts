import { randomUUID } from 'node:crypto';
import { AudioTail } from './audio-tail.ts';
import { msToSamples, samplesToMs } from '../../protocol/audio.ts';
import type { Channel, Language } from '../../protocol/schemas.ts';
import type { SessionEventOf } from '../session/events.ts';
import type { TurnDecoder } from '../asr/turn-decoder.ts';
import type { TurnVad, TurnVadEvent } from '../vad/turn-vad.ts';

/** What one channel's pipeline publishes into its session's event stream. */
export type ChannelEvent = SessionEventOf<'speech-start' | 'speech-end' | 'transcript-partial' | 'transcript-final' | 'error'>;

/** Options of one channel's turn pipeline. */
export interface ChannelPipelineOptions {
  sessionId: string;
  channel: Channel;
  language: Language;
  /** Whether to re-decode open turns for partial transcripts (a screen is watching; a file has nobody watching live). */
  partials: boolean;
  /** With partials: re-decode an open turn after this much new audio. */
  partialIntervalMs: number;
  /** Audio kept before the current position while nobody speaks (must cover the VAD's pre-speech pad). */
  preRollMs: number;
  /** Absolute sample position this channel starts at (non-zero when a session resumes after a restart). */
  startSample?: number;
  signal: AbortSignal;
}

interface OpenTurn {
  turnId: string;
  startSample: number;
  lastPartialAtSample: number;
  finalised: boolean;
}

/** Below this speech probability the speaker is pausing: no partial decode is started. */
const PAUSE_PROBABILITY = 0.5;

function newTurn(startSample: number): OpenTurn {
  return { turnId: `t_${randomUUID().replaceAll('-', '').slice(0, 12)}`, startSample, lastPartialAtSample: startSample, finalised: false };
}

/** Counters of one channel's turns. */
export interface ChannelTurnStats {
  turns: number;
  partialsPublished: number;
  partialsSkipped: number;
  finalsFailed: number;
}

/**
 * One channel's speech → turns → transcripts: feeds audio to the VAD, keeps the audio of the open turn, asks for a partial
 * re-decode about once per `partialIntervalMs` while a turn is open (when `partials`), and a final decode when the VAD
 * closes it. What it hears it publishes as session events.
 */
export class ChannelPipeline {
  private readonly tail: AudioTail;
  private openTurn: OpenTurn | undefined;
  private readonly pendingFinals = new Set<Promise<void>>();
  /** How long the latest partial decode took: partials are spaced by it. */
  private lastPartialDecodeMs = 0;
  /** Where the latest closed turn ended (its audio is never heard twice). */
  private lastTurnEndSample = 0;
  /** Start positions of turns whose final is not out yet. */
  private readonly pendingTurnStarts = new Map<string, number>();
  readonly stats: ChannelTurnStats = { turns: 0, partialsPublished: 0, partialsSkipped: 0, finalsFailed: 0 };

  constructor(
    private readonly options: ChannelPipelineOptions,
    private readonly vad: TurnVad,
    private readonly decoder: TurnDecoder,
    private readonly publish: (event: ChannelEvent) => void,
  ) {
    this.tail = new AudioTail(options.startSample ?? 0);
    this.lastTurnEndSample = options.startSample ?? 0;
  }

  /** Absolute sample position one past the last sample received. */
  get samplesReceived(): number {
    return this.tail.endSample;
  }

  /**
   * The earliest position a restarted server must resume from so no turn is lost or heard twice: the start of the open
   * turn or of the oldest turn whose final is not out yet; otherwise the current position.
   */
  safeResumeSample(): number {
    // Without an open turn, still go back by the pre-roll (but not into a finished turn): speech the VAD had not yet
    // confirmed must be heard again from its start.
    const quiet = Math.max(this.lastTurnEndSample, this.tail.endSample - msToSamples(this.options.preRollMs));
    let safe = this.openTurn?.startSample ?? quiet;
    for (const start of this.pendingTurnStarts.values()) safe = Math.min(safe, start);
    return safe;
  }

  /** Processes a chunk of audio (the next samples of this channel). */
  async push(samples: Float32Array): Promise<void> {
    this.tail.append(samples);
    const events = await this.vad.push(samples);
    this.handle(events);
    this.maybeRequestPartial();
    if (!this.openTurn) this.tail.trimBefore(this.tail.endSample - msToSamples(this.options.preRollMs));
  }

  /** Ends the stream: closes an open turn and resolves once every final transcript is out. */
  async finish(): Promise<void> {
    this.handle(await this.vad.flush());
    await this.drain();
  }

  /** Resolves once the finals already asked for are out. */
  async drain(): Promise<void> {
    while (this.pendingFinals.size > 0) await Promise.allSettled([...this.pendingFinals]);
  }

  private handle(vadEvents: TurnVadEvent[]): void {
    // The VAD counts from its own first sample; a resumed channel starts at an absolute position further on.
    const offset = this.options.startSample ?? 0;
    for (const vadEvent of vadEvents) {
      const event: TurnVadEvent =
        offset === 0
          ? vadEvent
          : vadEvent.type === 'speech-start'
            ? { ...vadEvent, startSample: vadEvent.startSample + offset, atSample: vadEvent.atSample + offset }
            : vadEvent.type === 'speech-end'
              ? { ...vadEvent, startSample: vadEvent.startSample + offset, endSample: vadEvent.endSample + offset, atSample: vadEvent.atSample + offset }
              : vadEvent;
      if (event.type === 'speech-start') {
        this.openTurn = newTurn(event.startSample);
        this.publish({ type: 'speech-start', sessionId: this.options.sessionId, channel: this.options.channel, atMs: samplesToMs(event.startSample) });
      } else if (event.type === 'speech-end') {
        const turn = this.openTurn ?? newTurn(event.startSample);
        this.openTurn = undefined;
        turn.finalised = true;
        this.publish({ type: 'speech-end', sessionId: this.options.sessionId, channel: this.options.channel, atMs: samplesToMs(event.endSample) });
        this.requestFinal(turn, event.startSample, event.endSample);
      }
    }
  }

  private maybeRequestPartial(): void {
    const turn = this.openTurn;
    if (!turn || !this.options.partials) return;
    const now = this.tail.endSample;
    // A native decode cannot be interrupted, so a partial started just before the turn ends delays its final. Partials are
    // spaced at least twice their own decode time apart (the decoder stays mostly free for finals), and none starts while
    // the speaker is pausing: that pause is often the end of the turn.
    const intervalMs = Math.max(this.options.partialIntervalMs, 2 * this.lastPartialDecodeMs);
    if (now - turn.lastPartialAtSample < msToSamples(intervalMs)) return;
    if (this.vad.lastProbability !== undefined && this.vad.lastProbability < PAUSE_PROBABILITY) return;
    turn.lastPartialAtSample = now;
    const pcm = this.tail.slice(turn.startSample, now);
    const startMs = samplesToMs(turn.startSample);
    const endMs = samplesToMs(now);
    void this.decoder
      .decode({ key: turn.turnId, priority: 'partial', pcm, language: this.options.language, signal: this.options.signal })
      .then((outcome) => {
        if (outcome.skipped) {
          this.stats.partialsSkipped++;
          return;
        }
        this.lastPartialDecodeMs = outcome.decodeMs;
        // A partial that finishes after its turn's final would move the text backwards on screen.
        if (turn.finalised) {
          this.stats.partialsSkipped++;
          return;
        }
        this.stats.partialsPublished++;
        this.publish({
          type: 'transcript-partial',
          sessionId: this.options.sessionId,
          turnId: turn.turnId,
          channel: this.options.channel,
          text: outcome.text,
          startMs,
          endMs,
          language: outcome.language,
        });
      })
      .catch(() => {
        // A failed partial only delays the text until the final; the final reports its own failure.
        this.stats.partialsSkipped++;
      });
  }

  private requestFinal(turn: OpenTurn, startSample: number, endSample: number): void {
    const decidedAt = performance.now();
    const audio = this.tail.slice(startSample, endSample);
    const startMs = samplesToMs(startSample);
    const endMs = samplesToMs(endSample);
    this.stats.turns++;
    this.lastTurnEndSample = Math.max(this.lastTurnEndSample, endSample);
    this.pendingTurnStarts.set(turn.turnId, startSample);
    const pending = this.decoder
      .decode({ key: turn.turnId, priority: 'final', pcm: audio, language: this.options.language, signal: this.options.signal })
      .then((outcome) => {
        if (outcome.skipped) throw new Error(`final decode skipped: ${outcome.reason}`);
        // No longer pending before the final is published, so the resume point may move past this turn as it is stored.
        this.pendingTurnStarts.delete(turn.turnId);
        this.publish({
          type: 'transcript-final',
          sessionId: this.options.sessionId,
          turnId: turn.turnId,
          channel: this.options.channel,
          text: outcome.text,
          startMs,
          endMs,
          language: outcome.language,
          segments: outcome.segments.map((segment) => ({
            text: segment.text,
            startMs: Math.min(endMs, startMs + segment.startMs),
            endMs: Math.min(endMs, startMs + segment.endMs),
          })),
          audio,
          finalLatencyMs: performance.now() - decidedAt,
        });
      })
      .catch((error: unknown) => {
        this.stats.finalsFailed++;
        const message = error instanceof Error ? error.message : String(error);
        this.publish({
          type: 'error',
          code: 'asr-failed',
          message: `transcription of turn ${turn.turnId} failed: ${message}; its audio is kept`,
          sessionId: this.options.sessionId,
          channel: this.options.channel,
        });
      })
      .finally(() => {
        this.pendingFinals.delete(pending);
        this.pendingTurnStarts.delete(turn.turnId);
      });
    this.pendingFinals.add(pending);
  }
}

