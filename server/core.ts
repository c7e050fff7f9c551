import type { ProcessRecording } from './api/recording-jobs.ts';
import type { Config } from './env.ts';
import { createAnalysisFeature } from './features/analysis-feature.ts';
import { createStoreFeature } from './features/store-feature.ts';
import { createLlmProvider } from './llm/create-provider.ts';
import type { LlmProvider } from './llm/provider.ts';
import type { Logger } from './logger.ts';
import { createPromptLibrary, type PromptLibrary } from './prompts.ts';
import { createRecordingProcessor } from './recording/process-recording.ts';
import { loadSpeechRuntime, type SpeechRuntime } from './speech-runtime.ts';
import { dataPaths, type DataPaths } from './store/paths.ts';
import { createRepository, type InterviewRepository } from './store/repository.ts';

/**
 * The parts the server and `viva review` share: LLM client (endpoint checked), speech models, storage, the storage and
 * analysis features, and the recording processor that runs an uploaded file through the live pipeline.
 */
export interface VivaCore {
  llm: LlmProvider;
  runtime: SpeechRuntime;
  repository: InterviewRepository;
  paths: DataPaths;
  prompts: PromptLibrary;
  /** Writes turns, audio, suggestions, scores and failures as they happen. */
  store: ReturnType<typeof createStoreFeature>;
  /** Analysis of live sessions: answers still running 30 s after stop are cancelled. */
  liveAnalysis: ReturnType<typeof createAnalysisFeature>;
  /** Analysis of recordings: nobody waits at a stop button, so every answer's analysis finishes. */
  recordingAnalysis: ReturnType<typeof createAnalysisFeature>;
  /** Turns a recording file into stored turns, suggestions and scores of an existing interview. */
  processRecording: ProcessRecording;
  /** Frees the models and closes the database. */
  close(): Promise<void>;
}

/** Options the environment does not carry. */
export interface VivaCoreOptions {
  /** An already loaded speech runtime (tests substitute parts); closed with the core. */
  speechRuntime?: SpeechRuntime;
}

/** Builds the shared parts from the configuration; fails with a readable message when the LLM or a model is missing. */
export async function buildVivaCore(config: Config, logger: Logger, options: VivaCoreOptions = {}): Promise<VivaCore> {
  const llm = await createLlmProvider(config.llm, { logger });

  const runtime =
    options.speechRuntime ??
    (await loadSpeechRuntime({
      modelsDir: config.modelsDir,
      whisperModel: config.whisperModel,
      whisperThreads: config.whisperThreads,
      audioContext: config.whisperAudioContext,
      vad: config.vad,
      logger,
    }));

  const paths = dataPaths(config.dataDir);
  let repository: InterviewRepository;
  try {
    repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const prompts = createPromptLibrary();
  const store = createStoreFeature({
    repository,
    logger,
    suggestionsModel: llm.model,
    suggestionsPromptVersion: prompts.version('answer-followups', 'en'),
  });
  const liveAnalysis = createAnalysisFeature({ llm, prompts, logger, recorder: store.recorder });
  // A recording has nobody waiting at a stop button: let every answer's analysis finish.
  const recordingAnalysis = createAnalysisFeature({ llm, prompts, logger, recorder: store.recorder, drainAfterStopMs: 60 * 60_000 });
  const processRecording = createRecordingProcessor({
    createVad: runtime.createVad,
    decoder: runtime.decoder,
    repository,
    features: [store, recordingAnalysis],
    analysisSettled: (id) => recordingAnalysis.settled(id),
    logger,
    ffmpegPath: config.ffmpegPath,
  });

  return {
    llm,
    runtime,
    repository,
    paths,
    prompts,
    store,
    liveAnalysis,
    recordingAnalysis,
    processRecording,
    async close() {
      await runtime.close();
      repository.close();
      await llm.close();
    },
  };
}
