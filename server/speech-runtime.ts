import type { Channel } from '../protocol/schemas.ts';
import { DecodeScheduler } from './asr/scheduler.ts';
import type { Transcriber } from './asr/transcriber.ts';
import { createWhisperTranscriber } from './asr/whisper.ts';
import type { Logger } from './logger.ts';
import { resolveSileroVadModel, resolveWhisperModel, type ResolvedWhisperModel } from './models/model-files.ts';
import type { TurnDecoder } from './asr/turn-decoder.ts';
import type { TurnVad } from './vad/turn-vad.ts';
import { SileroModel } from './vad/silero.ts';
import { VadStream, type VadStreamOptions } from './vad/vad-stream.ts';

/** The loaded speech models shared by every session: one Silero model, one whisper model, one decode scheduler. */
export interface SpeechRuntime {
  createVad(channel: Channel): TurnVad;
  decoder: TurnDecoder;
  scheduler: DecodeScheduler;
  transcriber: Transcriber;
  whisperModel: ResolvedWhisperModel;
  close(): Promise<void>;
}

/** What to load. */
export interface SpeechRuntimeOptions {
  modelsDir: string;
  whisperModel: string;
  whisperThreads?: number;
  audioContext?: 'full' | 'proportional';
  vad?: VadStreamOptions;
  logger?: Logger;
  signal?: AbortSignal;
}

/**
 * Checks and loads the models (a missing or damaged file throws a message naming the file and the command that fetches
 * it) and builds the shared decode scheduler.
 */
export async function loadSpeechRuntime(options: SpeechRuntimeOptions): Promise<SpeechRuntime> {
  const signalOption = options.signal ? { signal: options.signal } : {};
  const whisperModel = await resolveWhisperModel(options.modelsDir, options.whisperModel, signalOption);
  const silero = await resolveSileroVadModel(options.modelsDir, signalOption);
  const sileroModel = await SileroModel.load(silero.filePath, signalOption);
  const transcriber = await createWhisperTranscriber({
    model: whisperModel,
    ...(options.whisperThreads === undefined ? {} : { nThreads: options.whisperThreads }),
    ...(options.audioContext === undefined ? {} : { audioContext: options.audioContext }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const scheduler = new DecodeScheduler(transcriber, options.logger ? { logger: options.logger } : {});
  return {
    createVad: () => new VadStream(sileroModel.createStream(), options.vad ?? {}),
    decoder: scheduler,
    scheduler,
    transcriber,
    whisperModel,
    async close() {
      await scheduler.close();
      await transcriber.close();
      await sileroModel.release();
    },
  };
}
