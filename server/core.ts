/**
 * The real parts of Viva, loaded from the configuration (LLM provider checked, speech models, the database), and the
 * server built from them with `createApp` — what `index.ts`, `viva review` and the end-to-end tests start.
 */
import { createApp, type AppDeps, type VivaApp } from './app.ts';
import type { Config } from './env.ts';
import { createLlmProvider } from './llm/create-provider.ts';
import type { LlmProvider } from './llm/provider.ts';
import type { Logger } from './logger.ts';
import { createPromptLibrary } from './prompts.ts';
import { loadSpeechRuntime, type SpeechRuntime } from './speech-runtime.ts';
import { dataPaths } from './store/paths.ts';
import { createRepository, type InterviewRepository } from './store/repository.ts';

/** A Viva server built from the real parts, not yet listening. */
export interface BuiltServer {
  app: VivaApp;
  runtime: SpeechRuntime;
  llm: LlmProvider;
  repository: InterviewRepository;
  listen(): Promise<number>;
  /** Closes the app, then frees the models, the database and the LLM provider. */
  close(): Promise<void>;
}

/** Options the environment does not carry. */
export interface BuildOptions {
  clientDir?: string;
  /** An already loaded speech runtime to use instead of loading one from the config (tests substitute parts); closed with the server. */
  speechRuntime?: SpeechRuntime;
  /** Apply retention periodically (default true; `viva review` runs once and needs no timer). */
  retentionTimer?: boolean;
  /** Score the answers a previous run left unscored (default true; `viva review` leaves them to the server). */
  resumeAnalysis?: boolean;
}

/** Loads the real parts and builds the app; fails with a readable message when the LLM or a model is missing. */
export async function buildServer(config: Config, logger: Logger, options: BuildOptions = {}): Promise<BuiltServer> {
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
  let llm: LlmProvider;
  try {
    // The embedded LLM steps aside while a final decode runs: transcripts come first on a shared CPU.
    llm = await createLlmProvider(config.llm, { logger, asrPriority: runtime.scheduler });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  let repository: InterviewRepository;
  try {
    const paths = dataPaths(config.dataDir);
    repository = createRepository(paths.dbPath, { audioDir: paths.audioDir });
  } catch (error) {
    await runtime.close();
    await llm.close();
    throw error;
  }
  const app = createApp(appDepsFromConfig(config, { runtime, llm, repository, logger }, options));
  return {
    app,
    runtime,
    llm,
    repository,
    listen: () => app.listen(config.port, config.host),
    async close() {
      await app.close();
      await runtime.close();
      repository.close();
      await llm.close();
    },
  };
}

/** The app's parts and settings from the configuration and the loaded parts. */
export function appDepsFromConfig(
  config: Config,
  parts: { runtime: SpeechRuntime; llm: LlmProvider; repository: InterviewRepository; logger: Logger },
  options: BuildOptions = {},
): AppDeps {
  return {
    createVad: parts.runtime.createVad,
    decoder: parts.runtime.decoder,
    logger: parts.logger,
    partialIntervalMs: config.partialIntervalMs,
    llm: parts.llm,
    ...(config.llm.maxConcurrentCalls === undefined ? {} : { maxConcurrentAnalysisCalls: config.llm.maxConcurrentCalls }),
    prompts: createPromptLibrary(),
    storage: {
      repository: parts.repository,
      dataDir: config.dataDir,
      ffmpegPath: config.ffmpegPath,
      ffprobePath: config.ffprobePath,
      maxUploadBytes: config.maxUploadBytes,
      defaultRetention: { audioDays: config.audioRetentionDays ?? null, transcriptDays: config.transcriptRetentionDays ?? null },
      ...(options.retentionTimer === undefined ? {} : { retentionTimer: options.retentionTimer }),
      ...(options.resumeAnalysis === undefined ? {} : { resumeAnalysis: options.resumeAnalysis }),
    },
    automated: {
      ...(config.linkSecret === undefined ? {} : { linkSecret: config.linkSecret }),
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    },
    screening: { roots: config.screeningRoots, concurrency: config.screeningConcurrency },
    security: {
      ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
      allowedHosts: config.allowedHosts,
      rateLimits: config.rateLimits,
    },
    ...(options.clientDir === undefined ? {} : { clientDir: options.clientDir }),
  };
}
