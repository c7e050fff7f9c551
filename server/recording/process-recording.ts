import type { Channel } from '../../protocol/schemas.ts';
import type { ProcessRecording } from '../api/recording-jobs.ts';
import type { Logger } from '../logger.ts';
import { decodeAudioStream } from '../media/decode.ts';
import { FILE_SOURCE, type Session } from '../session/session.ts';
import type { SessionHub } from '../session/session-hub.ts';
import { contextFromInterview } from '../session/stored-sessions.ts';
import type { InterviewRepository } from '../store/repository.ts';
import { channelsDiffer, deinterleave, LAYOUT_PROBE_SAMPLES, mixDown, speakersOf } from './channel-layout.ts';

/** What the recording processor runs on: the same session hub (pipeline and subscribers) as live interviews. */
export interface RecordingProcessorDeps {
  hub: SessionHub;
  repository: InterviewRepository;
  logger: Logger;
  ffmpegPath?: string;
}

/** Audio handed to the pipeline at a time: large enough to keep per-call overhead low, small enough for steady progress. */
const CHUNK_SAMPLES = 16_000;

/** Decoded audio as the pipeline's channels want it: per channel, in order. */
type Layout = { channels: Channel[]; split: (chunk: Float32Array) => Float32Array[] };

/** Reads the opening of a stereo decode to choose the layout; yields the decode again from its start. */
async function chooseLayout(
  decoded: AsyncGenerator<Float32Array, void, void>,
  stereo: boolean,
  interviewerChannel: 'first' | 'second',
): Promise<{ layout: Layout; audio: AsyncGenerator<Float32Array, void, void> }> {
  const opening: Float32Array[] = [];
  let frames = 0;
  while (stereo && frames < LAYOUT_PROBE_SAMPLES) {
    const next = await decoded.next();
    if (next.done) break;
    opening.push(next.value);
    frames += next.value.length / 2;
  }
  const joined = new Float32Array(opening.reduce((total, chunk) => total + chunk.length, 0));
  opening.reduce((offset, chunk) => (joined.set(chunk, offset), offset + chunk.length), 0);
  async function* replay(): AsyncGenerator<Float32Array, void, void> {
    if (joined.length > 0) yield joined;
    yield* decoded;
  }
  let layout: Layout;
  if (!stereo) layout = { channels: ['candidate'], split: (chunk) => [chunk] };
  else if (channelsDiffer(joined)) layout = { channels: speakersOf(interviewerChannel), split: deinterleave };
  // The same mix on both channels (dual mono): one channel, or every word would be heard twice.
  else layout = { channels: ['candidate'], split: (chunk) => [mixDown(chunk)] };
  return { layout, audio: replay() };
}

/** Feeds per-channel audio to the session in CHUNK_SAMPLES pieces (the pipeline's queue applies back-pressure). */
function createFeeder(session: Session, channels: Channel[], signal: AbortSignal) {
  let pending = channels.map(() => new Float32Array(0));
  return {
    async push(parts: Float32Array[]): Promise<number> {
      pending = pending.map((previous, index) => {
        const part = parts[index] ?? new Float32Array(0);
        const joined = new Float32Array(previous.length + part.length);
        joined.set(previous);
        joined.set(part, previous.length);
        return joined;
      });
      let fed = 0;
      while ((pending[0]?.length ?? 0) >= CHUNK_SAMPLES) {
        signal.throwIfAborted();
        for (const [index, channel] of channels.entries()) await session.feed(channel, (pending[index] ?? new Float32Array(0)).subarray(0, CHUNK_SAMPLES));
        pending = pending.map((samples) => samples.slice(CHUNK_SAMPLES));
        fed += CHUNK_SAMPLES;
      }
      return fed;
    },
    async flush(): Promise<number> {
      const rest = pending[0]?.length ?? 0;
      if (rest > 0) for (const [index, channel] of channels.entries()) await session.feed(channel, pending[index] ?? new Float32Array(0));
      pending = channels.map(() => new Float32Array(0));
      return rest;
    },
  };
}

/**
 * Turns an uploaded recording into the same turns, transcripts, suggestions and scores as a live interview: the file is
 * decoded by ffmpeg as a stream (16 kHz) and fed as the file source of a session (no partials, back-pressure from the
 * pipeline's queue, every answer's analysis allowed to finish). A stereo recording with a speaker per channel is split
 * (the first channel the interviewer's unless `interviewerChannel` is 'second'); a mono one (or dual mono) is one channel
 * whose turns get their speaker from their words (features/turn-roles.ts), correctable afterwards.
 */
export function createRecordingProcessor(deps: RecordingProcessorDeps): ProcessRecording {
  return async ({ interviewId, filePath, language, probe, signal, onProgress, interviewerChannel }) => {
    const interview = deps.repository.getInterview(interviewId);
    if (!interview) throw new Error(`interview ${interviewId} no longer exists`);
    const stereo = (probe.channels ?? 1) >= 2;
    const decoded = decodeAudioStream(filePath, {
      signal,
      channels: stereo ? 2 : 1,
      onWarning: (message) => deps.logger.warn(`recording ${interviewId}: ${message}`),
      ...(deps.ffmpegPath ? { ffmpegPath: deps.ffmpegPath } : {}),
    });
    onProgress({ fraction: 0, stage: 'transcribing' });
    const { layout, audio } = await chooseLayout(decoded, stereo, interviewerChannel ?? 'first');
    const session = deps.hub.open({ sessionId: interviewId, language, channels: layout.channels, context: contextFromInterview(interview) }, 'file', FILE_SOURCE);
    let turns = 0;
    session.events.subscribe({
      name: 'recording-turns',
      handle: (event) => {
        if (event.type === 'transcript-final') turns++;
      },
    });

    const durationMs = probe.durationMs ?? null;
    const warnings: string[] = [];
    let processedSamples = 0;
    const feeder = createFeeder(session, layout.channels, signal);
    try {
      for await (const chunk of audio) {
        processedSamples += await feeder.push(layout.split(chunk));
        if (durationMs) onProgress({ fraction: Math.min(0.9, (processedSamples / 16 / durationMs) * 0.9), stage: 'transcribing' });
      }
      processedSamples += await feeder.flush();
      // A file cut short whose container still declares its full length decodes "successfully" (ffmpeg exits 0).
      const decodedMs = processedSamples / 16;
      if (durationMs !== null && decodedMs < durationMs * 0.95 && durationMs - decodedMs > 1000) {
        warnings.push(`the recording looks truncated: only ${(decodedMs / 1000).toFixed(1)} s of the ${(durationMs / 1000).toFixed(1)} s it declares could be decoded`);
      }
      signal.throwIfAborted();
      await session.stop();
      onProgress({ fraction: 0.9, stage: 'analysing' });
      await session.events.settled();
      signal.throwIfAborted();
      onProgress({ fraction: 1, stage: 'done' });
      const speakers = layout.channels.length === 2 ? `two channels (${layout.channels.join(', ')})` : 'one channel';
      deps.logger.info(`recording ${interviewId}: ${turns} turns on ${speakers} from ${Math.round(processedSamples / 16_000)} s of audio`);
      for (const warning of warnings) deps.logger.warn(`recording ${interviewId}: ${warning}`);
      return { warnings };
    } catch (error) {
      deps.hub.discard(session);
      throw error;
    }
  };
}
