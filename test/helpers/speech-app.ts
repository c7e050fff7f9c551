import path from 'node:path';
import { createApp, type AppDeps, type VivaApp } from '../../server/app.ts';
import { silentLogger } from '../../server/logger.ts';
import { loadSpeechRuntime, type SpeechRuntime } from '../../server/speech-runtime.ts';
import { readWavFile } from '../../server/audio/wav.ts';
import { signIn, type TestCaller } from './auth.ts';

/** The models folder tests use: $VIVA_MODELS_DIR or ../shared/models beside the repo. */
export const MODELS_DIR = path.resolve(process.env.VIVA_MODELS_DIR ?? path.join(import.meta.dirname, '../../../shared/models'));
/** Real speech recordings shared by the team. */
export const SHARED_AUDIO = path.resolve(MODELS_DIR, '../audio');

/** Real English-only whisper weights, fast: the model of tests that stream English. */
export const ENGLISH_TEST_MODEL = 'tiny.en-q8_0';
/** Real multilingual whisper weights (the default model): tests with Mandarin or the defaults. */
export const MULTILINGUAL_TEST_MODEL = 'base';

/** Reads a 16 kHz mono WAV from ../shared/audio. */
export async function readSharedWav(relativePath: string): Promise<Float32Array> {
  const wav = await readWavFile(path.join(SHARED_AUDIO, relativePath));
  if (wav.sampleRate !== 16_000) throw new Error(`${relativePath} is ${wav.sampleRate} Hz; tests stream 16 kHz`);
  return wav.samples;
}

/** The real app on an ephemeral port with the real Silero VAD and whisper binding. */
export interface SpeechApp {
  app: VivaApp;
  port: number;
  runtime: SpeechRuntime;
  /** An admin signed in with a token: `connectClient(port, admin.socketAuth)`, `admin.fetch(...)`. */
  admin: TestCaller;
  close(): Promise<void>;
}

/** Starts the real server (real VAD, real whisper with `whisperModel`, real weights) on 127.0.0.1:0. */
export async function startSpeechApp(whisperModel = ENGLISH_TEST_MODEL, extra: Partial<AppDeps> = {}): Promise<SpeechApp> {
  const runtime = await loadSpeechRuntime({ modelsDir: MODELS_DIR, whisperModel, whisperThreads: 2 });
  const app = createApp({
    createVad: runtime.createVad,
    decoder: runtime.decoder,
    logger: silentLogger,
    partialIntervalMs: 1000,
    ...extra,
  });
  const port = await app.listen(0);
  const admin = await signIn(app, { name: 'speech-admin' });
  return {
    app,
    port,
    runtime,
    admin,
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}
