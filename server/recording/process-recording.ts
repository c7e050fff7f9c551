import type { Channel } from '../../protocol/schemas.ts';
import type { ProcessRecording } from '../api/recording-jobs.ts';
import type { Logger } from '../logger.ts';
import { decodeAudioStream } from '../media/decode.ts';
import { FILE_SOURCE } from '../session/session.ts';
import type { SessionHub } from '../session/session-hub.ts';
import { contextFromInterview } from '../session/stored-sessions.ts';
import type { InterviewRepository } from '../store/repository.ts';

/** What the recording processor runs on: the same session hub (pipeline and subscribers) as live interviews. */
export interface RecordingProcessorDeps {
  hub: SessionHub;
  repository: InterviewRepository;
  logger: Logger;
  ffmpegPath?: string;
}

/** Audio handed to the pipeline at a time: large enough to keep per-call overhead low, small enough for steady progress. */
const CHUNK_SAMPLES = 16_000;

/**
 * Turns an uploaded recording into the same turns, transcripts, suggestions and scores as a live interview: the file is
 * decoded by ffmpeg as a stream (16 kHz mono) and fed as the file source of a session (no partials, back-pressure from the
 * pipeline's queue, every answer's analysis allowed to finish). The whole recording is one channel: speakers are not
 * separated, so every turn is treated as the candidate's.
 */
export function createRecordingProcessor(deps: RecordingProcessorDeps): ProcessRecording {
  return async ({ interviewId, filePath, language, probe, signal, onProgress }) => {
    const interview = deps.repository.getInterview(interviewId);
    if (!interview) throw new Error(`interview ${interviewId} no longer exists`);
    const channel: Channel = 'candidate';
    const session = deps.hub.open({ sessionId: interviewId, language, channels: [channel], context: contextFromInterview(interview) }, 'file', FILE_SOURCE);
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
    let pending = new Float32Array(0);
    try {
      onProgress({ fraction: 0, stage: 'transcribing' });
      for await (const chunk of decodeAudioStream(filePath, {
        signal,
        onWarning: (message) => deps.logger.warn(`recording ${interviewId}: ${message}`),
        ...(deps.ffmpegPath ? { ffmpegPath: deps.ffmpegPath } : {}),
      })) {
        const joined = new Float32Array(pending.length + chunk.length);
        joined.set(pending);
        joined.set(chunk, pending.length);
        let offset = 0;
        for (; offset + CHUNK_SAMPLES <= joined.length; offset += CHUNK_SAMPLES) {
          signal.throwIfAborted();
          await session.feed(channel, joined.subarray(offset, offset + CHUNK_SAMPLES));
          processedSamples += CHUNK_SAMPLES;
          if (durationMs) onProgress({ fraction: Math.min(0.9, (processedSamples / 16) / durationMs * 0.9), stage: 'transcribing' });
        }
        pending = joined.slice(offset);
      }
      if (pending.length > 0) await session.feed(channel, pending);
      processedSamples += pending.length;
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
      deps.logger.info(`recording ${interviewId}: ${turns} turns from ${Math.round(processedSamples / 16_000)} s of audio`);
      for (const warning of warnings) deps.logger.warn(`recording ${interviewId}: ${warning}`);
      return { warnings };
    } catch (error) {
      deps.hub.discard(session);
      throw error;
    }
  };
}
