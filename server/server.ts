import path from 'node:path';
import type { Router } from 'express';
import { createApp, type SessionFeature, type VivaApp } from './app.ts';
import type { Config } from './env.ts';
import type { LlmClient } from './llm/client.ts';
import type { Logger } from './logger.ts';
import { createPrepRouter } from './api/prep.ts';
import { createPrepLlm } from './prep/llm.ts';
import { createPrepPrompts } from './prep/prompts.ts';
import type { SpeechRuntime } from './speech-runtime.ts';
import { createInterviewsRouter } from './api/interviews.ts';
import { buildVivaCore } from './core.ts';
import type { InterviewRepository } from './store/repository.ts';
import { startRetentionTimer } from './store/retention.ts';
import { buildAutomatedInterviews } from './automated/index.ts';

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
  /** An already loaded speech runtime to use instead of loading one from the config (tests substitute parts); closed with the server. */
  speechRuntime?: SpeechRuntime;
}

/** Builds the real server from the configuration: models, LLM endpoint check, storage, features and routes. */
export async function buildServer(config: Config, logger: Logger, options: BuildOptions = {}): Promise<BuiltServer> {
  const core = await buildVivaCore(config, logger, options.speechRuntime ? { speechRuntime: options.speechRuntime } : {});
  const { llm, runtime, repository, paths, prompts, store, liveAnalysis } = core;
  const automated = buildAutomatedInterviews({
    repository,
    dbPath: paths.dbPath,
    dataDir: config.dataDir,
    ...(config.linkSecret === undefined ? {} : { linkSecret: config.linkSecret }),
    ...(config.publicUrl === undefined ? {} : { publicUrl: config.publicUrl }),
    llm,
    prompts,
    logger,
  });
  liveAnalysis.setTurnPolicy({ questionFor: automated.questionForTurn, skipTurn: automated.isEchoTurn });
  // Automated last: its onStop writes the interview's final status message.
  const features: SessionFeature[] = [store, liveAnalysis, automated.feature];
  let sessions: Map<string, unknown> = new Map();
  const interviews = createInterviewsRouter({
    repository,
    uploadDir: paths.uploadDir,
    logger,
    isSessionActive: (id) => sessions.has(id),
    processRecording: core.processRecording,
    ffprobePath: config.ffprobePath,
    maxUploadBytes: config.maxUploadBytes,
    defaultRetention: { audioDays: config.audioRetentionDays ?? null, transcriptDays: config.transcriptRetentionDays ?? null },
  });
  const apiRouters: Router[] = [
    interviews,
    createPrepRouter({
      prep: { llm: createPrepLlm(llm, { prompts }), prompts: createPrepPrompts(prompts) },
      screeningsDir: path.join(config.dataDir, 'screenings'),
      screeningRoots: config.screeningRoots,
      screeningConcurrency: config.screeningConcurrency,
      logger,
    }),
    automated.router,
  ];
  const retention = new AbortController();
  // Sessions in memory are never mistaken for ones a crash left 'live' (read at each run: `sessions` is bound below).
  void startRetentionTimer(repository, { signal: retention.signal, logger, isActive: (id) => sessions.has(id) });

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
  automated.installSocketHandlers(app.io);

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
      automated.close();
      await core.close();
    },
  };
}
