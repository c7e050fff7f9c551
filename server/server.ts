import path from 'node:path';
import type { Router } from 'express';
import { createApp, type SessionFeature, type VivaApp } from './app.ts';
import type { Config } from './env.ts';
import { createAnalysisFeature } from './features/analysis-feature.ts';
import { checkLlmEndpoint, createLlmClient, type LlmClient } from './llm/client.ts';
import type { Logger } from './logger.ts';
import { createPrepRouter } from './api/prep.ts';
import { createPrepLlm } from './prep/llm.ts';
import { createPrepPrompts } from './prep/prompts.ts';
import { createPromptLibrary } from './prompts.ts';
import { loadSpeechRuntime, type SpeechRuntime } from './speech-runtime.ts';
import { createInterviewsRouter } from './api/interviews.ts';
import { createStoreFeature } from './features/store-feature.ts';
import { createRecordingProcessor } from './recording/process-recording.ts';
import { dataPaths } from './store/paths.ts';
import { createRepository, type InterviewRepository } from './store/repository.ts';
import { startRetentionTimer } from './store/retention.ts';

/** A fully wired Viva server, not yet listening. */
export interface BuiltServer {
  app: VivaApp;
  runtime: SpeechRuntime;
  llm: LlmClient;
  repository: InterviewRepository;
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Options the environment does not carry. */
export interface BuildOptions {
  clientDir?: string;
}

/** Builds the real server from the configuration: models, LLM endpoint check, storage, features and routes. */
export async function buildServer(config: Config, logger: Logger, options: BuildOptions = {}): Promise<BuiltServer> {
  const llm = createLlmClient({
    baseUrl: config.llm.baseUrl,
    model: config.llm.model,
    ...(config.llm.apiKey === undefined ? {} : { apiKey: config.llm.apiKey }),
    timeoutMs: config.llm.timeoutMs,
    maxRetries: config.llm.maxRetries,
    structuredOutput: config.llm.structuredOutput,
  });
  try {
    const info = await checkLlmEndpoint(llm);
    logger.info(`llm: ${info.model} at ${config.llm.baseUrl}`);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!config.llm.optional) throw new Error(`${message}\n(or set VIVA_LLM_OPTIONAL=true to start without answer analysis)`);
    logger.warn(`llm: ${message}; starting anyway (VIVA_LLM_OPTIONAL): each answer will report the LLM error`);
  }

  const runtime = await loadSpeechRuntime({
    modelsDir: config.modelsDir,
    whisperModel: config.whisperModel,
    whisperThreads: config.whisperThreads,
    audioContext: config.whisperAudioContext,
    vad: { redemptionMs: config.vadRedemptionMs },
    logger,
  });

  const paths = dataPaths(config.dataDir);
  const repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  const prompts = createPromptLibrary();
  const store = createStoreFeature({
    repository,
    logger,
    suggestionsModel: config.llm.model,
    suggestionsPromptVersion: prompts.version('answer-followups', 'en'),
  });
  const liveAnalysis = createAnalysisFeature({ llm, prompts, logger, recorder: store.recorder });
  // A recording has nobody waiting at a stop button: let every answer's analysis finish.
  const recordingAnalysis = createAnalysisFeature({ llm, prompts, logger, recorder: store.recorder, drainAfterStopMs: 60 * 60_000 });
  const features: SessionFeature[] = [store, liveAnalysis];
  let sessions: Map<string, unknown> = new Map();
  const interviews = createInterviewsRouter({
    repository,
    uploadDir: paths.uploadDir,
    logger,
    isSessionActive: (id) => sessions.has(id),
    processRecording: createRecordingProcessor({
      createVad: runtime.createVad,
      decoder: runtime.decoder,
      repository,
      features: [store, recordingAnalysis],
      analysisSettled: (id) => recordingAnalysis.settled(id),
      logger,
    }),
  });
  const apiRouters: Router[] = [
    interviews,
    createPrepRouter({
      prep: { llm: createPrepLlm(llm, { prompts }), prompts: createPrepPrompts(prompts) },
      screeningsDir: path.join(config.dataDir, 'screenings'),
      logger,
    }),
  ];
  const retention = new AbortController();
  void startRetentionTimer(repository, { signal: retention.signal, logger });

  const app = createApp({
    createVad: runtime.createVad,
    decoder: runtime.decoder,
    logger,
    partialIntervalMs: config.partialIntervalMs,
    features,
    apiRouters,
    ...(options.clientDir === undefined ? {} : { clientDir: options.clientDir }),
  });

  sessions = app.sessions;

  return {
    app,
    runtime,
    llm,
    repository,
    listen: () => app.listen(config.port, config.host),
    async close() {
      retention.abort();
      await interviews.close();
      await app.close();
      await runtime.close();
      repository.close();
    },
  };
}
