import type { Channel } from '../../protocol/schemas.ts';
import type { ProcessRecording } from '../api/recording-jobs.ts';
import type { SessionFeature } from '../app.ts';
import type { Logger } from '../logger.ts';
import { decodeAudioStream } from '../media/decode.ts';
import { Session, type SessionObserver } from '../session/session.ts';
import type { InterviewRepository } from '../store/repository.ts';
import type { TurnDecoder } from '../asr/turn-decoder.ts';
import type { TurnVad } from '../vad/turn-vad.ts';

/** What the recording processor runs on: the live pipeline's parts. */
export interface RecordingProcessorDeps {
  createVad(channel: Channel): TurnVad;
  decoder: TurnDecoder;
  repository: InterviewRepository;
  /** Storage and analysis, attached with origin 'recording'. */
  features: SessionFeature[];
  /** Resolves when a stopped session's analyses are done (the analysis feature's `settled`). */
  analysisSettled?(sessionId: string): Promise<void>;
  logger: Logger;
  ffmpegPath?: string;
}

/** Audio handed to the pipeline at a time: large enough to keep per-call overhead low, small enough for steady progress. */
const CHUNK_SAMPLES = 16_000;

/**
 * Turns an uploaded recording into the same turns, transcripts, suggestions and scores as a live interview: the file is
 * decoded by ffmpeg as a stream (16 kHz mono) and fed through the live pipeline as fast as the CPU allows (no partials).
 * The whole recording is one channel: speakers are not separated, so every turn is treated as the candidate's.
 */
export function createRecordingProcessor(deps: RecordingProcessorDeps): ProcessRecording {
  return async ({ interviewId, filePath, language, probe, signal, onProgress }) => {
    const interview = deps.repository.getInterview(interviewId);
    if (!interview) throw new Error(`interview ${interviewId} no longer exists`);
    const channel: Channel = 'candidate';
    const observers: SessionObserver[] = [];
    const session = new Session(
      interviewId,
      language,
      [channel],
      {
        ...(interview.role === null ? {} : { role: interview.role }),
        ...(interview.jobDescription === null ? {} : { jobDescription: interview.jobDescription }),
        ...(interview.resume === null ? {} : { resume: interview.resume }),
        ...(interview.context.rubric ? { rubric: interview.context.rubric } : {}),
        ...(interview.context.plannedQuestions ? { plannedQuestions: interview.context.plannedQuestions } : {}),
      },
      {
        createVad: deps.createVad,
        decoder: deps.decoder,
        emit: () => {},
        // Partials are for screens; a recording has nobody watching it live.
        partialIntervalMs: Number.MAX_SAFE_INTEGER,
        observer: {
          onFinal: (current, turn) => observers.forEach((o) => o.onFinal?.(current, turn)),
          onStop: async (current) => {
            for (const o of observers) await o.onStop?.(current);
          },
        },
      },
    );
    for (const feature of deps.features) observers.push(feature.attach(session, () => {}, 'recording'));

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
          await session.pushAudio(channel, joined.subarray(offset, offset + CHUNK_SAMPLES));
          processedSamples += CHUNK_SAMPLES;
          if (durationMs) onProgress({ fraction: Math.min(0.9, (processedSamples / 16) / durationMs * 0.9), stage: 'transcribing' });
        }
        pending = joined.slice(offset);
      }
      if (pending.length > 0) await session.pushAudio(channel, pending);
      processedSamples += pending.length;
      // A file cut short whose container still declares its full length decodes "successfully" (ffmpeg exits 0).
      const decodedMs = processedSamples / 16;
      if (durationMs !== null && decodedMs < durationMs * 0.95 && durationMs - decodedMs > 1000) {
        warnings.push(`the recording looks truncated: only ${(decodedMs / 1000).toFixed(1)} s of the ${(durationMs / 1000).toFixed(1)} s it declares could be decoded`);
      }
      signal.throwIfAborted();
      await session.stop();
      onProgress({ fraction: 0.9, stage: 'analysing' });
      await deps.analysisSettled?.(interviewId);
      signal.throwIfAborted();
      onProgress({ fraction: 1, stage: 'done' });
      deps.logger.info(`recording ${interviewId}: ${session.finals.length} turns from ${Math.round(processedSamples / 16_000)} s of audio`);
      for (const warning of warnings) deps.logger.warn(`recording ${interviewId}: ${warning}`);
      return { warnings };
    } catch (error) {
      session.abort();
      throw error;
    }
  };
}
